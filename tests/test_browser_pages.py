"""The pages in headless Chromium (Debian's chromium driven by Playwright),
against real ``fupin serve`` processes.

Home, an entity page, the district page, the report view, the ontology and
the search open at desktop and phone width with no console errors, no
failed or outside requests and no sideways scrolling on the phone; again with
JavaScript off (everything still readable, charts still there); the report
view's click-to-list enhancement works; and a fixture graph whose literals
hold markup (served with ``--data``) shows the markup as text and runs none
of it. Screenshots go to ``tests/screenshots/`` (git-ignored) for people to
look at.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
BASE = "https://w3id.org/fupin/"
GONGXI = "/id/place/xizang/qamdo/karuo-qu/laduo-xiang/gongxi-cun"
PAGES = [
    ("home", "/"),
    ("entity", GONGXI),
    ("district", "/id/place/xizang/qamdo/karuo-qu"),
    ("figure", "/id/obs/karuo-2021-04-06/gongxi-dividends-paid"),
    ("report", "/report/karuo-2021-04-06"),
    ("ontology", "/ontology"),
    ("search", "/search?q=" + quote("卡若")),
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

XSS_TTL = r"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix fp: <https://w3id.org/fupin/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .

<https://w3id.org/fupin/id/place/xss/xss-cun> a fp:AdministrativeVillage ;
    rdfs:label "<script>window.__pwned = 1</script>"@zh , "</script><script>window.__pwned = 2</script>"@en ;
    rdfs:comment "<img src=x onerror=\"window.__pwned = 3\">" ;
    schema:url "javascript:window.__pwned = 4"^^xsd:anyURI ;
    rdfs:seeAlso <javascript:window.__pwned=5> ;
    schema:containedInPlace <https://w3id.org/fupin/id/place/xss> .
<https://w3id.org/fupin/id/place/xss> a fp:District ;
    rdfs:label "\"><svg onload=\"window.__pwned = 6\"></svg>"@zh , "'><a href=javascript:alert(1)>x</a>"@en .
<https://w3id.org/fupin/id/obs/xss/one> a qb:Observation ;
    qb:measureType fp:households ; fp:households 5 ;
    sdmx-dimension:refArea <https://w3id.org/fupin/id/place/xss/xss-cun> ;
    rdfs:label "<b onmouseover=\"window.__pwned = 7\">five</b>"@en .
"""


@pytest.fixture(scope="module")
def karuo_site(karuo_build, start_server) -> str:
    _, out = karuo_build
    return start_server("--build-dir", str(out), "--workers", "2", "--quiet").base


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory, start_server) -> str:
    f = tmp_path_factory.mktemp("xss") / "xss.ttl"
    f.write_text(XSS_TTL, "utf-8")
    return start_server("--data", str(f), "--workers", "1", "--quiet").base


@pytest.fixture(scope="module")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from conftest import CHROMIUM_ARGS

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """Console errors, page errors, failed and outside requests of one page."""

    def __init__(self, page, root: str):
        self.problems: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))

        def route(r):
            if r.request.url.startswith(root):
                r.continue_()
            else:
                self.problems.append(f"outside request: {r.request.url}")
                r.abort()

        page.route("**/*", route)


def _open(browser, root: str, path: str, *, viewport: str = "desktop", js: bool = True, lang: str = "en-US"):
    ctx = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=js, locale=lang)
    page = ctx.new_page()
    watch = Watch(page, root)
    resp = page.goto(root + path, wait_until="load")
    assert resp is not None and resp.status == 200, (path, resp and resp.status)
    return ctx, page, watch


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    h = page.evaluate("document.documentElement.scrollHeight")
    w = page.viewport_size["width"]
    if h <= 8000:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    else:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, clip={"x": 0, "y": 0, "width": w, "height": 8000})


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name,path", PAGES)
def test_pages_open_cleanly(browser, karuo_site, name, path, viewport):
    ctx, page, watch = _open(browser, karuo_site, path, viewport=viewport)
    try:
        assert page.locator("h1").first.is_visible()
        assert page.locator("form.search input[name=q]").count() == 1
        if viewport == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        if name in ("home", "district"):
            assert page.locator("svg.chart-svg").count() == 3
            assert page.locator("svg.chart-svg rect.bar").count() >= 9
        if name == "report":
            assert page.locator("a.hl").count() > 150
            assert page.locator("aside.chrome").count() == 2
        _shot(page, f"{name}-{viewport}")
        assert not watch.problems, watch.problems
    finally:
        ctx.close()


@pytest.mark.parametrize("name,path", PAGES)
def test_pages_readable_without_javascript(browser, karuo_site, name, path):
    ctx, page, watch = _open(browser, karuo_site, path, viewport="phone", js=False)
    try:
        text = page.locator("main").inner_text()
        assert len(text) > 100
        if name == "entity":
            assert "Gongxi Village" in text and "599,600 yuan" in text and "599,600 元" not in text
            assert page.locator("nav.crumbs li").count() == 5
            assert page.locator("blockquote.source mark").count() >= 1
        if name == "home":
            assert page.locator("svg.chart-svg").count() == 3
        if name == "report":
            # without JS a highlight still leads to its fact, and the fact to the text
            first = page.locator("a.hl").first
            href = first.get_attribute("href")
            assert href.startswith("#fact-") and page.locator(href).count() == 1
        if name == "search":
            assert page.locator("ol.results li").count() >= 3
        _shot(page, f"{name}-nojs")
        assert not watch.problems, watch.problems
    finally:
        ctx.close()


def test_language_switch_in_the_browser(browser, karuo_site):
    ctx, page, watch = _open(browser, karuo_site, GONGXI, lang="zh-CN")
    try:
        assert page.locator("h1").inner_text() == "贡西村"
        page.locator("a.lang").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Gongxi Village"
        assert "lang=en" in page.url
        # the choice sticks while browsing
        page.locator("nav.crumbs a").last.click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == "Laduo Township"
        assert not watch.problems, watch.problems
    finally:
        ctx.close()


def test_report_click_lists_the_facts(browser, karuo_site):
    ctx, page, watch = _open(browser, karuo_site, "/report/karuo-2021-04-06#a-gongxi-dividends-paid")
    try:
        target = page.locator("a.hl.on")
        assert target.count() >= 1
        target.first.click()
        pop = page.locator(".popover")
        assert pop.count() == 1 and pop.locator("a").count() >= 1
        _shot(page, "report-popover")
        page.keyboard.press("Escape")
        assert page.locator(".popover").count() == 0
        assert not watch.problems, watch.problems
    finally:
        ctx.close()


@pytest.mark.parametrize("js", [True, False])
def test_markup_in_literals_is_shown_as_text(browser, xss_site, js):
    for path in ("/id/place/xss/xss-cun?lang=zh", "/id/place/xss/xss-cun?lang=en", "/id/place/xss",
                 "/id/obs/xss/one", "/search?q=" + quote("<script>"), "/search?q=" + quote('"><img src=x onerror=1>'),
                 "/"):
        ctx, page, watch = _open(browser, xss_site, path, js=js)
        try:
            page.wait_for_timeout(50)
            if js:
                assert page.evaluate("typeof window.__pwned") == "undefined", path
            assert page.locator("main script, main img, main svg[onload], main b").count() == 0, path
            text = page.locator("main").inner_text()
            if path.startswith("/id/place/xss/xss-cun?lang=zh"):
                assert "<script>window.__pwned = 1</script>" in page.locator("h1").inner_text()
                assert "</script><script>window.__pwned = 2</script>" in text
                assert '<img src=x onerror="window.__pwned = 3">' in text
                # a javascript: IRI or URL is never a link
                assert page.locator("a[href^='javascript']").count() == 0
                ld = page.locator("script[type='application/ld+json']").text_content()
                assert "</script>" not in ld and "<script>" not in ld
                _shot(page, f"xss-{'js' if js else 'nojs'}")
            assert not [p for p in watch.problems if "favicon" not in p], watch.problems
        finally:
            ctx.close()
