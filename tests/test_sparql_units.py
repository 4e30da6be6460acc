"""Pure parts of the SPARQL server: the formats table, query analysis, result
writers, the store's cache and sources (plus their docstring examples)."""
from __future__ import annotations

import csv
import doctest
import io
import json

import pyoxigraph as ox
import pytest

from fupin.graph import formats
from fupin.server import analysis, loader, results, store


@pytest.mark.parametrize("module", [formats, analysis, store], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def test_formats_table_is_consistent():
    names = [f.name for f in formats.FORMATS]
    assert len(set(names)) == len(names)
    for f in formats.FORMATS:
        assert formats.by_name(f.name) is f
        assert formats.by_media_type(f.media_type) is f
        assert formats.by_extension("x." + f.extension) is f
        f.to_oxigraph()  # every format maps to a pyoxigraph format
        assert f.w3c.startswith("http://www.w3.org/ns/formats/")
    for short in ("ttl", "nt", "rdfxml", "xml", "jsonld", "trig", "nq"):
        assert formats.by_name(short, formats.GRAPH) is not None
    for short in ("json", "xml", "csv", "tsv"):
        assert formats.by_name(short, formats.RESULTS) is not None
    assert formats.by_extension("fupin.rdf").rdflib == "xml"
    assert formats.by_extension("a.owl").name == "rdfxml"
    assert formats.by_extension("a.unknown") is None
    assert formats.by_name("text/turtle; charset=utf-8").name == "ttl"


@pytest.mark.parametrize("accept,candidates,expected", [
    (None, formats.RESULTS, "json"),
    ("", formats.GRAPH, "ttl"),
    ("*", formats.GRAPH, "ttl"),
    ("application/*", formats.RESULTS, "json"),
    ("text/*", formats.GRAPH, "ttl"),
    ("text/*;q=0.5, application/n-triples", formats.GRAPH, "nt"),
    ("application/json", formats.GRAPH, "jsonld"),
    ("application/xml", formats.GRAPH, "rdfxml"),
    ("application/xml", formats.RESULTS, "xml"),
    ("text/javascript", formats.RESULTS, "json"),
    ("text/*;q=0.8, application/sparql-results+json;q=0.1", formats.RESULTS, "csv"),
    ("text/csv;q=0, */*", formats.RESULTS, "json"),
    ("*/*;q=0.1, text/csv;q=0", formats.BOOLEAN, "json"),
    ("TEXT/CSV", formats.RESULTS, "csv"),
    ("image/png", formats.RESULTS, None),
    ("text/csv", formats.BOOLEAN, None),
    ("*/*;q=0", formats.GRAPH, None),
])
def test_negotiate(accept, candidates, expected):
    got = formats.negotiate(accept, candidates)
    assert (got.name if got else None) == expected


def test_content_type_charset():
    assert formats.by_name("csv").content_type == "text/csv; charset=utf-8"
    assert formats.by_name("xml").content_type == "application/sparql-results+xml; charset=utf-8"
    assert formats.by_name("json").content_type == "application/sparql-results+json"


@pytest.mark.parametrize("text,form,update", [
    ("SELECT * {}", "SELECT", False),
    ("# comment\nPREFIX a: <x> BASE <http://b/> ask {}", "ASK", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("describe <x>", "DESCRIBE", False),
    ("INSERT DATA { <a> <b> <c> }", None, True),
    ("PREFIX x: <y> DELETE WHERE { ?s ?p ?o }", None, True),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", None, True),
    ("LOAD <http://example.org/>", None, True),
    ("\\u0043LEAR ALL", None, True),
    ("garbage", None, False),
])
def test_analyse_form(text, form, update):
    a = analysis.analyse(text)
    assert (a.form, a.is_update) == (form, update)


def test_analyse_ignores_keywords_in_strings_iris_comments():
    a = analysis.analyse('SELECT * WHERE { ?s <http://x/SERVICE> "SERVICE <a> {}" ; ex:service ?o } '
                         "# SERVICE <b> {}\n")
    assert a.services == ()
    a = analysis.analyse("SELECT * WHERE { ?s ?p '''multi\nline SERVICE <x> {}''' }")
    assert a.services == ()


def test_analyse_resolves_from():
    a = analysis.analyse("BASE <http://b/x/> PREFIX g: <http://g/> SELECT * FROM <y> FROM g:one "
                         "FROM NAMED <http://n/> WHERE {}")
    assert a.from_graphs == ("http://b/x/y", "http://g/one")
    assert a.from_named == ("http://n/",)


def _sols(query: str):
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"),
                  ox.Literal('say "hi",\nthen\tgo', language="en")))
    s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/q"),
                  ox.Literal("1.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))))
    s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/r"), ox.BlankNode("b1")))
    return s.query(query)


Q = "SELECT ?p ?o ?none WHERE { <http://e/a> ?p ?o } ORDER BY ?p"


def test_results_json_round_trip():
    enc = results.encode(_sols(Q), formats.by_name("json"), 10)
    doc = json.loads(enc.body)
    assert doc["head"]["vars"] == ["p", "o", "none"]
    b = doc["results"]["bindings"]
    assert b[0]["o"] == {"type": "literal", "value": 'say "hi",\nthen\tgo', "xml:lang": "en"}
    assert b[1]["o"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert b[2]["o"]["type"] == "bnode"
    assert "none" not in b[0]
    parsed = ox.parse_query_results(enc.body, format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == 3


@pytest.mark.parametrize("name", ["xml", "tsv", "csv"])
def test_results_other_formats_parse(name):
    enc = results.encode(_sols(Q), formats.by_name(name), 10)
    if name == "csv":
        rows = list(csv.reader(io.StringIO(enc.body.decode(), newline="")))
        assert rows[0] == ["p", "o", "none"] and rows[1][1] == 'say "hi",\nthen\tgo'
        assert rows[3][1].startswith("_:")
        return
    parsed = list(ox.parse_query_results(enc.body, format=formats.by_name(name).to_oxigraph()))
    assert parsed[0]["o"] == ox.Literal('say "hi",\nthen\tgo', language="en")
    assert parsed[0]["none"] is None


def test_results_cap():
    enc = results.encode(_sols(Q), formats.by_name("json"), 2)
    assert enc.truncated and enc.count == 2
    enc = results.encode(_sols(Q), formats.by_name("json"), 3)
    assert not enc.truncated and enc.count == 3
    enc = results.encode(_sols("CONSTRUCT WHERE { ?s ?p ?o }"), formats.by_name("nt"), 1)
    assert enc.truncated and enc.body.count(b"\n") == 1
    with pytest.raises(ValueError):
        results.encode(_sols(Q), formats.by_name("ttl"), 1)


def test_lru_is_bounded():
    c = store._LRU(2)
    r = lambda b: store.Result("SELECT", formats.by_name("json"), b, 0, False, 1)  # noqa: E731
    c.put(("a",), r(b"1"))
    c.put(("b",), r(b"2"))
    c.get(("a",))
    c.put(("c",), r(b"3"))
    assert c.get(("b",)) is None and c.get(("a",)) and c.get(("c",))
    c2 = store._LRU(10, max_bytes=800)
    c2.put(("big",), r(b"x" * 200))  # over an eighth of the budget: not kept
    assert c2.get(("big",)) is None


def test_source_parse(tmp_path):
    (tmp_path / "a.ttl").write_text("<a> <b> <c> .")
    (tmp_path / "b.nq").write_text("")
    (tmp_path / "c.txt").write_text("")
    s = loader.Source.parse(f"{tmp_path / 'a.ttl'}=http://g/")
    assert s.graph == "http://g/" and s.format.name == "ttl"
    with pytest.raises(loader.SourceError, match="own graphs"):
        loader.Source.parse(f"{tmp_path / 'b.nq'}=http://g/")
    with pytest.raises(loader.SourceError, match="extension"):
        loader.Source.parse(str(tmp_path / "c.txt"))
    with pytest.raises(loader.SourceError, match="no such file"):
        loader.Source.parse(str(tmp_path / "none.ttl"))


def test_bad_rdf_is_a_source_error(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .")
    with pytest.raises(loader.SourceError, match="bad.ttl"):
        loader.load_store(tmp_path / "store", [loader.Source.parse(str(bad))], "x" * 64)
