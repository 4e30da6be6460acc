"""The W3C SPARQL 1.1 Protocol tests (tests/w3c/manifest.ttl, see SOURCE.md),
run against a real ``fupin serve`` holding their data.

Every query test and every negative test must pass; the update tests (not
``bad_update_*``) do not apply to a read-only endpoint and are skipped.
"""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF

from conftest import W3C_DIR

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
             "application/ld+json": "json-ld"}


def _load():
    g = Graph().parse(W3C_DIR / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[1]
        action = g.value(entry, MF.action)
        reqs = []
        for r in Collection(g, g.value(action, HT.requests)):
            headers = {}
            hl = g.value(r, HT.headers)
            if hl is not None:
                for h in Collection(g, hl):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = g.value(r, HT.body)
            resp = g.value(r, HT.resp)
            reqs.append({
                "method": str(g.value(r, HT.methodName)),
                "path": str(g.value(r, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else (str(g.value(body, CNT.chars)),
                                                   str(g.value(body, CNT.characterEncoding))),
                "status": {str(s).rsplit("#StatusCode", 1)[1] for s in g.objects(resp, MF.expectedStatus)},
                "format": None if g.value(resp, MF.expectedFormat) is None else str(g.value(resp, MF.expectedFormat)),
                "boolean": None if g.value(resp, MF.expectedBoolean) is None
                else g.value(resp, MF.expectedBoolean).toPython(),
            })
        tests.append((name, reqs))
    return tests


TESTS = _load()


def test_manifest_is_complete():
    assert len(TESTS) == 34
    assert sum(1 for n, _ in TESTS if n.startswith("update_")) == 7


@pytest.mark.parametrize("name,requests", TESTS, ids=[n for n, _ in TESTS])
def test_w3c_protocol(sparql_server, name, requests):
    if name.startswith("update_"):
        pytest.skip("update tests do not apply to a read-only endpoint")
    u = urlsplit(sparql_server.url)
    for req in requests:
        path = req["path"].replace("/sparql/", u.path, 1)
        body = None
        if req["body"] is not None:
            chars, enc = req["body"]
            body = chars.encode(enc)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request(req["method"], path, body=body, headers=req["headers"])
        r = conn.getresponse()
        data = r.read()
        conn.close()
        assert f"{r.status // 100}xx" in req["status"], (r.status, data[:300])
        ctype = (r.getheader("Content-Type") or "").split(";")[0].strip()
        if req["format"] in ("boolean", "tabular"):
            assert ctype in RESULT_TYPES
        if req["format"] == "RDF":
            assert ctype in RDF_TYPES
            Graph().parse(data=data, format=RDF_TYPES[ctype])
        if req["boolean"] is not None:
            assert ctype == "application/sparql-results+json"
            assert json.loads(data)["boolean"] is req["boolean"]
