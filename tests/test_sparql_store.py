"""The store facade's verbs, local (worker processes over an on-disk store)
and remote (a SPARQL 1.1 endpoint: a real ``oxigraph serve-read-only``
holding the Karuo build), and ``fupin serve`` over the build, a persistent
``--store`` and ``--endpoint``."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from fupin.config import load_serve
from fupin.server.store import (QuerySyntaxError, RemoteStore, ServiceRefused, UpdateRefused,
                                open_store)

FP = "https://w3id.org/fupin/"
KARUO = FP + "id/place/xizang/qamdo/karuo-qu"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def build_dir(karuo_build) -> Path:
    return karuo_build[1]


@pytest.fixture(scope="module")
def local(build_dir):
    store = open_store(load_serve(build_dir=build_dir, workers=2))
    yield store
    store.close()


@pytest.fixture(scope="module")
def oxigraph_endpoint(build_dir, tmp_path_factory):
    """``oxigraph serve-read-only`` over the Karuo build (union default graph)."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        pytest.skip("the oxigraph command (PyPI oxigraph) is not installed")
    loc = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([exe, "load", "--location", str(loc), "--file", str(build_dir / "fupin.nq")],
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(loc), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph serve-read-only did not start")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def remote(oxigraph_endpoint):
    store = RemoteStore(load_serve(), oxigraph_endpoint)
    yield store
    store.close()


@pytest.fixture(params=["local", "remote"])
def store(request):
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------- verbs, both stores
def test_build_id(local, build_dir):
    assert local.build_id == json.loads((build_dir / "BUILD").read_text())["build_id"]


def test_query_select(store):
    res = store.query(f"SELECT ?l WHERE {{ <{KARUO}> <{RDFS_LABEL}> ?l }}")
    assert res.form == "SELECT" and res.format.name == "json"
    labels = {r["l"].value: r["l"].language for r in res.rows()}
    assert labels["卡若区"] == "zh"


def test_query_formats_and_caps(store):
    res = store.query("CONSTRUCT WHERE { ?s ?p ?o }", format="nt", limit=7)
    assert res.truncated and res.count == 7 and len(res.triples()) == 7
    res = store.query("SELECT * WHERE { ?s ?p ?o }", format="csv", limit=3)
    assert res.truncated and res.body.decode().count("\r\n") == 4
    assert store.query("ASK { ?s ?p ?o }", format="xml").boolean is True


def test_query_refusals(store):
    with pytest.raises(UpdateRefused):
        store.query("DROP ALL")
    with pytest.raises(ServiceRefused):
        store.query("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT * WHERE { ?s ?p }")


def test_dataset_parameters(store):
    g = FP + "graph/ontology"
    res = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph_uris=[g])
    n_onto = int(res.rows()[0]["n"].value)
    res = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    n_all = int(res.rows()[0]["n"].value)
    assert 0 < n_onto < n_all


def test_describe(store):
    d = store.describe(KARUO)
    assert d.exists and not d.truncated
    preds = {s.predicate for s in d.statements}
    assert RDFS_LABEL in preds
    assert d.labels[KARUO]["zh"] == "卡若区"
    linked = [s.value.value for s in d.statements if isinstance(s.value, ox.NamedNode)]
    assert any(i in d.labels for i in linked)
    assert all(s.graphs for s in d.statements)
    assert not store.describe(FP + "id/place/nowhere").exists


def test_inbound(store):
    page = store.inbound(KARUO, limit=5)
    assert page.total > 5 and len(page.links) == 5
    page2 = store.inbound(KARUO, limit=5, offset=5)
    assert {(l.predicate, l.value.value) for l in page.links}.isdisjoint(
        {(l.predicate, l.value.value) for l in page2.links})


def test_labels_and_search(store):
    labels = store.labels([KARUO, FP + "id/place/xizang/qamdo", "http://example.org/none"])
    assert labels[KARUO]["en"]
    assert "http://example.org/none" not in labels
    hits = store.search("卡若")
    assert hits and hits[0].iri.startswith(FP)
    assert any(h.iri == KARUO for h in hits)
    assert store.search('"; DROP ALL; #') == []


def test_search_one_hit_per_iri_and_no_annotations(store):
    """Annotations (their labels quote the report) and their targets and
    selectors are provenance, not search results; each IRI is hit once."""
    for text, limit in (("明珠", 20), ("明珠", 3), ("卡若", 50)):
        hits = store.search(text, limit=limit)
        iris = [h.iri for h in hits]
        assert hits and len(iris) == len(set(iris)) and len(hits) <= limit, (text, iris)
        assert not [i for i in iris if "/id/annotation/" in i], (text, iris)
    assert len(store.search("明珠", limit=3)) == 3


def test_local_and_remote_agree(local, remote):
    q = ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } } "
         "ORDER BY ?s ?p ?o LIMIT 200")
    assert local.query(q, format="tsv").body == remote.query(q, format="tsv").body
    assert local.describe(KARUO) == remote.describe(KARUO)


def test_cache(local):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # facade cache"
    a = local.query(q)
    b = local.query(q)
    assert not a.cached and b.cached and a.body == b.body
    c = local.query(q, format="xml")
    assert not c.cached


# ---------------------------------------------------------------- fupin serve
def _get(url, query, accept="application/sparql-results+json"):
    req = urllib.request.Request(url + "?" + urlencode({"query": query}, quote_via=quote),
                                 headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def test_serve_the_build_with_a_persistent_store(start_server, build_dir, tmp_path):
    store_dir = tmp_path / "store"
    s1 = start_server("--build-dir", str(build_dir), "--store", str(store_dir))
    status, body = _get(s1.url, f"ASK {{ <{KARUO}> ?p ?o }}")
    assert json.loads(body)["boolean"] is True
    s1.stop()
    assert "loaded store" in s1.log_text()
    t0 = time.monotonic()
    s2 = start_server("--build-dir", str(build_dir), "--store", str(store_dir))
    assert time.monotonic() - t0 < 10
    assert "reused store" in s2.log_text()
    status, body = _get(s2.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 1000
    s2.stop()
    # a changed source is reloaded
    extra = tmp_path / "extra.ttl"
    extra.write_text(f"<{KARUO}> <http://example.org/p> 1 .\n")
    s3 = start_server("--build-dir", str(build_dir), "--build", "--data", f"{extra}={FP}graph/extra",
                      "--store", str(store_dir))
    assert "loaded store" in s3.log_text()
    status, body = _get(s3.url, f"ASK {{ GRAPH <{FP}graph/extra> {{ <{KARUO}> ?p 1 }} }}")
    assert json.loads(body)["boolean"] is True


def test_serve_refuses_a_missing_build_clearly(tmp_path):
    from conftest import fupin_command
    r = subprocess.run([*fupin_command(), "serve", "--port", "0", "--build-dir", str(tmp_path / "none"),
                        "--no-build", "--data", str(tmp_path / "missing.ttl")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "missing.ttl" in r.stderr and "Traceback" not in r.stderr


def test_serve_endpoint(start_server, oxigraph_endpoint):
    s = start_server("--endpoint", oxigraph_endpoint)
    status, body = _get(s.url, f"SELECT ?l WHERE {{ <{KARUO}> <{RDFS_LABEL}> ?l FILTER(lang(?l) = 'zh') }}")
    assert [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["卡若区"]
    status, body = _get(s.url, f"DESCRIBE <{KARUO}>", accept="text/turtle")
    assert "卡若区" in body.decode()
    from SPARQLWrapper import JSON, SPARQLWrapper
    sw = SPARQLWrapper(s.url)
    sw.setQuery(f"ASK {{ <{KARUO}> ?p ?o }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    with pytest.raises(urllib.error.HTTPError) as e:
        _get(s.url, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert e.value.code == 400


def test_serve_reloads_a_changed_source(start_server, tmp_path):
    data = tmp_path / "live.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    s = start_server("--data", str(data), "--watch", "0.3")
    q = "SELECT (SUM(?v) AS ?n) WHERE { ?s <http://example.org/p> ?v }"
    assert json.loads(_get(s.url, q)[1])["results"]["bindings"][0]["n"]["value"] == "1"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n"
                    "<http://example.org/b> <http://example.org/p> 41 .\n")
    for _ in range(50):
        time.sleep(0.2)
        if "reloaded store" in s.log_text():
            break
    assert "reloaded store" in s.log_text()
    # the same query is answered from the new graph, not from the cache
    assert json.loads(_get(s.url, q)[1])["results"]["bindings"][0]["n"]["value"] == "42"


def test_serve_builds_first_when_the_build_is_missing(start_server, tmp_path):
    s = start_server("--build-dir", str(tmp_path / "fresh-build"))
    assert (tmp_path / "fresh-build" / "fupin.nq").is_file()
    status, body = _get(s.url, f"ASK {{ <{KARUO}> ?p ?o }}")
    assert json.loads(body)["boolean"] is True
