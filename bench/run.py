"""Benchmark: fupin serve vs Oxigraph server vs rdflib-endpoint on a
synthetic corpus of about 1M triples in fupin's vocabulary.

    python bench/run.py                      # everything (about 10 minutes)
    python bench/run.py --triples 200000 --servers fupin,oxigraph
    python bench/run.py --pages-only         # entity-page timings alone (under a minute)

Generates the corpus (districts, townships, villages, Data Cube observations
with Web Annotation provenance) into bench/out/, starts each server in turn,
and runs the same queries against each from a separate client process (every
request with a timeout: rdflib-endpoint has none of its own). Prints, per
server: each query's median latency, the throughput of a light mix with 4
client threads (first-time queries, then the same queries repeated, which a
cache may answer), peak memory (server and its worker processes) and
start-up time, with every ratio to Oxigraph server. Then fupin's entity
pages (the peers have none): the HTML page of a sample of districts,
townships, villages and observations, each requested once cold (the first
time) and once warm, on this corpus and on the Karuo build (data/build),
with the server time of each taken from fupin's request log. Writes
bench/out/results.json, bench/out/table.md and bench/out/pages.md.

Needs the PyPI packages oxigraph (the ``oxigraph`` command) and
rdflib-endpoint[cli] (skipped, with a note, when missing).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "https://w3id.org/fupin/"
FP = "https://w3id.org/fupin/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA = "https://schema.org/"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATT = "http://purl.org/linked-data/sdmx/2009/attribute#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
MEASURES = ["households", "persons", "fundsInvested", "roadLength", "workers", "dividendsPaid"]
SUBJECTS = ["roads", "industry", "relocation", "water", "education", "health"]
QUALIFIERS = ["Exact", "Exact", "Exact", "About", "MoreThan", "Nearly"]

PREFIXES = f"""PREFIX fp: <{FP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <{SCHEMA}>
PREFIX sdmx-dimension: <{SDMX_DIM}>
"""
QUERIES = {
    # light: the mix measured for throughput
    "point lookup": ("light", "SELECT ?p ?o WHERE {{ <{v}> ?p ?o }}"),
    "DESCRIBE": ("light", "DESCRIBE <{v}>"),
    "inbound links": ("light", "SELECT ?s ?p WHERE {{ ?s ?p <{v}> }} LIMIT 100"),
    # heavier
    "label search": ("heavy", PREFIXES + 'SELECT ?s ?l WHERE {{ ?s rdfs:label ?l '
                                         'FILTER(CONTAINS(STR(?l), "{word}")) }} LIMIT 20'),
    "2-hop join": ("heavy", PREFIXES + "SELECT ?v ?obs ?val WHERE {{ ?v schema:containedInPlace <{t}> . "
                                       "?obs sdmx-dimension:refArea ?v ; fp:households ?val }}"),
    "aggregate by area": ("heavy", PREFIXES + "SELECT ?d (SUM(?val) AS ?total) (COUNT(?obs) AS ?n) WHERE {{ "
                                              "?obs fp:fundsInvested ?val ; sdmx-dimension:refArea ?v . "
                                              "?v schema:containedInPlace ?t . ?t schema:containedInPlace ?d "
                                              "}} GROUP BY ?d"),
    "COUNT": ("heavy", "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}"),
}


# ---------------------------------------------------------------- corpus
def generate(out: Path, triples: int, seed: int = 7) -> dict:
    """Write corpus.nq (one named graph per district report) and corpus.nt
    (the same triples), return the workload (IRIs to ask about)."""
    rnd = random.Random(seed)
    per_village = 6 * (12 + 15)  # observations × (observation + annotation triples)
    villages_needed = max(50, triples // (per_village + 7))
    townships_per_district, villages_per_township = 10, 15
    districts = max(1, round(villages_needed / (townships_per_district * villages_per_township)))
    out.mkdir(parents=True, exist_ok=True)
    nq = (out / "corpus.nq").open("w", encoding="utf-8")
    nt = (out / "corpus.nt").open("w", encoding="utf-8")
    count = 0
    graph = ""

    def emit(s, p, o):
        nonlocal count
        nt.write(f"{s} {p} {o} .\n")
        nq.write(f"{s} {p} {o} {graph} .\n")
        count += 1

    def iri(x):
        return f"<{x}>"

    def lit(v, lang=None, dt=None):
        v = v.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{v}"@{lang}' if lang else (f'"{v}"^^<{dt}>' if dt else f'"{v}"')

    def place(path, cls, zh, en, parent):
        s = iri(BASE + "id/place/" + path)
        emit(s, iri(RDF_TYPE), iri(FP + cls))
        emit(s, iri(RDFS_LABEL), lit(zh, "zh"))
        emit(s, iri(RDFS_LABEL), lit(en, "en"))
        emit(s, iri(FP + "generatedLabel"), lit(en, "en"))
        if parent:
            emit(s, iri(SCHEMA + "containedInPlace"), iri(BASE + "id/place/" + parent))
        return s

    villages, townships, district_iris = [], [], []
    for d in range(districts):
        report = f"report-{d:03d}"
        graph = iri(BASE + "graph/report/" + report)
        art = iri(BASE + "id/report/" + report)
        emit(art, iri(RDF_TYPE), iri(SCHEMA + "NewsArticle"))
        emit(art, iri(RDFS_LABEL), lit(f"第{d}区脱贫攻坚工作综述", "zh"))
        emit(art, iri(SCHEMA + "datePublished"), lit("2021-04-06", dt=XSD + "date"))
        city = f"xizang/city-{d // 10}"
        if d % 10 == 0:
            place("xizang", "AutonomousRegion", "西藏自治区", "Tibet", None)
            place(city, "PrefectureLevelCity", f"市{d // 10}", f"City {d // 10}", "xizang")
        dpath = f"{city}/district-{d}-qu"
        district_iris.append(place(dpath, "District", f"区{d}", f"District {d}", city))
        for t in range(townships_per_district):
            tpath = f"{dpath}/township-{t}-xiang"
            townships.append(place(tpath, "Township", f"乡{d}-{t}", f"Township {d}-{t}", dpath)[1:-1])
            for v in range(villages_per_township):
                vn = len(villages)
                vpath = f"{tpath}/village-{vn}-cun"
                vs = place(vpath, "AdministrativeVillage", f"村{vn}", f"Village {vn}", tpath)
                villages.append(vs[1:-1])
                for k, measure in enumerate(MEASURES):
                    slug = f"v{vn}-{measure}"
                    o = iri(BASE + f"id/obs/{report}/{slug}")
                    value = rnd.randrange(10, 100000)
                    emit(o, iri(RDF_TYPE), iri(QB + "Observation"))
                    emit(o, iri(QB + "dataSet"), iri(BASE + "id/dataset/" + report))
                    emit(o, iri(QB + "measureType"), iri(FP + measure))
                    emit(o, iri(FP + measure), lit(str(value), dt=XSD + "integer"))
                    emit(o, iri(SDMX_DIM + "refArea"), vs)
                    emit(o, iri(SDMX_DIM + "refPeriod"), iri(BASE + f"id/time/{2016 + (vn + k) % 5}"))
                    emit(o, iri(FP + "subject"), iri(BASE + "id/concept/subject/" + SUBJECTS[k]))
                    emit(o, iri(FP + "qualifier"), iri(FP + QUALIFIERS[(vn + k) % 6]))
                    emit(o, iri(FP + "flowType"), iri(FP + "Flow"))
                    emit(o, iri(SDMX_ATT + "unitMeasure"), iri("http://qudt.org/vocab/unit/NUM"))
                    emit(o, iri(FP + "printedValue"), lit(f"{value}户", "zh"))
                    emit(o, iri(PROV + "wasDerivedFrom"), art)
                    a = BASE + f"id/annotation/{report}/{slug}"
                    emit(iri(a), iri(RDF_TYPE), iri(OA + "Annotation"))
                    emit(iri(a), iri(OA + "hasBody"), o)
                    emit(iri(a), iri(OA + "hasTarget"), iri(a + "/target"))
                    emit(iri(a + "/target"), iri(RDF_TYPE), iri(OA + "SpecificResource"))
                    emit(iri(a + "/target"), iri(OA + "hasSource"), iri(BASE + f"id/report/{report}/text"))
                    emit(iri(a + "/target"), iri(OA + "hasSelector"), iri(a + "/quote"))
                    emit(iri(a + "/target"), iri(OA + "hasSelector"), iri(a + "/position"))
                    emit(iri(a + "/quote"), iri(RDF_TYPE), iri(OA + "TextQuoteSelector"))
                    emit(iri(a + "/quote"), iri(OA + "exact"), lit(f"{value}户"))
                    emit(iri(a + "/quote"), iri(OA + "prefix"), lit(f"村{vn}共有"))
                    emit(iri(a + "/quote"), iri(OA + "suffix"), lit("，全部脱贫"))
                    emit(iri(a + "/position"), iri(RDF_TYPE), iri(OA + "TextPositionSelector"))
                    emit(iri(a + "/position"), iri(OA + "start"), lit(str(k * 40), dt=XSD + "nonNegativeInteger"))
                    emit(iri(a + "/position"), iri(OA + "end"), lit(str(k * 40 + 8), dt=XSD + "nonNegativeInteger"))
                    emit(iri(a), iri(PROV + "wasDerivedFrom"), art)
    nq.close()
    nt.close()
    return {"triples": count, "villages": villages, "townships": townships,
            "districts": [d[1:-1] for d in district_iris]}


# ---------------------------------------------------------------- client (own process)
def _request(conn, path, query, accept, timeout):
    body = "query=" + quote(query, safe="")
    conn.timeout = timeout
    conn.request("POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError(f"HTTP {r.status}: {data[:200]!r}")
    return len(data)


def _connect(url, timeout):
    u = urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout), u.path


def _make(name, work, rnd, nonce):
    kind, template = QUERIES[name]
    v = rnd.choice(work["villages"])
    q = template.format(v=v, t=rnd.choice(work["townships"]), word=f"Village {rnd.randrange(len(work['villages']))}X")
    return q + f"\n# {nonce}"


def client(url: str, work_file: str, runs: int, duration: float, timeout: float) -> dict:
    """Latencies (median of ``runs``, each with a different nonce so no
    cache answers), then light-mix throughput with 4 threads, first-time and
    repeated."""
    work = json.loads(Path(work_file).read_text())
    rnd = random.Random(1)
    out: dict = {"latency": {}, "errors": {}}
    conn, path = _connect(url, timeout)
    for name, (kind, _) in QUERIES.items():
        accept = "text/turtle" if name == "DESCRIBE" else "application/sparql-results+json"
        times = []
        for i in range(runs):
            q = _make(name, work, rnd, f"lat-{name}-{i}-{time.time_ns()}")
            t0 = time.perf_counter()
            try:
                _request(conn, path, q, accept, timeout)
            except Exception as e:  # noqa: BLE001
                out["errors"][name] = f"{type(e).__name__}: {e}"[:200]
                conn.close()
                conn, path = _connect(url, timeout)
                break
            times.append(time.perf_counter() - t0)
            if sum(times) > 30:  # a slow server: fewer runs, same median idea
                break
        out["latency"][name] = statistics.median(times) if times else None
    conn.close()
    light = [n for n, (k, _) in QUERIES.items() if k == "light"]
    fixed = [(n, _make(n, work, random.Random(100 + i), f"fixed-{i}")) for i in range(30) for n in light]
    for mode in ("first", "repeated"):
        counter = [0]
        errors = [0]
        stop = time.monotonic() + duration
        lock = threading.Lock()

        def worker(tid):
            r = random.Random(tid)
            c, p = _connect(url, timeout)
            i = 0
            while time.monotonic() < stop:
                if mode == "first":
                    name = light[i % len(light)]
                    q = _make(name, work, r, f"tp-{tid}-{i}-{time.time_ns()}")
                else:
                    name, q = fixed[(tid * 7 + i) % len(fixed)]
                accept = "text/turtle" if name == "DESCRIBE" else "application/sparql-results+json"
                try:
                    _request(c, p, q, accept, timeout)
                    with lock:
                        counter[0] += 1
                except Exception:  # noqa: BLE001
                    with lock:
                        errors[0] += 1
                    c.close()
                    c, p = _connect(url, timeout)
                i += 1
            c.close()

        t0 = time.monotonic()
        ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        out[f"throughput_{mode}"] = counter[0] / (time.monotonic() - t0)
        out[f"throughput_{mode}_errors"] = errors[0]
    return out


# ---------------------------------------------------------------- servers
def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_ready(url: str, proc, limit: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            c, p = _connect(url, 2)
            _request(c, p, "ASK { ?s ?p ?o }", "application/sparql-results+json", 5)
            c.close()
            return time.monotonic() - t0
        except Exception:  # noqa: BLE001
            time.sleep(0.1)
    raise RuntimeError("server did not become ready")


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return total


class Sampler:
    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(0.2)

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak


def stop(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def bin_path(name: str) -> str | None:
    p = Path(sys.executable).with_name(name)
    return str(p) if p.exists() else shutil.which(name)


def start_fupin(out: Path, port: int):
    cmd = [bin_path("fupin") or "fupin", "serve", "--data", str(out / "corpus.nq"), "--store", str(out / "fupin-store"),
           "--port", str(port), "--quiet", "--timeout", "120", "--timeout-max", "120", "--watch", "0",
           "--max-rows", "100000"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(out / "fupin.log").open("ab"),
                            start_new_session=True), f"http://127.0.0.1:{port}/sparql"


def prepare_oxigraph(out: Path) -> float:
    loc = out / "oxigraph-store"
    if (loc / "LOADED").exists():
        return float((loc / "LOADED").read_text())
    shutil.rmtree(loc, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([bin_path("oxigraph"), "load", "--location", str(loc), "--file", str(out / "corpus.nq")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.monotonic() - t0
    (loc / "LOADED").write_text(str(took))
    return took


def start_oxigraph(out: Path, port: int):
    cmd = [bin_path("oxigraph"), "serve-read-only", "--location", str(out / "oxigraph-store"),
           "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True), f"http://127.0.0.1:{port}/query"


def start_rdflib(out: Path, port: int):
    cmd = [bin_path("rdflib-endpoint"), "serve", str(out / "corpus.nt"), "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=(out / "rdflib.log").open("ab"),
                            start_new_session=True), f"http://127.0.0.1:{port}/"


def run_server(name, starter, out: Path, args) -> dict:
    port = free_port()
    res: dict = {}
    if name == "fupin":
        # first start loads the persistent store; the measured start-up reuses it
        shutil.rmtree(out / "fupin-store", ignore_errors=True)
        t0 = time.monotonic()
        proc, url = starter(out, port)
        wait_ready(url, proc, 1800)
        res["load_s"] = time.monotonic() - t0
        stop(proc)
        port = free_port()
    if name == "oxigraph":
        res["load_s"] = prepare_oxigraph(out)
    proc, url = starter(out, port)
    sampler = Sampler(proc.pid)
    try:
        res["startup_s"] = wait_ready(url, proc, 1800)
        r = subprocess.run([sys.executable, __file__, "client", url, str(out / "workload.json"),
                            "--runs", str(args.runs), "--duration", str(args.duration),
                            "--timeout", str(args.timeout)],
                           capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        res.update(json.loads(r.stdout))
    finally:
        res["peak_rss_mb"] = sampler.stop() / 2**20
        stop(proc)
    return res


# ---------------------------------------------------------------- entity pages (fupin only)
PAGE_TARGETS = {"karuo": 50.0, "corpus": 200.0}
"""Server time per entity page, ms (issue 4, "Quality")."""
PAGE_HEADERS = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Encoding": "gzip",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def corpus_pages(work: dict, per_kind: int = 5, seed: int = 11) -> dict[str, list[str]]:
    """A sample of entity IRIs of the synthetic corpus, by kind."""
    rnd = random.Random(seed)
    villages = work["villages"]
    per_report = len(villages) // len(work["districts"])  # villages per district report

    def obs(v: str) -> str:
        vn = villages.index(v)
        return BASE + f"id/obs/report-{vn // per_report:03d}/v{vn}-{MEASURES[vn % len(MEASURES)]}"

    return {"district": rnd.sample(work["districts"], min(per_kind, len(work["districts"]))),
            "township": rnd.sample(work["townships"], per_kind),
            "village": rnd.sample(villages, per_kind),
            "observation": [obs(v) for v in rnd.sample(villages, per_kind)]}


def karuo_pages(sparql_url: str, per_kind: int = 6) -> dict[str, list[str]]:
    """A sample of entity IRIs of the Karuo build, by kind (by IRI order,
    spread over all of a kind), asked of the server being measured."""
    out = {}
    for kind, cls in (("district", FP + "District"), ("township", FP + "Township"),
                      ("village", FP + "AdministrativeVillage"), ("observation", QB + "Observation")):
        c, p = _connect(sparql_url, 30)
        c.request("POST", p, body="query=" + quote(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }} "
                                                   "ORDER BY ?s", safe=""),
                  headers={"Content-Type": "application/x-www-form-urlencoded",
                           "Accept": "application/sparql-results+json"})
        r = c.getresponse()
        rows = [b["s"]["value"] for b in json.loads(r.read())["results"]["bindings"]]
        c.close()
        step = max(1, len(rows) // per_kind)
        out[kind] = rows[::step][:per_kind]
    return out


WARM_UP = "/id/place/xizang"


def _page_path(iri: str) -> str:
    assert iri.startswith(BASE), iri
    return "/" + quote(iri[len(BASE):], safe="/")


def _log_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Server times (ms) of the GET requests logged after ``offset``, by path, in order."""
    times: dict[str, list[float]] = {}
    with log.open("rb") as fh:
        fh.seek(offset)
        for line in fh.read().decode("utf-8", "replace").splitlines():
            if "fupin.server.access: GET " not in line:
                continue
            parts = line.split("fupin.server.access: ", 1)[1].split()
            if len(parts) >= 4 and parts[3].endswith("ms"):
                times.setdefault(parts[1], []).append(float(parts[3][:-2]))
    return times


def measure_pages(base_url: str, sample: dict[str, list[str]], log: Path) -> dict:
    """Request every sampled page twice (cold pass, then warm pass), after
    one page outside the sample (the region, /id/place/xizang) has taken the
    process's one-off costs (template compilation and the like); server
    times from the request log, client times on loopback alongside."""
    from urllib.parse import unquote
    u = urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def get(path):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=PAGE_HEADERS)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {r.status} {body[:200]!r}")
        return (time.perf_counter() - t0) * 1000

    offset = log.stat().st_size if log.exists() else 0
    first = get(WARM_UP)
    client: dict[str, dict[str, list[float]]] = {"cold": {}, "warm": {}}
    for state in ("cold", "warm"):
        for kind, iris in sample.items():
            client[state][kind] = [get(_page_path(i)) for i in iris]
    conn.close()
    time.sleep(0.3)  # the log line is written after the answer
    logged = _log_times(log, offset)
    res: dict = {"first_request_ms": (logged.get(WARM_UP) or [None])[0], "first_request_client_ms": first,
                 "sample": sample, "client_ms": client, "server_ms": {"cold": {}, "warm": {}}}
    for kind, iris in sample.items():
        for i, state in enumerate(("cold", "warm")):
            res["server_ms"][state][kind] = [logged[unquote(_page_path(x))][i] for x in iris]
    for state in ("cold", "warm"):
        alltimes = [t for ts in res["server_ms"][state].values() for t in ts]
        res[state] = {"median": statistics.median(alltimes), "max": max(alltimes), "n": len(alltimes)}
    return res


def start_fupin_pages(args: list[str], log: Path):
    port = free_port()
    cmd = [bin_path("fupin") or "fupin", "serve", *args, "--port", str(port), "--watch", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("ab"),
                            start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    wait_ready(base_url + "/sparql", proc, 600)
    return proc, base_url


def run_pages(out: Path, work: dict) -> dict:
    """Entity-page timings on the synthetic corpus and on the Karuo build."""
    res = {}
    log = out / "fupin-pages.log"
    proc, url = start_fupin_pages(["--data", str(out / "corpus.nq"), "--store", str(out / "fupin-store"),
                                   "--timeout", "120", "--timeout-max", "120"], log)
    try:
        res["corpus"] = measure_pages(url, corpus_pages(work), log)
        res["corpus"]["triples"] = work["triples"]
    finally:
        stop(proc)
    if not (ROOT / "data" / "build" / "BUILD").exists():
        print("no Karuo build: running fupin build …", flush=True)
        subprocess.run([bin_path("fupin") or "fupin", "build"], cwd=ROOT, check=True)
    proc, url = start_fupin_pages(["--build-dir", str(ROOT / "data" / "build")], log)
    try:
        res["karuo"] = measure_pages(url, karuo_pages(url + "/sparql"), log)
    finally:
        stop(proc)
    return res


def pages_table(pages: dict) -> str:
    names = {"karuo": "Karuo build", "corpus": "1M-triple corpus"}
    lines = ["| corpus | pages | cold median | cold max | warm median | warm max | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    for key in ("karuo", "corpus"):
        r = pages.get(key)
        if not r or "cold" not in r:
            continue
        label = names[key] if key == "karuo" else f"{r.get('triples', 0):,}-triple corpus"
        target = PAGE_TARGETS[key]
        worst = max(r["cold"]["max"], r["warm"]["max"])
        lines.append(f"| {label} | {r['cold']['n']} | {r['cold']['median']:.1f} ms | {r['cold']['max']:.1f} ms "
                     f"| {r['warm']['median']:.1f} ms | {r['warm']['max']:.1f} ms | < {target:.0f} ms "
                     f"| {'yes' if worst < target else 'no'} |")
    return "\n".join(lines)


def pages_detail(pages: dict) -> str:
    lines = []
    for key in ("karuo", "corpus"):
        r = pages.get(key)
        if not r or "cold" not in r:
            continue
        lines.append(f"{key}: first page after start ({WARM_UP}, not in the sample) "
                     f"{r['first_request_ms']:.1f} ms")
        for kind in r["server_ms"]["cold"]:
            c, w = r["server_ms"]["cold"][kind], r["server_ms"]["warm"][kind]
            lines.append(f"  {kind:<12} cold median {statistics.median(c):6.1f} max {max(c):6.1f}   "
                         f"warm median {statistics.median(w):6.1f} max {max(w):6.1f}  ms (n={len(c)})")
    return "\n".join(lines)


# ---------------------------------------------------------------- report
def table(results: dict) -> str:
    servers = list(results)
    ref = results.get("oxigraph", {})

    def cell(server, value, ref_value, fmt, lower_is_better=True):
        if value is None:
            return "timeout/error"
        s = fmt.format(value)
        if server != "oxigraph" and ref_value:
            s += f" ({value / ref_value:.2f}×)"
        return s

    lines = ["| measure | " + " | ".join(servers) + " |", "|---|" + "---|" * len(servers)]
    for q in QUERIES:
        row = [cell(s, results[s].get("latency", {}).get(q), ref.get("latency", {}).get(q), "{:.1f} ms")
               if results[s].get("latency", {}).get(q) is None
               else cell(s, results[s]["latency"][q] * 1000,
                         (ref.get("latency", {}).get(q) or 0) * 1000, "{:.1f} ms") for s in servers]
        lines.append(f"| {q} (median latency) | " + " | ".join(row) + " |")
    for key, label in (("throughput_first", "light mix, 4 threads, first-time (queries/s)"),
                       ("throughput_repeated", "light mix, 4 threads, repeated (queries/s)")):
        row = [cell(s, results[s].get(key), ref.get(key), "{:.0f}") for s in servers]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    row = [cell(s, results[s].get("peak_rss_mb"), ref.get("peak_rss_mb"), "{:.0f} MB") for s in servers]
    lines.append("| peak memory (server + workers) | " + " | ".join(row) + " |")
    row = [cell(s, results[s].get("startup_s"), ref.get("startup_s"), "{:.2f} s") for s in servers]
    lines.append("| start-up (persistent store; rdflib parses the file) | " + " | ".join(row) + " |")
    row = [("{:.0f} s".format(results[s]["load_s"]) if results[s].get("load_s") else "–") for s in servers]
    lines.append("| first load of the corpus | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--servers", default="fupin,oxigraph,rdflib")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--duration", type=float, default=8.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--pages-only", action="store_true",
                    help="only fupin's entity-page timings (corpus and Karuo build), under a minute")
    ap.add_argument("--no-pages", action="store_true", help="skip the entity-page timings")
    args = ap.parse_args(argv)
    out = args.out
    meta_file = out / "workload.json"
    if meta_file.exists() and json.loads(meta_file.read_text()).get("target") == args.triples:
        work = json.loads(meta_file.read_text())
    else:
        t0 = time.monotonic()
        work = generate(out, args.triples)
        work["target"] = args.triples
        meta_file.write_text(json.dumps(work))
        shutil.rmtree(out / "oxigraph-store", ignore_errors=True)
        print(f"generated {work['triples']} triples in {time.monotonic() - t0:.1f} s", flush=True)
    if args.pages_only:
        print("entity pages (fupin) …", flush=True)
        pages = run_pages(out, work)
        report_pages(out, pages)
        return
    starters = {"fupin": start_fupin, "oxigraph": start_oxigraph, "rdflib": start_rdflib}
    results = {}
    for name in args.servers.split(","):
        if name == "rdflib" and not bin_path("rdflib-endpoint"):
            print("rdflib-endpoint is not installed (pip install 'rdflib-endpoint[cli]'): skipped")
            continue
        if name == "oxigraph" and not bin_path("oxigraph"):
            print("oxigraph is not installed (pip install oxigraph): skipped")
            continue
        print(f"running {name} …", flush=True)
        try:
            results[name] = run_server(name, starters[name], out, args)
        except Exception as e:  # noqa: BLE001
            print(f"{name} failed: {e}")
            results[name] = {"error": str(e)}
        print(json.dumps(results[name], indent=1), flush=True)
    # oxigraph first in the table: the reference
    ordered = {k: results[k] for k in ("oxigraph", "fupin", "rdflib") if k in results}
    md = table(ordered)
    (out / "results.json").write_text(json.dumps({"triples": work["triples"], "results": ordered}, indent=1))
    (out / "table.md").write_text(md + "\n")
    print(f"\n{work['triples']} triples\n")
    print(md)
    if "fupin" in args.servers.split(",") and not args.no_pages:
        print("\nentity pages (fupin) …", flush=True)
        report_pages(out, run_pages(out, work))


def report_pages(out: Path, pages: dict) -> None:
    md = pages_table(pages)
    (out / "pages.json").write_text(json.dumps(pages, indent=1, ensure_ascii=False))
    (out / "pages.md").write_text(md + "\n")
    print("\nEntity pages, server time from fupin's request log (each page once cold, then once warm):\n")
    print(pages_detail(pages))
    print()
    print(md)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        ap = argparse.ArgumentParser()
        ap.add_argument("cmd")
        ap.add_argument("url")
        ap.add_argument("work")
        ap.add_argument("--runs", type=int, default=7)
        ap.add_argument("--duration", type=float, default=8.0)
        ap.add_argument("--timeout", type=float, default=60.0)
        a = ap.parse_args()
        print(json.dumps(client(a.url, a.work, a.runs, a.duration, a.timeout)))
    else:
        main()
