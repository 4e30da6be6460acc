"""The SPARQL 1.1 Protocol at /sparql, case by case, over raw http.client
against a real ``fupin serve`` (see ``conftest.sparql_server``)."""
from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

import pytest

from conftest import KASEI

FP = "https://w3id.org/fupin/"
KARUO = FP + "id/place/xizang/qamdo/karuo-qu"
ASK_ALL = "ASK { ?s ?p ?o }"
SELECT_LABELS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l"


def request(server, method: str, path: str = "", body: bytes | str | None = None,
            headers: dict | None = None):
    """One request; returns (status, headers (lower-cased names), body bytes)."""
    u = urlsplit(server.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn.request(method, u.path + path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, data


def get(server, params, headers=None):
    qs = urlencode(params, doseq=True, quote_via=quote) if not isinstance(params, str) else params
    return request(server, "GET", "?" + qs, headers=headers)


def post_form(server, params, headers=None, url_params=None):
    path = "?" + urlencode(url_params, doseq=True) if url_params else ""
    return request(server, "POST", path, urlencode(params, doseq=True),
                   {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def post_direct(server, query, headers=None, url_params=None, ctype="application/sparql-query"):
    path = "?" + urlencode(url_params, doseq=True) if url_params else ""
    return request(server, "POST", path, query, {"Content-Type": ctype, **(headers or {})})


# ---------------------------------------------------------------- the three ways to ask
def test_get(sparql_server):
    status, h, body = get(sparql_server, {"query": ASK_ALL})
    assert status == 200
    assert h["content-type"].startswith("application/sparql-results+json")
    assert json.loads(body) == {"head": {}, "boolean": True}
    assert h["vary"] == "Accept"


def test_post_form_merges_url_and_body(sparql_server):
    q = f"ASK {{ <{KASEI}data1.rdf> ?p ?o }}"
    status, _, body = post_form(sparql_server, {"query": q}, url_params={"default-graph-uri": KASEI + "data1.rdf"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = post_form(sparql_server, {"query": q}, url_params={"default-graph-uri": KASEI + "data2.rdf"})
    assert status == 200 and json.loads(body)["boolean"] is False


def test_post_direct(sparql_server):
    status, h, body = post_direct(sparql_server, SELECT_LABELS)
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert any(r["l"].get("xml:lang") == "zh" and r["l"]["value"] == "卡若区" for r in rows)


def test_post_direct_charset_utf8_is_fine(sparql_server):
    status, _, _ = post_direct(sparql_server, ASK_ALL, ctype="application/sparql-query; charset=UTF-8")
    assert status == 200


def test_unicode_query_by_get(sparql_server):
    q = 'ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> "贡西村"@zh }'
    status, _, body = get(sparql_server, {"query": q})
    assert status == 200 and json.loads(body)["boolean"] is True


# ---------------------------------------------------------------- content negotiation
@pytest.mark.parametrize("accept,expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("text/*;q=0.8, application/sparql-results+json;q=0.1", "text/csv"),
    ("text/*, text/csv;q=0", "text/tab-separated-values"),
    # YASGUI's SELECT header, then SPARQLWrapper's JSON and XML headers
    ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "application/sparql-results+json"),
    ("application/sparql-results+xml,application/rdf+xml,*/*", "application/sparql-results+xml"),
    # rdflib's SPARQLStore
    ("application/sparql-results+xml, application/rdf+xml", "application/sparql-results+xml"),
])
def test_negotiate_select(sparql_server, accept, expected):
    status, h, body = get(sparql_server, {"query": SELECT_LABELS}, {"Accept": accept} if accept else {})
    assert status == 200, body
    assert h["content-type"].split(";")[0] == expected
    if expected.startswith("text/"):
        assert "charset=utf-8" in h["content-type"]


@pytest.mark.parametrize("accept,expected", [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/trig", "application/trig"),
    ("application/n-quads", "application/n-quads"),
    ("application/json", "application/ld+json"),
    ("text/plain", "application/n-triples"),
    ("application/sparql-results+json,*/*;q=0.9", "text/turtle"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ("application/turtle,text/turtle", "text/turtle"),
])
def test_negotiate_construct(sparql_server, accept, expected):
    q = f"CONSTRUCT WHERE {{ <{KARUO}> ?p ?o }}"
    status, h, body = get(sparql_server, {"query": q}, {"Accept": accept} if accept else {})
    assert status == 200, body
    assert h["content-type"].split(";")[0] == expected
    assert "卡若区".encode() in body or b"\\u5361" in body


def test_ask_offers_no_csv(sparql_server):
    status, _, body = get(sparql_server, {"query": ASK_ALL}, {"Accept": "text/csv"})
    assert status == 406
    assert b"json" in body


@pytest.mark.parametrize("accept", ["image/png", "text/turtle", "*/*;q=0", "application/json;q=0"])
def test_406_when_nothing_fits(sparql_server, accept):
    status, h, body = get(sparql_server, {"query": SELECT_LABELS}, {"Accept": accept})
    assert status == 406
    assert h["content-type"].startswith("text/plain")
    assert h["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("params,query,expected", [
    ({"format": "json"}, "select", "application/sparql-results+json"),
    ({"format": "xml"}, "select", "application/sparql-results+xml"),
    ({"format": "csv"}, "select", "text/csv"),
    ({"format": ["tsv", "text/tab-separated-values"]}, "select", "text/tab-separated-values"),
    ({"output": "xml"}, "select", "application/sparql-results+xml"),
    ({"results": "csv"}, "select", "text/csv"),
    ({"format": "text/csv"}, "select", "text/csv"),
    ({"format": "xml"}, "construct", "application/rdf+xml"),
    ({"format": "json"}, "construct", "application/ld+json"),
    ({"format": "turtle"}, "construct", "text/turtle"),
    ({"format": "n3"}, "construct", "text/turtle"),
    ({"format": ["rdf+xml", "application/rdf+xml"]}, "construct", "application/rdf+xml"),
    ({"format": "nt"}, "construct", "application/n-triples"),
    ({"format": "json-ld"}, "construct", "application/ld+json"),
    ({"format": "trig"}, "construct", "application/trig"),
    ({"format": "nq"}, "construct", "application/n-quads"),
])
def test_format_override(sparql_server, params, query, expected):
    q = SELECT_LABELS if query == "select" else f"CONSTRUCT WHERE {{ <{KARUO}> ?p ?o }}"
    status, h, _ = get(sparql_server, {"query": q, **params}, {"Accept": "application/sparql-results+json"})
    assert status == 200
    assert h["content-type"].split(";")[0] == expected


def test_format_override_that_does_not_fit(sparql_server):
    status, _, body = get(sparql_server, {"query": f"DESCRIBE <{KARUO}>", "format": "csv"})
    assert status == 406
    assert b"ttl" in body


def test_unknown_parameters_are_ignored(sparql_server):
    status, _, _ = get(sparql_server, {"query": ASK_ALL, "foo": "bar", "callback": "x"})
    assert status == 200


def test_result_formats_are_correct(sparql_server):
    q = f'SELECT ?l WHERE {{ <{KARUO}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} ORDER BY ?l'
    _, _, csv = get(sparql_server, {"query": q, "format": "csv"})
    assert csv.decode().split("\r\n")[0] == "l"
    assert "卡若区" in csv.decode()
    _, _, tsv = get(sparql_server, {"query": q, "format": "tsv"})
    lines = tsv.decode().splitlines()
    assert lines[0] == "?l" and '"卡若区"@zh' in lines
    _, _, srx = get(sparql_server, {"query": q, "format": "xml"})
    assert b'<literal xml:lang="zh">' in srx
    import xml.dom.minidom
    xml.dom.minidom.parseString(srx)


def test_browser_gets_the_ui(sparql_server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    status, h, body = request(sparql_server, "GET", "", headers={"Accept": accept})
    assert status == 200 and h["content-type"].startswith("text/html")
    assert b"yasgui.min.js" in body
    # a link with a query opens the UI, with the query in it
    status, h, body = get(sparql_server, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": accept})
    assert status == 200 and h["content-type"].startswith("text/html")
    assert b"LIMIT 3" in body
    # the same link for a client gets results
    status, h, _ = get(sparql_server, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": "*/*"})
    assert h["content-type"].startswith("application/sparql-results+json")


# ---------------------------------------------------------------- service description
def test_service_description(sparql_server):
    status, h, body = request(sparql_server, "GET", "", headers={"Accept": "text/turtle"})
    assert status == 200 and h["content-type"].startswith("text/turtle")
    from rdflib import Graph, URIRef
    from rdflib.namespace import Namespace
    SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
    g = Graph().parse(data=body, format="turtle")
    me = URIRef(sparql_server.url)
    assert (me, SD.endpoint, me) in g
    assert (me, SD.feature, SD.UnionDefaultGraph) in g
    assert (me, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    names = set(g.objects(None, SD.name))
    assert URIRef(FP + "graph/report/karuo-2021-04-06") in names
    assert URIRef(KASEI + "data1.rdf") in names


def test_service_description_behind_a_proxy(sparql_server):
    status, _, body = request(sparql_server, "GET", "", headers={
        "Accept": "application/n-triples", "X-Forwarded-Host": "data.example.org",
        "X-Forwarded-Proto": "https"})
    assert status == 200
    assert (b"<https://data.example.org/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint> "
            b"<https://data.example.org/sparql>") in body


def test_service_description_in_jsonld(sparql_server):
    status, h, body = request(sparql_server, "GET", "", headers={"Accept": "application/ld+json"})
    assert status == 200
    json.loads(body)


# ---------------------------------------------------------------- errors
def test_syntax_error_has_line_and_column(sparql_server):
    status, h, body = get(sparql_server, {"query": "SELECT * WHERE {\n  ?s ?p }"})
    assert status == 400
    assert h["content-type"].startswith("text/plain")
    text = body.decode()
    assert "line 2, column" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("query,line,column,shown", [
    ("SELEC", 1, 6, "SELEC"),
    ("SELECT * WHERE {\n  ?s ?p }", 2, 10, "  ?s ?p }"),
    ("PREFIX x: <y>\r\nSELECT * WHERE {\r\n\t?s ?p \"贡西村\" . ?s ?p }", 3, 23, "\t?s ?p \"贡西村\" . ?s ?p }"),
])
def test_syntax_error_points_at_the_column(sparql_server, query, line, column, shown):
    status, h, body = get(sparql_server, {"query": query})
    assert status == 400 and h["content-type"].startswith("text/plain")
    first, excerpt, caret = body.decode().rstrip("\n").split("\n")
    # the engine's message, line and column kept; the line quoted, a caret beneath
    assert first.startswith(f"syntax error at line {line}, column {column}: expected")
    assert excerpt == "  " + shown
    assert caret.strip(" \t") == "^"
    # the caret stands under code point column-1 (tabs kept, CJK counted twice)
    width = lambda s: sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in s)  # noqa: E731
    assert caret[:-1].replace("\t", " ") == " " * (2 + width(shown[:column - 1]))
    assert "\t" not in shown or caret.startswith("  \t")
    # the same by POST
    status, _, body2 = post_direct(sparql_server, query)
    assert status == 400 and body2 == body


def test_point_at_leaves_messages_without_a_position_alone():
    from fupin.server import sparql

    assert sparql.point_at("the endpoint rejected the query", "SELEC") == "the endpoint rejected the query"
    assert sparql.point_at("syntax error at line 9, column 1: x", "SELEC") == "syntax error at line 9, column 1: x"
    long = "SELECT * WHERE { " + "?s ?p ?o . " * 40 + "?s ?p }"
    _, excerpt, caret = sparql.point_at("syntax error at line 1, column 400: x", long).split("\n")
    assert len(excerpt) < 100 and excerpt.startswith("  …") and excerpt[len(caret) - 1] == long[399]
    import doctest

    assert doctest.testmod(sparql).failed == 0


@pytest.mark.parametrize("params,accept,form", [
    ({"query": ASK_ALL}, "text/csv", "an ASK query"),
    ({"query": ASK_ALL, "format": "csv"}, None, "an ASK query"),
    ({"query": SELECT_LABELS}, "text/turtle", "a SELECT query"),
    ({"query": f"DESCRIBE <{KARUO}>", "format": "csv"}, None, "a DESCRIBE query"),
    ({"query": f"CONSTRUCT WHERE {{ <{KARUO}> ?p ?o }}"}, "text/csv", "a CONSTRUCT query"),
])
def test_406_names_the_query_form_with_its_article(sparql_server, params, accept, form):
    status, _, body = get(sparql_server, params, {"Accept": accept} if accept else {})
    assert status == 406
    assert f"fit {form};" in body.decode() or f"fits {form};" in body.decode()
    assert " a ASK" not in body.decode()


@pytest.mark.parametrize("value", ["1e400", "inf", "-inf", "Infinity", "nan", "NaN", "-1", "0", "0.0", "1e-400",
                                   "soon", "1_000", "0x10", " "])
def test_timeout_must_be_a_positive_finite_number(sparql_server, value):
    status, h, body = get(sparql_server, {"query": ASK_ALL, "timeout": value})
    if not value.strip():
        assert status == 200  # empty: the default timeout
        return
    text = body.decode()
    assert status == 400 and h["content-type"].startswith("text/plain"), (value, text)
    assert f"timeout={value!r}" in text and "positive number of seconds" in text
    assert "10 s" in text and "capped" in text  # the configured maximum (conftest: --timeout-max 10)


@pytest.mark.parametrize("value", ["2", "2.5", " 3 ", "1e1", ".5", "1000"])
def test_usable_timeouts_are_accepted(sparql_server, value):
    status, _, body = get(sparql_server, {"query": ASK_ALL, "timeout": value})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_two_queries(sparql_server):
    status, _, _ = get(sparql_server, "query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400
    status, _, _ = post_direct(sparql_server, "ASK {}", url_params={"query": "ASK {}"})
    assert status == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods(sparql_server, method):
    status, h, body = request(sparql_server, method, "?query=ASK%7B%7D")
    assert status == 405
    assert "GET" in h["allow"] and "POST" in h["allow"]
    assert h["access-control-allow-origin"] == "*"


def test_wrong_content_type(sparql_server):
    status, _, _ = request(sparql_server, "POST", "", "ASK {}", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = request(sparql_server, "POST", "", "query=ASK%7B%7D", {"Content-Type": "application/json"})
    assert status == 415


def test_missing_content_type(sparql_server):
    status, _, _ = request(sparql_server, "POST", "", "query=ASK%7B%7D")
    assert status == 400


def test_post_without_query(sparql_server):
    status, _, _ = post_form(sparql_server, {"format": "json"})
    assert status == 400


def test_non_utf8(sparql_server):
    status, _, _ = post_direct(sparql_server, "ASK {}".encode("utf-16"),
                               ctype="application/sparql-query; charset=UTF-16")
    assert status == 415
    status, _, _ = post_direct(sparql_server, 'ASK { ?s ?p "caf\xe9" }'.encode("latin-1"))
    assert status == 400
    status, _, _ = request(sparql_server, "POST", "", b"query=ASK%7B%22%E9%22%7D",
                           {"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"})
    assert status == 415
    status, _, _ = request(sparql_server, "POST", "", b"query=ASK%7B%22%E9%22%7D",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400
    status, _, _ = get(sparql_server, "query=ASK%7B%22%E9%22%7D")
    assert status == 400


@pytest.mark.parametrize("how", ["form", "direct", "query-param"])
def test_updates_are_forbidden(sparql_server, how):
    upd = f"INSERT DATA {{ <{KARUO}> <http://example.org/p> 1 }}"
    if how == "form":
        status, _, body = post_form(sparql_server, {"update": upd})
    elif how == "direct":
        status, _, body = post_direct(sparql_server, upd, ctype="application/sparql-update")
    else:
        status, _, body = post_form(sparql_server, {"query": upd})
    assert status == 403
    assert b"read-only" in body
    _, _, body = get(sparql_server, {"query": f"ASK {{ <{KARUO}> <http://example.org/p> 1 }}"})
    assert json.loads(body)["boolean"] is False


def test_update_by_get(sparql_server):
    status, _, _ = get(sparql_server, {"update": "CLEAR ALL"})
    assert status == 400
    status, _, _ = get(sparql_server, {"query": "CLEAR ALL"})
    assert status == 400


def test_body_too_large(sparql_server):
    big = "ASK { " + "?s ?p ?o . " * 3000 + "}"
    status, h, body = post_direct(sparql_server, big)
    assert status == 413
    assert h["access-control-allow-origin"] == "*"
    assert b"Traceback" not in body


def test_bad_timeout_parameter(sparql_server):
    status, _, _ = get(sparql_server, {"query": ASK_ALL, "timeout": "soon"})
    assert status == 400


# ---------------------------------------------------------------- dataset
def test_default_graph_is_the_union(sparql_server):
    q = (f"ASK {{ <{KASEI}data1.rdf> a ?t . <{KASEI}data3.rdf> a ?t . "
         f"<{KARUO}> ?p ?o }}")
    _, _, body = get(sparql_server, {"query": q})
    assert json.loads(body)["boolean"] is True


def test_from_is_honoured(sparql_server):
    q = f"SELECT ?s FROM <{KASEI}data2.rdf> WHERE {{ ?s a ?t }}"
    _, _, body = get(sparql_server, {"query": q})
    rows = json.loads(body)["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [KASEI + "data2.rdf"]
    q = f"SELECT ?g ?s FROM NAMED <{KASEI}data3.rdf> WHERE {{ GRAPH ?g {{ ?s a ?t }} }}"
    _, _, body = get(sparql_server, {"query": q})
    rows = json.loads(body)["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [KASEI + "data3.rdf"]


def test_protocol_dataset_overrides_from(sparql_server):
    q = f"SELECT ?s FROM <{KASEI}data2.rdf> WHERE {{ ?s a ?t }}"
    _, _, body = get(sparql_server, {"query": q, "default-graph-uri": KASEI + "data1.rdf"})
    rows = json.loads(body)["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [KASEI + "data1.rdf"]
    q = f"SELECT ?g FROM NAMED <{KASEI}data2.rdf> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    _, _, body = post_direct(sparql_server, q, url_params={"named-graph-uri": [KASEI + "data1.rdf", KASEI + "data3.rdf"]})
    got = sorted(r["g"]["value"] for r in json.loads(body)["results"]["bindings"])
    assert got == [KASEI + "data1.rdf", KASEI + "data3.rdf"]


def test_named_graph_uri_alone_leaves_default_graph_empty(sparql_server):
    _, _, body = get(sparql_server, {"query": "ASK { ?s ?p ?o }", "named-graph-uri": KASEI + "data1.rdf"})
    assert json.loads(body)["boolean"] is False


# ---------------------------------------------------------------- caps, cache, CORS, log
def test_row_cap_is_signalled(sparql_server):
    status, h, body = get(sparql_server, {"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert h["fupin-truncated"] == "50 rows"
    status, h, body = get(sparql_server, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "fupin-truncated" not in h


def test_triple_cap_is_signalled(sparql_server):
    status, h, body = get(sparql_server, {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert status == 200
    assert len(body.decode().strip().splitlines()) == 50
    assert h["fupin-truncated"] == "50 triples"


def test_cache_answers_repeats(sparql_server):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # cache probe"
    a = get(sparql_server, {"query": q})
    b = get(sparql_server, {"query": q})
    assert a[2] == b[2]
    import time
    time.sleep(0.2)
    lines = [l for l in sparql_server.log_text().splitlines() if "cache%20probe" in l]
    assert len(lines) == 2 and "cached" not in lines[0] and "cached" in lines[1]


def test_cors_preflight(sparql_server):
    status, h, _ = request(sparql_server, "OPTIONS", "", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status in (200, 204)
    assert h["access-control-allow-origin"] == "*"
    assert "POST" in h["access-control-allow-methods"]
    assert "content-type" in h["access-control-allow-headers"].lower()


def test_cors_on_answers_and_errors(sparql_server):
    for params in ({"query": ASK_ALL}, {"query": "ASK {"}):
        _, h, _ = get(sparql_server, params, {"Origin": "https://example.org"})
        assert h["access-control-allow-origin"] == "*"


def test_one_log_line_per_request(sparql_server):
    get(sparql_server, {"query": "ASK { ?s ?p ?o } # log probe"})
    import time
    time.sleep(0.2)
    lines = [l for l in sparql_server.log_text().splitlines() if "log%20probe" in l]
    assert len(lines) == 1
    line = lines[0]
    assert "GET /sparql" in line and " 200 " in line and "ms" in line and "B" in line


# ---------------------------------------------------------------- HEAD, OPTIONS, 405
@pytest.mark.parametrize("path", [
    "?" + urlencode({"query": ASK_ALL}),
    "?" + urlencode({"query": SELECT_LABELS, "format": "csv"}),
    "",  # the service description
])
def test_head_answers_like_get_without_a_body(sparql_server, path):
    accept = {"Accept": "text/turtle"} if not path else {}
    gs, gh, gbody = request(sparql_server, "GET", path, headers=accept)
    hs, hh, hbody = request(sparql_server, "HEAD", path, headers=accept)
    assert gs == hs == 200 and gbody and hbody == b""
    for name in ("content-type", "content-length", "vary", "access-control-allow-origin", "fupin-truncated"):
        assert hh.get(name) == gh.get(name), name
    assert not any(k.startswith("x-fupin") for k in hh)
    # HEAD is a GET: an update is refused as by GET, not asked for a Content-Type
    status, _, _ = request(sparql_server, "HEAD", "?" + urlencode({"update": "CLEAR ALL"}))
    assert status == 400


def test_options_and_405_list_the_same_methods(sparql_server):
    _, h, _ = request(sparql_server, "OPTIONS")
    allowed = h["allow"]
    assert [m.strip() for m in allowed.split(",")] == ["GET", "HEAD", "POST", "OPTIONS"]
    assert h["access-control-allow-methods"] == allowed
    for method in ("PUT", "DELETE", "PATCH"):
        status, h405, _ = request(sparql_server, method, "", b"x", {"Content-Type": "text/plain"})
        assert status == 405 and h405["allow"] == allowed, method
