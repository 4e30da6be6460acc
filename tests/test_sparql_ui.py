"""The query UI: YASGUI served from our own static files, its example
queries, and a run in headless Chromium (Playwright)."""
from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote, urlencode, urlsplit

import pytest

from conftest import CHROMIUM_ARGS
from fupin.server.sparql import load_examples

EXAMPLES = load_examples()


def test_examples_are_documented():
    assert len(EXAMPLES) >= 10
    ids = [e["id"] for e in EXAMPLES]
    assert len(set(ids)) == len(ids)
    for e in EXAMPLES:
        assert e["title"].strip() and e["query"].strip()
        d = e["description"].strip()
        assert d.endswith(".") and d.count(". ") == 0, f"{e['id']}: one sentence"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_example_runs(sparql_server, example):
    req = urllib.request.Request(sparql_server.url, data=example["query"].encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        assert r.status == 200
    if r.headers["Content-Type"].startswith("application/sparql-results+json"):
        assert json.loads(body)["results"]["bindings"], f"{example['id']} found nothing in the fixture"
    else:
        assert body.strip()


def test_static_files_are_vendored(sparql_server):
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE"):
        with urllib.request.urlopen(f"{sparql_server.base}/static/yasgui/{name}", timeout=30) as r:
            assert r.status == 200 and len(r.read()) > 500


@pytest.fixture(scope="module")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser, sparql_server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    outside = []
    host = urlsplit(sparql_server.url).netloc

    def watch(request):
        u = urlsplit(request.url)
        if u.scheme in ("http", "https") and u.netloc != host:
            outside.append(request.url)

    pg.on("request", watch)
    pg.outside_requests = outside
    yield pg
    ctx.close()


def _result_rows(page, at_least: int = 1):
    """Rows of the visible tab's result table, once there are ``at_least``."""
    rows = page.locator(".yasr:visible table tbody tr")
    rows.nth(at_least - 1).wait_for(timeout=20000)
    return rows


@pytest.mark.browser
def test_ui_runs_an_example(page, sparql_server):
    page.goto(sparql_server.url)
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
    buttons = page.locator("#examples button")
    assert buttons.count() == len(EXAMPLES)
    page.get_by_role("button", name="Places in Karuo District").click()
    rows = _result_rows(page, 4)
    assert rows.count() == 4
    text = page.locator(".yasr:visible").inner_text()
    assert "拉多乡" in text and "Gongxi Village" in text
    assert page.outside_requests == []
    shots = sparql_server.log.parent / "ui.png"
    page.screenshot(path=str(shots), full_page=True)


@pytest.mark.browser
def test_ui_link_with_a_query(page, sparql_server):
    q = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n'
         'SELECT ?label WHERE { <https://w3id.org/fupin/id/place/xizang/qamdo/karuo-qu> rdfs:label ?label }')
    page.goto(sparql_server.url + "?" + urlencode({"query": q}, quote_via=quote))
    _result_rows(page, 3)
    assert "卡若区" in page.locator(".yasr:visible").inner_text()
    editor = page.evaluate("window.fupinYasgui.getTab().getQuery()")
    assert "rdfs:label ?label" in editor
    assert page.outside_requests == []
