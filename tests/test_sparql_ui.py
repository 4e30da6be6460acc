"""The query UI: YASGUI served from our own static files, its example
queries (English and Chinese), and runs in headless Chromium (Playwright):
no sideways scrolling of the page at desktop and phone width (wide results
scroll in their own box), a usable editor on a phone, the page's own chrome in
the reader's language. Screenshots go to ``tests/screenshots/`` (git-ignored)."""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest

from conftest import CHROMIUM_ARGS
from fupin.server.sparql import load_examples

EXAMPLES = load_examples()
SHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_examples_are_documented():
    assert len(EXAMPLES) >= 10
    ids = [e["id"] for e in EXAMPLES]
    assert len(set(ids)) == len(ids)
    for e in EXAMPLES:
        assert e["title"].strip() and e["query"].strip()
        d = e["description"].strip()
        assert d.endswith(".") and d.count(". ") == 0, f"{e['id']}: one sentence"
        assert e["title_zh"].strip(), f"{e['id']}: title_zh"
        dz = e["description_zh"].strip()
        assert dz.endswith("。") and dz.count("。") == 1, f"{e['id']}: description_zh, one sentence"


def _get_html(url: str, **headers: str) -> tuple[str, dict]:
    req = urllib.request.Request(url, headers={"Accept": "text/html", **headers})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode("utf-8"), dict(r.headers)


def test_ui_speaks_the_readers_language(sparql_server):
    """The page's chrome follows ``?lang=`` and ``Accept-Language`` like
    the site's pages; the site header with its language switch is there."""
    zh, headers = _get_html(sparql_server.url + "?lang=zh")
    assert "Accept-Language" in headers["Vary"]
    assert '<html lang="zh-Hans">' in zh and "<h1>SPARQL 查询</h1>" in zh and "示例查询" in zh
    assert EXAMPLES[0]["title_zh"] in zh and EXAMPLES[0]["description_zh"] in zh
    assert EXAMPLES[0]["title"] not in zh
    assert 'href="/sparql?lang=en"' in zh and "扶贫知识图谱" in zh  # the site header, its switch
    by_header, _ = _get_html(sparql_server.url, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "<h1>SPARQL 查询</h1>" in by_header
    en, _ = _get_html(sparql_server.url, **{"Accept-Language": "en-GB,en;q=0.8"})
    assert "<h1>SPARQL query</h1>" in en and "Example queries" in en
    assert EXAMPLES[0]["title"] in en and EXAMPLES[0]["title_zh"] not in en
    # the examples handed to the script are the reader's too
    data = json.loads(re.search(r"var examples = (\[.*?\]);\n", zh).group(1))
    assert [d["title"] for d in data] == [e["title_zh"] for e in EXAMPLES]


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


@pytest.fixture(params=["desktop"])
def page(request, browser, sparql_server):
    ctx = browser.new_context(viewport=VIEWPORTS[request.param], locale="en-US")
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


def _overflow(page) -> int:
    """How far the page itself scrolls sideways, in px."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
@pytest.mark.parametrize("page", list(VIEWPORTS), indirect=True)
def test_ui_fits_the_screen(page, sparql_server):
    """After a query with wide results the page does not scroll sideways at
    1280 or 390 px: the table scrolls inside its own box. On a phone the
    editor takes the width of the screen."""
    width = page.viewport_size["width"]
    name = "desktop" if width > 600 else "phone"
    page.goto(sparql_server.url + "?lang=en")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
    page.locator('.example[data-id="all-figures"] button').click()
    _result_rows(page, 6)
    page.wait_for_timeout(200)
    assert _overflow(page) <= 1, f"the page scrolls sideways by {_overflow(page)}px at {width}px"
    box = page.evaluate("""() => {
        const yasr = document.querySelector('.tabPanel.active .yasr');
        const results = yasr.querySelector('.yasr_results');
        const table = yasr.querySelector('table');
        const editor = document.querySelector('.tabPanel.active .yasqe .CodeMirror').getBoundingClientRect();
        return {results: results.getBoundingClientRect().right, scroll: results.scrollWidth - results.clientWidth,
                table: table.getBoundingClientRect().width, editor: editor.width, left: editor.left};
    }""")
    assert box["results"] <= width + 1
    if box["table"] > width:
        assert box["scroll"] > 0, "the wide table scrolls in its own box"
    if name == "phone":
        assert box["editor"] >= 300, f"the editor is {box['editor']}px wide at {width}px"
        paging = page.locator(".yasr:visible .dt-paging button, .yasr:visible .dt-paging a")
        tops = {round(b["y"]) for b in (paging.nth(i).bounding_box() for i in range(paging.count()))}
        assert len(tops) == 1, "the paging controls sit on one line"
    SHOTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"sparql-{name}.png"), full_page=True)
    assert page.outside_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_ui_in_chinese(page, sparql_server):
    page.goto(sparql_server.url + "?lang=zh")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20000)
    assert page.locator("h1").inner_text() == "SPARQL 查询"
    assert page.locator("#examples h2").inner_text() == "示例查询"
    page.get_by_role("button", name=EXAMPLES[0]["title_zh"]).click()
    _result_rows(page, 4)
    assert page.locator(".tabsList .tab.active").inner_text().strip().startswith(EXAMPLES[0]["title_zh"])
    assert _overflow(page) <= 1
