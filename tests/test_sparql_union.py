"""The default graph is the RDF merge of all graphs: a triple that two named
graphs share counts once (SPARQL 1.1 §13.1), against a real ``fupin serve``.

pyoxigraph's own union default graph counts it once per graph
(oxigraph/oxigraph#1919); the loader stores the merge instead.
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

TRIG = """
@prefix ex: <http://example.org/> .
ex:g1 { ex:karuo ex:label "卡若区" ; ex:amount 10 . ex:only1 ex:amount 1 . }
ex:g2 { ex:karuo ex:label "卡若区" ; ex:amount 10 . }
"""


@pytest.fixture(scope="module")
def server(start_server, tmp_path_factory):
    f = tmp_path_factory.mktemp("union") / "shared.trig"
    f.write_text(TRIG, encoding="utf-8")
    return start_server("--data", str(f), "--cache-size", "0")


def select(server, q: str) -> list[dict]:
    url = server.url + "?" + urllib.parse.urlencode({"query": q})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["results"]["bindings"]


def test_shared_triple_counts_once_in_the_default_graph(server):
    rows = select(server, "SELECT (COUNT(*) AS ?n) (SUM(?a) AS ?total) "
                          "WHERE { ?s <http://example.org/amount> ?a }")
    assert rows[0]["n"]["value"] == "2" and rows[0]["total"]["value"] == "11"
    rows = select(server, 'SELECT ?l WHERE { <http://example.org/karuo> <http://example.org/label> ?l }')
    assert [r["l"]["value"] for r in rows] == ["卡若区"]


def test_named_graphs_keep_their_own_copies(server):
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                          "{ ?s <http://example.org/amount> ?a } }")
    assert rows[0]["n"]["value"] == "3"
    rows = select(server, "SELECT ?a FROM <http://example.org/g2> "
                          "WHERE { ?s <http://example.org/amount> ?a }")
    assert [r["a"]["value"] for r in rows] == ["10"]
