"""Unit tests of the pages' pure helpers: figure formatting, negotiation
between HTML and RDF, suffixes, source sentences, search folding, label
choice, and the docstring examples of ``pages`` and ``site``."""
from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from fupin.graph import formats
from fupin.server import pages, site
from fupin.server.pages import CUR, FP, UNIT


def test_docstring_examples():
    for mod in (pages, site):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.failed == 0 and res.attempted > 0, mod.__name__


@pytest.mark.parametrize("value,unit,qual,lang,out", [
    ("599600", CUR + "CNY", None, "zh", "599,600 元 (59.96 万元)"),
    ("599600", CUR + "CNY", None, "en", "599,600 yuan"),
    ("120000", CUR + "CNY", None, "zh", "120,000 元 (12 万元)"),
    ("9209100", CUR + "CNY", None, "zh", "9,209,100 元 (920.91 万元)"),
    ("9209100", CUR + "CNY", None, "en", "9,209,100 yuan (9.21 million)"),
    ("553000000", CUR + "CNY", None, "zh", "553,000,000 元 (5.53 亿元)"),
    ("553000000", CUR + "CNY", None, "en", "553,000,000 yuan (553 million)"),
    ("9486000000", CUR + "CNY", None, "zh", "9,486,000,000 元 (94.86 亿元)"),
    ("9486000000", CUR + "CNY", None, "en", "9,486,000,000 yuan (9.49 billion)"),
    ("1530", CUR + "CNY", None, "en", "1,530 yuan"),
    ("7427.75", CUR + "CNY", None, "en", "7,427.75 yuan"),
    ("7427.75", CUR + "CNY", None, "zh", "7,427.75 元"),
    ("1700", CUR + "CNY", FP + "MoreThan", "en", "more than 1,700 yuan"),
    ("1700", CUR + "CNY", FP + "MoreThan", "zh", "超过1,700 元"),
    ("300", UNIT + "NUM", FP + "About", "en", "about 300"),
    ("50", UNIT + "NUM", FP + "Nearly", "zh", "近50"),
    ("1792", UNIT + "NUM", FP + "Exact", "en", "1,792"),
    ("1166.5", UNIT + "KiloM", None, "en", "1,166.5 km"),
    ("2600", UNIT + "M2", None, "en", "2,600 m²"),
    ("0", UNIT + "PERCENT", None, "en", "0 %"),
    ("-12", None, None, "en", "-12"),
    ("not a number", CUR + "CNY", None, "en", "not a number"),
])
def test_format_amount(value, unit, qual, lang, out):
    assert pages.format_amount(value, unit, qual, lang) == out


@pytest.mark.parametrize("value", ["599600", "553000000", "9486000000", "7427.75", "1700"])
@pytest.mark.parametrize("qual", [None, FP + "MoreThan", FP + "About"])
def test_english_figures_have_no_chinese_units(value, qual):
    text = pages.format_amount(value, CUR + "CNY", qual, "en")
    assert "yuan" in text and not any(c in text for c in "元万亿约超近"), text


def test_group_digits_keeps_decimals_exact():
    assert pages.group_digits(Decimal("1234567.890")) == "1,234,567.890"
    assert pages.group_digits(Decimal("0.5")) == "0.5"


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept,override,expected", [
    (BROWSER, None, "html"),
    ("*/*", None, "html"),
    (None, None, "html"),
    ("", None, "html"),
    ("text/turtle", None, "ttl"),
    ("application/ld+json", None, "jsonld"),
    ("application/json", None, "jsonld"),
    ("application/rdf+xml", None, "rdfxml"),
    ("application/xml", None, "rdfxml"),
    ("text/plain", None, "nt"),
    ("application/n-quads", None, "nq"),
    ("text/html;q=0.5, text/turtle", None, "ttl"),
    ("text/html, text/turtle;q=0.9", None, "html"),
    # equal q: the server prefers Turtle (rdflib lists RDF/XML first, all at q=1)
    ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json", None, "ttl"),
    ("text/turtle, */*;q=0.1", None, "ttl"),
    ("image/png", None, None),
    (BROWSER, "ttl", "ttl"),
    ("text/turtle", "html", "html"),
    ("text/turtle", "application/ld+json", "jsonld"),
    ("*/*", "xml", "rdfxml"),
])
def test_choose(accept, override, expected):
    got = pages.choose(accept, override)
    name = got if isinstance(got, str) or got is None else got.name
    assert name == expected


def test_choose_refuses_unknown_override():
    with pytest.raises(pages.BadFormat):
        pages.choose("*/*", "pdf")
    with pytest.raises(pages.BadFormat):
        pages.choose("*/*", "csv")  # a results format, not RDF


@pytest.mark.parametrize("path,out", [
    ("id/place/xizang.ttl", ("id/place/xizang", "ttl")),
    ("id/place/xizang.jsonld", ("id/place/xizang", "jsonld")),
    ("id/place/xizang.rdf", ("id/place/xizang", "rdfxml")),
    ("id/place/xizang.html", ("id/place/xizang", "html")),
    ("id/place/xizang", ("id/place/xizang", None)),
    ("id/place/xizang.exe", ("id/place/xizang.exe", None)),
    (".ttl", (".ttl", None)),
])
def test_split_suffix(path, out):
    assert pages.split_suffix(path) == out


def test_sentence_around_cuts_at_sentence_ends():
    text = "第一句。今年年初,波妥村开展分红仪式,人人喜笑颜开。\n\n下一段。"
    s = text.index("波妥村")
    before, span, after = pages.sentence_around(text, s, s + 3)
    assert (before, span, after) == ("今年年初,", "波妥村", "开展分红仪式,人人喜笑颜开。")
    # a span ending its sentence takes nothing more
    e = text.index("开。") + 2
    assert pages.sentence_around(text, e - 3, e)[2] == ""


@pytest.mark.parametrize("text,folded", [
    ("Gòngxī Cūn", "gongxicun"), ("Lǜ", "lu"), ("Kǎruò Qū", "karuoqu"), ("Karuo District", "karuodistrict"),
    ("卡若区", "卡若区"), ("Residents' Committee", "residentscommittee"),
])
def test_fold(text, folded):
    assert site.fold(text) == folded


def test_pick_falls_back_across_languages():
    person = {"zh": "扎西平措", "zh-latn-pinyin": "Zhāxī Píngcuò"}
    assert pages.pick(person, "en") == ("Zhāxī Píngcuò", "zh-latn-pinyin")
    assert pages.pick(person, "zh") == ("扎西平措", "zh")
    source = {"": "GB/T 2260"}
    assert pages.pick(source, "en") == ("GB/T 2260", "") and pages.pick(source, "zh") == ("GB/T 2260", "")
    assert pages.pick({"en": "Karuo District"}, "zh") == ("Karuo District", "en")
    assert pages.pick({}, "zh") is None


def test_chart_layout_scales_each_panel_and_never_sums():
    chart = {"id": "x", "title": "t", "note": "n", "panels": [
        {"title": "a", "max": Decimal(100), "bars": [
            {"label": "p", "sub": "", "value": Decimal(100), "text": "100", "href": "#", "flow": "stock"},
            {"label": "q", "sub": "", "value": Decimal(25), "text": "25", "href": "#", "flow": "flow"}]},
        {"title": "b", "max": Decimal(4), "bars": [
            {"label": "r", "sub": "", "value": Decimal(4), "text": "4", "href": "#", "flow": "flow"}]}]}
    out = site._layout(chart)
    span = site.CHART_W - site.VALUE_W
    a, b = out["panels"]
    assert a["bars"][0]["w"] == span and a["bars"][1]["w"] == span / 4
    assert b["bars"][0]["w"] == span  # its own scale
    assert sum(len(p["bars"]) for p in out["panels"]) == 3  # one bar per figure, no total bar
    assert out["h"] > 3 * site.ROW_H


def test_json_for_script_escapes_markup():
    s = pages.json_for_script('{"a": "</script><script>alert(1)</script> & \u2028"}')
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s


def test_every_graph_format_is_offered():
    offered = pages.offered()
    for f in formats.GRAPH:
        assert f.media_type in offered


def test_panel_groups_never_share_a_scale_across_kinds():
    bars = [{"kind": (FP + "jobsCreated", None), "value": Decimal(3011)},
            {"kind": (FP + "trainingSessions", None), "value": Decimal(134)},
            {"kind": (FP + "fundsInvested", CUR), "value": Decimal(5)},
            {"kind": (FP + "jobsCreated", None), "value": Decimal(20)}]
    groups = site.panel_groups(bars)
    assert [k for k, _ in groups] == [(FP + "jobsCreated", None), (FP + "trainingSessions", None),
                                      (FP + "fundsInvested", CUR)]
    assert [[b["value"] for b in g] for _, g in groups] == [[3011, 20], [134], [5]]
    # the configured charts: one measure per panel
    for spec in site.CHARTS:
        assert all(len(measures) == 1 for measures, _ in spec["panels"]), spec["id"]
