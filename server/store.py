"""The store facade: the only way views reach the graph.

One interface, two implementations:

- ``LocalStore``: an on-disk Oxigraph store (see ``loader``) queried by
  worker processes that each open it read-only (see ``worker``), so a query
  past its deadline is really stopped.
- ``RemoteStore``: any SPARQL 1.1 Protocol endpoint (``fupin serve
  --endpoint URL``).

Verbs: ``query`` (with dataset, timeout and result caps), ``describe`` (a
concise bounded description plus labels of linked IRIs), ``inbound``,
``labels``, ``search``, and ``build_id``. Both implementations check every
query before it runs (updates refused, SERVICE only to allow-listed
endpoints) and answer repeated queries from one bounded LRU cache keyed by
query, dataset, format, caps and build.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import pyoxigraph as ox

from fupin.config import ServeSettings
from fupin.graph import formats
from fupin.graph.formats import Format

from .analysis import Analysis, analyse
from .results import encode

log = logging.getLogger("fupin.server")

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MAX_CACHED_QUERY = 65536
"""Longer queries (in characters) are not cached."""
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
OA = "http://www.w3.org/ns/oa#"
PROVENANCE_TYPES = tuple(OA + c for c in (
    "Annotation", "SpecificResource", "TextQuoteSelector", "TextPositionSelector", "FragmentSelector",
    "CssSelector", "XPathSelector", "DataPositionSelector", "SvgSelector", "RangeSelector", "Selector"))
"""Web Annotation classes: provenance of the facts (reachable from the
entities they describe), never search results."""


def not_provenance(var: str = "?s") -> str:
    """A SPARQL filter dropping ``var`` when it is a Web Annotation, its
    target or one of its selectors (see ``PROVENANCE_TYPES``)."""
    values = " ".join(f"<{t}>" for t in PROVENANCE_TYPES)
    return f"FILTER NOT EXISTS {{ VALUES ?_prov_t {{ {values} }} {var} a ?_prov_t }}"


# ---------------------------------------------------------------- errors
class StoreError(Exception):
    """Base of the facade's errors; ``status`` is the HTTP status to answer."""

    status = 500


class QuerySyntaxError(StoreError):
    """The engine could not parse the query (message has line and column)."""

    status = 400


class UpdateRefused(StoreError):
    """An update sent to this read-only store."""

    status = 403

    def __init__(self, msg: str = "this endpoint is read-only: SPARQL updates are not allowed"):
        super().__init__(msg)


class ServiceRefused(StoreError):
    """A SERVICE clause whose endpoint is not allow-listed."""

    status = 400


class QueryTimeout(StoreError):
    """The query passed its deadline and was stopped."""

    status = 503


class Unavailable(StoreError):
    """The engine failed (a worker died, the remote endpoint is down)."""

    status = 503


# ---------------------------------------------------------------- values
@dataclass(frozen=True)
class Result:
    """A query answer, already serialised.

    ``form``: SELECT/ASK/CONSTRUCT/DESCRIBE (DESCRIBE reported as CONSTRUCT by
    the local engine); ``format``: the ``Format`` of ``body``; ``count``:
    rows or triples written (-1 for ASK); ``truncated``: the cap cut the
    result (``limit`` rows/triples kept); ``cached``: served from the cache.
    """

    form: str
    format: Format
    body: bytes
    count: int
    truncated: bool
    limit: int
    cached: bool = False

    def rows(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable name → pyoxigraph term (unbound
        variables absent)."""
        sols = ox.parse_query_results(self.body, format=self.format.to_oxigraph())
        names = [v.value for v in sols.variables]
        out = []
        for s in sols:
            out.append({n: s[n] for n in names if s[n] is not None})
        return out

    @property
    def boolean(self) -> bool:
        """The ASK answer."""
        return bool(ox.parse_query_results(self.body, format=self.format.to_oxigraph()))

    def triples(self) -> list[ox.Triple]:
        """The triples of a graph result."""
        out = []
        for q in ox.parse(self.body, format=self.format.to_oxigraph()):
            out.append(q.triple if isinstance(q, ox.Quad) else q)
        return out


@dataclass(frozen=True)
class Statement:
    """One outgoing (or, in ``Inbound``, incoming) arc."""

    predicate: str
    value: Any
    """pyoxigraph term: NamedNode, Literal or BlankNode (the object; the
    subject for inbound links)."""
    graphs: tuple[str, ...] = ()
    nested: tuple[tuple[str, Any], ...] = ()
    """(predicate, object) pairs of a blank-node object."""


@dataclass(frozen=True)
class Description:
    iri: str
    statements: list[Statement]
    labels: dict[str, dict[str, str]]
    """IRI (the subject, its predicates, linked IRIs) → language → label."""
    truncated: bool

    @property
    def exists(self) -> bool:
        return bool(self.statements)


@dataclass(frozen=True)
class Inbound:
    iri: str
    total: int
    links: list[Statement]
    """``value`` is the subject linking to ``iri``."""
    labels: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    language: str


# ---------------------------------------------------------------- helpers
def syntax_message(raw: str, limit: int = 300) -> str:
    """The engine's parse error as a readable message: ``error at 2:9:
    expected …`` → ``syntax error at line 2, column 9: expected …``, long
    lists of expected characters cut.

    >>> syntax_message("error at 2:9: expected one of LATERAL, SERVICE")
    'syntax error at line 2, column 9: expected one of LATERAL, SERVICE'
    """
    import re

    m = re.match(r"error at (\d+):(\d+): (.*)", raw, re.DOTALL)
    msg = f"syntax error at line {m.group(1)}, column {m.group(2)}: {m.group(3)}" if m else f"syntax error: {raw}"
    msg = " ".join(msg.split())
    cut = msg.find(", ['")
    if cut > 0:
        msg = msg[:cut] + ", …"
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


_BAD_IRI = set('<>"{}|^`\\ \t\n\r')


def _iri(iri: str) -> str:
    if not iri or any(c in _BAD_IRI for c in iri):
        raise ValueError(f"not an IRI usable in a query: {iri!r}")
    return f"<{iri}>"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class _LRU:
    """A thread-safe LRU of ``Result``s bounded by entries and bytes."""

    def __init__(self, size: int, max_bytes: int = 64 << 20, ttl: float | None = None):
        self.size, self.max_bytes, self.ttl = size, max_bytes, ttl
        self._d: OrderedDict[tuple, tuple[float, Result]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Result | None:
        if self.size <= 0:
            return None
        with self._lock:
            hit = self._d.get(key)
            if hit is None:
                return None
            if self.ttl is not None and time.monotonic() - hit[0] > self.ttl:
                self._drop(key)
                return None
            self._d.move_to_end(key)
            return hit[1]

    def put(self, key: tuple, value: Result) -> None:
        n = len(value.body)
        if self.size <= 0 or n > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._d:
                self._drop(key)
            self._d[key] = (time.monotonic(), value)
            self._bytes += n
            while len(self._d) > self.size or self._bytes > self.max_bytes:
                self._drop(next(iter(self._d)))

    def _drop(self, key: tuple) -> None:
        _, v = self._d.pop(key)
        self._bytes -= len(v.body)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._d)


# ---------------------------------------------------------------- facade
class GraphStore:
    """What every store offers. Subclasses implement ``_execute``."""

    build_id: str = ""
    description: str = ""
    """Human-readable: what is served (for logs and the service description)."""

    def __init__(self, settings: ServeSettings, cache_ttl: float | None = None):
        self.settings = settings
        self.cache = _LRU(settings.cache_size, ttl=cache_ttl)

    # -- the verbs ---------------------------------------------------
    def check(self, sparql: str) -> Analysis:
        """Analyse a query and refuse what must not run: updates
        (``UpdateRefused``) and SERVICE to endpoints off the allow-list
        (``ServiceRefused``). Returns the analysis."""
        a = analyse(sparql)
        if a.is_update:
            raise UpdateRefused()
        allowed = set(self.settings.service_allow)
        for s in a.services:
            if s is None:
                raise ServiceRefused("SERVICE with a variable endpoint is not allowed: this endpoint only "
                                     "calls allow-listed services (service_allow)")
            if s not in allowed:
                raise ServiceRefused(f"SERVICE <{s}> is not allowed: this endpoint makes no outbound calls "
                                     f"except to allow-listed services (service_allow)")
        return a

    def query(self, sparql: str, *, format: Format | str | None = None,
              default_graph_uris: Sequence[str] | None = None,
              named_graph_uris: Sequence[str] | None = None,
              timeout: float | None = None, limit: int | None = None,
              base_iri: str | None = None) -> Result:
        """Run a SPARQL query and return its serialised ``Result``.

        ``format``: a ``Format`` or short name/media type fitting the query
        form; ``None`` for the default (JSON results, Turtle graphs).
        ``default_graph_uris``/``named_graph_uris``: the protocol's dataset
        (``default-graph-uri``/``named-graph-uri``); when either is given
        they replace the query's FROM/FROM NAMED; otherwise the query's
        clauses hold; otherwise the default graph is the union of all graphs
        and every named graph is available. ``timeout`` (seconds) is capped
        by ``settings.timeout_max``, default ``settings.timeout``. ``limit``
        caps rows/triples (default ``settings.max_rows``/``max_triples``).
        ``base_iri`` resolves relative IRIs in the query (the protocol lets
        the service define it: the endpoint's URL); the remote store ignores it.

        Raises ``UpdateRefused``, ``ServiceRefused``, ``QuerySyntaxError``,
        ``QueryTimeout``, ``Unavailable``, ``ValueError`` (format).
        """
        a = self.check(sparql)
        fmt = self._format(format, a.form)
        t = self.settings.timeout if timeout is None else max(0.001, float(timeout))
        t = min(t, self.settings.timeout_max)
        rows = limit if limit is not None else self.settings.max_rows
        triples = limit if limit is not None else self.settings.max_triples
        dg = tuple(default_graph_uris) if default_graph_uris is not None else None
        ng = tuple(named_graph_uris) if named_graph_uris is not None else None
        if dg is not None and ng is None:
            ng = ()
        if ng is not None and dg is None:
            dg = ()
        key = (sparql, dg, ng, fmt.name if fmt else None, rows, triples, base_iri, self.build_id)
        if len(sparql) > MAX_CACHED_QUERY:
            key = None  # keys are kept too: never hold megabytes of query text
        hit = self.cache.get(key) if key else None
        if hit is not None:
            return Result(hit.form, hit.format, hit.body, hit.count, hit.truncated, hit.limit, cached=True)
        res = self._execute(sparql, a, fmt, dg, ng, t, rows, triples, base_iri)
        if key:
            self.cache.put(key, res)
        return res

    def _format(self, format: Format | str | None, form: str | None) -> Format | None:
        if format is None:
            return formats.for_query_form(form)[0] if form else None
        fits = formats.for_query_form(form) if form else formats.FORMATS
        fmt = format if isinstance(format, Format) else formats.by_name(format, fits)
        if fmt is None or fmt not in fits:
            raise ValueError(f"{getattr(format, 'label', format)} does not fit {formats.query_form_phrase(form)}; "
                             f"use one of {formats.names(fits)}")
        return fmt

    def _execute(self, sparql: str, a: Analysis, fmt: Format | None, dg, ng, timeout: float,
                 rows: int, triples: int, base_iri: str | None = None) -> Result:
        raise NotImplementedError

    def select(self, sparql: str, **kw) -> list[dict[str, Any]]:
        """Run a SELECT and return its rows (see ``Result.rows``)."""
        return self.query(sparql, format="json", **kw).rows()

    def labels(self, iris: Iterable[str], *, timeout: float | None = None) -> dict[str, dict[str, str]]:
        """``rdfs:label``/``skos:prefLabel`` of each IRI: IRI → language
        (``""`` for none) → label (the first one, in code-point order, so
        answers are stable). IRIs without labels are absent."""
        iris = [i for i in dict.fromkeys(iris) if i and not any(c in _BAD_IRI for c in i)]
        out: dict[str, dict[str, str]] = {}
        for k in range(0, len(iris), 200):
            values = " ".join(_iri(i) for i in iris[k:k + 200])
            q = (f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} "
                 f"?s <{RDFS_LABEL}>|<{SKOS_PREFLABEL}> ?l FILTER(isLiteral(?l)) }} ORDER BY ?s ?l")
            for r in self.select(q, timeout=timeout):
                lang = r["l"].language or ""
                out.setdefault(r["s"].value, {}).setdefault(lang, r["l"].value)
        return out

    def describe(self, iri: str, *, limit: int = 1000, timeout: float | None = None) -> Description:
        """The concise bounded description of ``iri``: its outgoing arcs in
        every graph (with the graphs stating them), one level of blank-node
        objects expanded, at most ``limit`` arcs, plus labels of the subject,
        its predicates and every linked IRI. Raises ``ValueError`` for a
        malformed IRI."""
        s = _iri(iri)
        arcs = f"{s} ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?bp ?bo }}"
        # named graphs, and the default graph (triples from --data files without a graph name)
        q = (f"SELECT ?p ?o ?g ?bp ?bo WHERE {{ {{ GRAPH ?g {{ {arcs} }} }} UNION {{ {arcs} }} }} "
             f"ORDER BY ?p ?o ?g ?bp ?bo")
        res = self.query(q, format="json", timeout=timeout, limit=limit * 8)
        merged: OrderedDict[tuple, dict] = OrderedDict()
        for r in res.rows():
            p, o = r["p"].value, r["o"]
            k = (p, str(o))
            e = merged.setdefault(k, {"p": p, "o": o, "g": [], "n": []})
            if "g" in r and r["g"].value not in e["g"]:
                e["g"].append(r["g"].value)
            if "bp" in r and (r["bp"].value, r["bo"]) not in e["n"]:
                e["n"].append((r["bp"].value, r["bo"]))
        items = list(merged.values())
        truncated = res.truncated or len(items) > limit
        stmts = [Statement(e["p"], e["o"], tuple(e["g"]), tuple(e["n"])) for e in items[:limit]]
        linked = [iri] + [st.predicate for st in stmts]
        for st in stmts:
            if isinstance(st.value, ox.NamedNode):
                linked.append(st.value.value)
            for bp, bo in st.nested:
                linked.append(bp)
                if isinstance(bo, ox.NamedNode):
                    linked.append(bo.value)
        return Description(iri, stmts, self.labels(linked, timeout=timeout), truncated)

    def inbound(self, iri: str, *, limit: int = 50, offset: int = 0,
                timeout: float | None = None) -> Inbound:
        """Arcs pointing at ``iri`` (distinct subject and predicate, any
        graph), ordered by predicate then subject, one page of ``limit`` from
        ``offset``, with the total count and labels of subjects and
        predicates."""
        o = _iri(iri)
        n = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {o} }} }}",
                        timeout=timeout, default_graph_uris=None)
        total = int(n[0]["n"].value) if n else 0
        rows = self.select(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {o} }} ORDER BY ?p ?s "
                           f"LIMIT {int(limit)} OFFSET {int(offset)}", timeout=timeout)
        links = [Statement(r["p"].value, r["s"]) for r in rows]
        linked = [st.predicate for st in links] + [st.value.value for st in links
                                                   if isinstance(st.value, ox.NamedNode)]
        return Inbound(iri, total, links, self.labels(linked, timeout=timeout))

    def search(self, text: str, *, limit: int = 20, timeout: float | None = None) -> list[Hit]:
        """Resources whose ``rdfs:label``/``skos:prefLabel`` contains ``text``
        (case-insensitive), shortest labels first: one ``Hit`` per IRI (its
        best-ranked label), at most ``limit``. Web Annotations and their
        targets and selectors are not results (see ``not_provenance``)."""
        text = text.strip()
        if not text:
            return []
        # DISTINCT: an endpoint whose default graph is the union of the named
        # graphs repeats a label stated in two graphs
        q = (f"SELECT DISTINCT ?s ?l WHERE {{ ?s <{RDFS_LABEL}>|<{SKOS_PREFLABEL}> ?l "
             f"FILTER(isIRI(?s) && isLiteral(?l) && CONTAINS(LCASE(STR(?l)), LCASE({_string(text)}))) "
             f"{not_provenance('?s')} }} "
             f"ORDER BY STRLEN(STR(?l)) ?l ?s LIMIT {int(limit) * 4}")
        seen: dict[str, Hit] = {}
        for r in self.select(q, timeout=timeout):
            s = r["s"].value
            if s not in seen:
                seen[s] = Hit(s, r["l"].value, r["l"].language or "")
            if len(seen) >= limit:
                break
        return list(seen.values())

    def close(self) -> None:
        """Stop workers and remove temporary files."""


class LocalStore(GraphStore):
    """The graph in an on-disk Oxigraph store, queried by worker processes.

    With ``store_dir`` and ``settings.watch`` > 0, a background thread checks
    the sources every ``watch`` seconds; when the build or a data file
    changes it loads a new database beside the old one, swaps in fresh
    workers, drops the cache (the build id changes) and retires the old
    workers once their queries can no longer be running.
    """

    def __init__(self, settings: ServeSettings, db_path: Path, build_id: str, *,
                 description: str = "", store_dir: Path | None = None, temporary: bool = False):
        super().__init__(settings)
        from .worker import WorkerPool

        self.db_path = Path(db_path)
        self.build_id = build_id
        self.description = description
        self.store_dir = store_dir
        self._temporary = temporary
        self.pool = WorkerPool(str(self.db_path), settings.workers)
        self._stop = threading.Event()
        self._watcher = None
        if store_dir is not None and settings.watch > 0:
            self._watcher = threading.Thread(target=self._watch, name="fupin-store-watch", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.watch):
            try:
                self.refresh()
            except Exception as e:  # noqa: BLE001 - keep serving the old graph
                log.error("could not reload the store: %s", e)

    def refresh(self) -> bool:
        """Reload if the sources changed; returns whether it did."""
        from . import loader
        from .worker import WorkerPool

        sources, build_id = _local_sources(self.settings, build_first=False)
        ident = loader.identity(sources, build_id)
        if ident == self.build_id:
            return False
        t0 = time.monotonic()
        db, _ = loader.load_store(self.store_dir, sources, ident)
        pool = WorkerPool(str(db), self.settings.workers)
        old_pool, old_db = self.pool, self.db_path
        self.pool, self.db_path, self.build_id = pool, db, ident
        self.description = _describe_sources(sources)
        self.cache.clear()
        log.info("reloaded store %s (%s) in %.2f s", db, self.description, time.monotonic() - t0)

        def retire() -> None:
            old_pool.close()
            shutil.rmtree(old_db, ignore_errors=True)

        t = threading.Timer(self.settings.timeout_max + 1, retire)
        t.daemon = True
        t.start()
        return True

    def _execute(self, sparql, a, fmt, dg, ng, timeout, rows, triples, base_iri=None) -> Result:
        from .worker import QueryTimeout as _Timeout, WorkerFailure

        job: dict[str, Any] = {"query": sparql, "format": fmt.name if fmt else None,
                               "limit_rows": rows, "limit_triples": triples, "base_iri": base_iri}
        if dg is not None:
            job["default_graph"] = list(dg)
            job["named_graphs"] = list(ng)
        # otherwise the query's own FROM/FROM NAMED, or the store's default
        # graph, which holds the merge of all graphs (see loader)
        try:
            reply = self.pool.run(job, timeout)
        except _Timeout as e:
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped "
                               f"(ask with a smaller query or a larger timeout, at most "
                               f"{self.settings.timeout_max:g} s)") from None
        except WorkerFailure as e:
            raise Unavailable(str(e)) from None
        kind = reply[0]
        if kind == "ok":
            _, body, count, truncated, form, fname = reply
            f = formats.by_name(fname, formats.for_query_form(form))
            return Result(a.form or form, f, body, count, truncated, rows if form == "SELECT" else triples)
        if kind == "syntax":
            raise QuerySyntaxError(syntax_message(reply[1]))
        raise Unavailable(f"query failed: {reply[1]}")

    def close(self) -> None:
        self._stop.set()
        self.pool.close()
        if self._temporary and self.store_dir is not None:
            shutil.rmtree(self.store_dir, ignore_errors=True)


class RemoteStore(GraphStore):
    """A SPARQL 1.1 Protocol endpoint behind the same verbs.

    Queries are POSTed (``application/x-www-form-urlencoded``, dataset as
    ``default-graph-uri``/``named-graph-uri``) asking for SPARQL JSON or
    N-Triples; the answer is parsed and re-written with the same caps and
    writers as the local store. The remote endpoint's own default-graph
    semantics apply. Cached answers expire after ``settings.cache_ttl``.
    """

    def __init__(self, settings: ServeSettings, endpoint: str):
        super().__init__(settings, cache_ttl=settings.cache_ttl)
        u = urllib.parse.urlsplit(endpoint)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise ValueError(f"--endpoint {endpoint!r}: not an http(s) URL")
        self.endpoint = endpoint
        self.build_id = "remote-" + hashlib.sha256(endpoint.encode()).hexdigest()[:16]
        self.description = f"SPARQL endpoint {endpoint}"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _execute(self, sparql, a, fmt, dg, ng, timeout, rows, triples, base_iri=None) -> Result:
        params: list[tuple[str, str]] = [("query", sparql)]
        params += [("default-graph-uri", g) for g in dg or ()]
        params += [("named-graph-uri", g) for g in ng or ()]
        graphish = a.form in ("CONSTRUCT", "DESCRIBE")
        accept = ("application/n-triples" if graphish else
                  "application/sparql-results+json" if a.form else
                  "application/sparql-results+json, application/n-triples;q=0.9")
        req = urllib.request.Request(
            self.endpoint, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
                     "User-Agent": "fupin"})
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                ctype = resp.headers.get("Content-Type", "")
                rfmt = formats.by_media_type(ctype)
                if rfmt is None:
                    raise Unavailable(f"the endpoint answered with an unexpected type {ctype!r}")
                if rfmt.kind == "results":
                    parsed = ox.parse_query_results(resp, format=rfmt.to_oxigraph())
                    form = "SELECT" if isinstance(parsed, ox.QuerySolutions) else "ASK"
                    triples_iter = None
                else:
                    form = "CONSTRUCT"
                    parsed = (q.triple if isinstance(q, ox.Quad) else q
                              for q in ox.parse(resp, format=rfmt.to_oxigraph()))
                out = fmt if fmt is not None else formats.for_query_form(form)[0]
                enc = encode(parsed, out, rows if form == "SELECT" else triples)
        except urllib.error.HTTPError as e:
            msg = e.read(4000).decode("utf-8", "replace").strip()
            if e.code == 400:
                raise QuerySyntaxError(msg or "the endpoint rejected the query") from None
            if e.code == 403:
                raise UpdateRefused(msg or "refused by the endpoint") from None
            raise Unavailable(f"the endpoint answered {e.code}: {msg[:500]}") from None
        except TimeoutError:
            raise QueryTimeout(f"the endpoint did not answer within {timeout:g} s") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise QueryTimeout(f"the endpoint did not answer within {timeout:g} s") from None
            raise Unavailable(f"cannot reach the endpoint: {e.reason}") from None
        except (SyntaxError, ValueError) as e:
            raise Unavailable(f"the endpoint's answer could not be read: {e}") from None
        return Result(a.form or form, out, enc.body, enc.count, enc.truncated,
                      rows if form == "SELECT" else triples)


# ---------------------------------------------------------------- opening
class BuildMissing(RuntimeError):
    """Nothing to serve: no build and no ``--data``."""


def _local_sources(settings: ServeSettings, *, build_first: bool):
    """(sources, build_id) for a local store. Raises ``BuildMissing``,
    ``loader.SourceError``."""
    from . import loader

    build_dir = settings.path(settings.build_dir)
    sources: list[loader.Source] = []
    build_id = None
    use_build = settings.include_build if settings.include_build is not None else not settings.data
    if use_build:
        nq = build_dir / "fupin.nq"
        if not nq.is_file() and build_first:
            _build_first(settings)
        if not nq.is_file():
            raise BuildMissing(f"no build at {nq}: run `fupin build`, or serve files with --data FILE")
        build_id = loader.read_build_id(build_dir)
        sources.append(loader.Source(nq.resolve(), None, formats.by_name("nq")))
    sources += [loader.Source.parse(spec, settings.root) for spec in settings.data]
    return sources, build_id


def open_store(settings: ServeSettings) -> GraphStore:
    """Open the store ``settings`` describe: the remote endpoint when
    ``settings.endpoint`` is set, else a local store over the build
    (``build_dir/fupin.nq``, built first when missing and
    ``fupin.graph.build.build`` exists) and/or ``settings.data`` files,
    watched for changes every ``settings.watch`` seconds.

    Raises ``BuildMissing``, ``loader.SourceError``, ``ValueError``.
    """
    import tempfile

    from . import loader

    if settings.endpoint:
        return RemoteStore(settings, settings.endpoint)
    sources, build_id = _local_sources(settings, build_first=True)
    ident = loader.identity(sources, build_id)
    persistent = settings.store is not None
    store_dir = settings.path(settings.store) if persistent else Path(tempfile.mkdtemp(prefix="fupin-store-"))
    t0 = time.monotonic()
    db, loaded = loader.load_store(store_dir, sources, ident)
    loader.prune(store_dir, keep=db)
    log.info("%s store %s (%s) in %.2f s", "loaded" if loaded else "reused", db,
             ", ".join(str(s.path) for s in sources), time.monotonic() - t0)
    return LocalStore(settings, db, ident, description=_describe_sources(sources),
                      store_dir=store_dir, temporary=not persistent)


def _describe_sources(sources) -> str:
    return ", ".join(s.path.name + (f" as <{s.graph}>" if s.graph else "") for s in sources)


def _build_first(settings: ServeSettings) -> None:
    try:
        from fupin.graph.build import build  # written by the builder; may not exist yet
    except ImportError:
        raise BuildMissing(
            f"no build at {settings.path(settings.build_dir) / 'fupin.nq'} and this fupin cannot build "
            "(fupin.graph.build is missing): run `fupin build`, or serve files with --data FILE") from None
    from fupin.config import load_build

    log.info("no build found: building first")
    try:
        build(load_build(root=settings.root, build_dir=settings.build_dir, base_iri=settings.base_iri))
    except Exception as e:  # noqa: BLE001 - the builder's own errors explain themselves
        raise BuildMissing(f"no build at {settings.path(settings.build_dir)}, and building failed: {e}") from None
