"""Real clients against a real ``fupin serve``: SPARQLWrapper in every return
format (GET and POST) and rdflib's SPARQLStore (a Graph over the endpoint)."""
from __future__ import annotations

import csv
import io
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE,
                           URLENCODED, XML, SPARQLWrapper)

KARUO = "https://w3id.org/fupin/id/place/xizang/qamdo/karuo-qu"
SELECT = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l WHERE {{ <{KARUO}> rdfs:label ?l }} ORDER BY ?l"""
ASK = f"ASK {{ <{KARUO}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{KARUO}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{KARUO}>"
METHODS = [(GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)]
METHOD_IDS = ["get", "post-form", "post-direct"]


def wrapper(server, query, fmt, method, request_method):
    sw = SPARQLWrapper(server.url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    if request_method:
        sw.setRequestMethod(request_method)
    sw.setTimeout(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a wrong content type warns: make it fail
        # for RDF, SPARQLWrapper itself sends Accept */* (and warns); format=rdf decides
        warnings.filterwarnings("ignore", "Sending Accept header", RuntimeWarning)
        return sw.query().convert()


@pytest.mark.parametrize("method,request_method", METHODS, ids=METHOD_IDS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select(sparql_server, fmt, method, request_method):
    res = wrapper(sparql_server, SELECT, fmt, method, request_method)
    if fmt == JSON:
        labels = {b["l"]["value"] for b in res["results"]["bindings"]}
    elif fmt == XML:
        labels = {n.firstChild.data for n in res.getElementsByTagName("literal")}
    elif fmt == CSV:
        labels = {row["l"] for row in csv.DictReader(io.StringIO(res.decode("utf-8")))}
    else:
        lines = res.decode("utf-8").splitlines()
        assert lines[0] == "?l"
        labels = {Literal(l.split('"')[1]).value for l in lines[1:]}
    assert {"卡若区", "Karuo District"} <= labels


@pytest.mark.parametrize("method,request_method", METHODS, ids=METHOD_IDS)
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(sparql_server, fmt, method, request_method):
    res = wrapper(sparql_server, ASK, fmt, method, request_method)
    value = res["boolean"] if fmt == JSON else res.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


@pytest.mark.parametrize("method,request_method", METHODS, ids=METHOD_IDS)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, XML, RDF, RDFXML, JSONLD])
def test_graph(sparql_server, fmt, query, method, request_method):
    res = wrapper(sparql_server, query, fmt, method, request_method)
    if isinstance(res, Graph):
        g = res
    else:
        g = Graph().parse(data=res.decode("utf-8") if isinstance(res, bytes) else res, format="turtle")
    assert (URIRef(KARUO), RDFS.label, Literal("卡若区", lang="zh")) in g


def test_rdflib_sparqlstore(sparql_server):
    g = Graph("SPARQLStore")
    g.open(sparql_server.url)
    labels = set(g.objects(URIRef(KARUO), RDFS.label))
    assert Literal("Karuo District", lang="en") in labels
    rows = list(g.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ <{KARUO}> ?p ?o }} GROUP BY ?p"))
    assert len(rows) >= 3
    assert g.query(ASK).askAnswer is True
    cg = g.query(CONSTRUCT).graph
    assert (URIRef(KARUO), RDFS.label, Literal("卡若区", lang="zh")) in cg
    assert len(list(g.triples((URIRef(KARUO), None, None)))) >= 5
