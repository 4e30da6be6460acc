"""Linked-data pages: every IRI under the dataset's base (and the ontology's
IRIs) dereferences on the server, by direct content negotiation on the IRI
itself (the Trifid pattern; no 303 redirects).

IRI pattern: a request for ``/{path}`` on this server stands for the canonical
IRI ``{base_iri}{path}`` (``/id/place/xizang`` ↔
``https://w3id.org/fupin/id/place/xizang``); ``/ontology`` stands for
``https://w3id.org/fupin/ontology`` and its ``#Term`` IRIs. RDF answers keep
the canonical IRIs, so they agree with the dumps and ``/sparql``; HTML links
point at the serving host.

Negotiation: ``text/html`` for browsers (and ``*/*``), Turtle, N-Triples,
RDF/XML, JSON-LD, TriG and N-Quads by ``Accept`` (through
``fupin.graph.formats``); ``?format=ttl`` or a suffix (``/id/….ttl``,
``.jsonld``, ``.html``) overrides. The RDF is the resource's concise bounded
description (with its ``#fragment`` sub-resources) plus the labels of every
IRI it links to. Every answer has ``Vary: Accept, Accept-Language``, a weak
``ETag`` and ``Last-Modified`` from the build (304 on revalidation), gzip for
clients that accept it; RDF answers carry CORS headers.

Also here, shared with ``site``: the reader's language, label choice,
links, value formatting (``599600`` CNY → ``599,600 元 (59.96 万元)``, for an
English reader ``599,600 yuan``), the report-text lookup and the
conditional-response helpers.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, render_template, request
from markupsafe import Markup

from fupin.config import ONTOLOGY_IRI
from fupin.graph import formats
from fupin.graph.formats import Format

from .store import Description, GraphStore, StoreError

bp = Blueprint("pages", __name__)

# ---------------------------------------------------------------- vocabulary
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_ATT = "http://purl.org/linked-data/sdmx/2009/attribute#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FP = ONTOLOGY_IRI + "#"
UNIT = "http://qudt.org/vocab/unit/"
CUR = "http://qudt.org/vocab/currency/"

PREFIXES: dict[str, str] = {
    "fp": FP, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS, "schema": SCHEMA,
    "dcterms": DCT, "prov": PROV, "qb": QB, "sdmx-dimension": SDMX_DIM, "sdmx-attribute": SDMX_ATT,
    "oa": OA, "org": ORG, "time": TIME, "void": VOID, "dcat": DCAT, "unit": UNIT, "cur": CUR,
    "wd": "http://www.wikidata.org/entity/", "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
}
"""Prefixes for Turtle/TriG answers and for short names of unlabelled terms."""

LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel")

VOCAB_LABELS: dict[str, tuple[str, str]] = {
    # reused terms the ontology declares without labels: (zh, en)
    RDF + "type": ("类型", "type"), RDFS + "label": ("标签", "label"),
    RDFS + "comment": ("说明", "comment"), RDFS + "subClassOf": ("上位类", "subclass of"),
    RDFS + "isDefinedBy": ("定义于", "defined by"), RDFS + "domain": ("定义域", "domain"),
    RDFS + "range": ("值域", "range"), RDFS + "subPropertyOf": ("上位属性", "subproperty of"),
    RDFS + "seeAlso": ("另见", "see also"),
    SKOS + "prefLabel": ("首选标签", "preferred label"), SKOS + "altLabel": ("别名", "alternative label"),
    SKOS + "definition": ("定义", "definition"), SKOS + "editorialNote": ("编者注", "editorial note"),
    SKOS + "notation": ("代码", "code"), SKOS + "inScheme": ("所属方案", "in scheme"),
    SKOS + "broader": ("上位概念", "broader"), SKOS + "narrower": ("下位概念", "narrower"),
    SKOS + "topConceptOf": ("顶层概念于", "top concept of"),
    SKOS + "hasTopConcept": ("顶层概念", "has top concept"),
    SKOS + "exactMatch": ("等同于", "exact match"), SKOS + "closeMatch": ("近似于", "close match"),
    SKOS + "Concept": ("概念", "concept"), SKOS + "ConceptScheme": ("概念方案", "concept scheme"),
    SCHEMA + "containedInPlace": ("所在地", "contained in place"),
    SCHEMA + "location": ("地点", "location"), SCHEMA + "provider": ("实施单位", "provider"),
    SCHEMA + "organizer": ("组织者", "organizer"), SCHEMA + "homeLocation": ("居住地", "home location"),
    SCHEMA + "gender": ("性别", "gender"), SCHEMA + "publisher": ("发布者", "publisher"),
    SCHEMA + "author": ("作者", "author"), SCHEMA + "name": ("姓名", "name"),
    SCHEMA + "jobTitle": ("职业", "job title"), SCHEMA + "headline": ("标题", "headline"),
    SCHEMA + "datePublished": ("发布时间", "date published"),
    SCHEMA + "articleSection": ("栏目", "section"), SCHEMA + "inLanguage": ("语言", "language"),
    SCHEMA + "url": ("网址", "URL"), SCHEMA + "Person": ("人物", "person"),
    SCHEMA + "Place": ("地方", "place"), SCHEMA + "Event": ("事件", "event"),
    SCHEMA + "NewsArticle": ("新闻报道", "news article"), SCHEMA + "Female": ("女", "female"),
    SCHEMA + "Male": ("男", "male"), SCHEMA + "GenderType": ("性别", "gender"),
    DCT + "source": ("出处", "source"), DCT + "isPartOf": ("隶属于", "part of"),
    DCT + "title": ("题名", "title"), DCT + "description": ("描述", "description"),
    DCT + "license": ("许可", "licence"), DCT + "publisher": ("发布者", "publisher"),
    DCT + "creator": ("创建者", "creator"), DCT + "bibliographicCitation": ("引用格式", "citation"),
    DCT + "modified": ("修改时间", "modified"),
    PROV + "wasDerivedFrom": ("出自", "derived from"),
    PROV + "wasAttributedTo": ("归属于", "attributed to"), PROV + "Entity": ("实体", "entity"),
    QB + "dataSet": ("数据集", "data set"), QB + "measureType": ("度量", "measure"),
    QB + "structure": ("数据结构", "structure"), QB + "Observation": ("统计数字", "observation (figure)"),
    QB + "DataSet": ("数据集", "data set"), QB + "MeasureProperty": ("度量属性", "measure property"),
    QB + "DimensionProperty": ("维度属性", "dimension property"),
    QB + "AttributeProperty": ("属性（注释）", "attribute property"),
    QB + "DataStructureDefinition": ("数据结构定义", "data structure definition"),
    QB + "codeList": ("代码表", "code list"), QB + "component": ("组成部分", "component"),
    SDMX_DIM + "refArea": ("地区", "area"), SDMX_DIM + "refPeriod": ("时期", "period"),
    SDMX_ATT + "unitMeasure": ("单位", "unit"),
    OA + "hasBody": ("标注对象", "body"), OA + "hasTarget": ("标注目标", "target"),
    OA + "hasSource": ("来源文本", "source"), OA + "hasSelector": ("选择器", "selector"),
    OA + "exact": ("原文", "exact quote"), OA + "prefix": ("前文", "prefix"),
    OA + "suffix": ("后文", "suffix"), OA + "start": ("起点", "start"), OA + "end": ("终点", "end"),
    OA + "motivatedBy": ("动机", "motivated by"), OA + "Annotation": ("标注", "annotation"),
    OA + "SpecificResource": ("特定资源", "specific resource"),
    OA + "TextQuoteSelector": ("引文选择器", "text quote selector"),
    OA + "TextPositionSelector": ("位置选择器", "text position selector"),
    OA + "describing": ("描述", "describing"),
    ORG + "subOrganizationOf": ("上级组织", "suborganisation of"),
    ORG + "Organization": ("组织机构", "organisation"),
    TIME + "hasBeginning": ("开始", "beginning"), TIME + "hasEnd": ("结束", "end"),
    TIME + "inXSDDate": ("日期", "date"), TIME + "Instant": ("时刻", "instant"),
    TIME + "ProperInterval": ("时段", "interval"), TIME + "Interval": ("时段", "interval"),
    TIME + "TemporalEntity": ("时间实体", "temporal entity"),
    VOID + "Dataset": ("数据集", "dataset"), VOID + "triples": ("三元组数", "triples"),
    VOID + "subset": ("子集", "subset"), VOID + "classPartition": ("类分区", "class partition"),
    VOID + "class": ("类", "class"), VOID + "entities": ("实体数", "entities"),
    VOID + "uriSpace": ("IRI 空间", "URI space"), VOID + "sparqlEndpoint": ("SPARQL 端点", "SPARQL endpoint"),
    VOID + "rootResource": ("根资源", "root resource"), VOID + "dataDump": ("数据转储", "data dump"),
    DCAT + "Dataset": ("数据集", "dataset"), DCAT + "Distribution": ("分发", "distribution"),
    DCAT + "distribution": ("分发", "distribution"), DCAT + "downloadURL": ("下载地址", "download URL"),
    DCAT + "mediaType": ("媒体类型", "media type"), DCAT + "byteSize": ("字节数", "size in bytes"),
    DCAT + "compressFormat": ("压缩格式", "compression"),
    OWL + "Class": ("类", "class"), OWL + "ObjectProperty": ("对象属性", "object property"),
    OWL + "DatatypeProperty": ("数据属性", "datatype property"),
    OWL + "AnnotationProperty": ("注释属性", "annotation property"),
    OWL + "NamedIndividual": ("命名个体", "named individual"),
    OWL + "FunctionalProperty": ("函数属性", "functional property"),
    OWL + "Ontology": ("本体", "ontology"), OWL + "disjointWith": ("不相交于", "disjoint with"),
    OWL + "versionIRI": ("版本 IRI", "version IRI"), OWL + "versionInfo": ("版本", "version"),
    CUR + "CNY": ("元", "yuan (CNY)"), UNIT + "NUM": ("个数", "number"),
    UNIT + "KiloM": ("公里", "km"), UNIT + "M2": ("平方米", "m²"), UNIT + "PERCENT": ("%", "%"),
}

# property groups on entity pages, in order; anything else goes to "other"
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("names", (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FP + "generatedLabel",
               SCHEMA + "name", SCHEMA + "headline", DCT + "title", SKOS + "notation")),
    ("description", (SKOS + "definition", DCT + "description", RDFS + "comment", FP + "remark",
                     SCHEMA + "jobTitle", SCHEMA + "gender", SKOS + "editorialNote", FP + "expression",
                     FP + "startNotStated")),
    ("figure", (QB + "measureType", SDMX_ATT + "unitMeasure", FP + "qualifier", FP + "flowType",
                FP + "method", FP + "printedValue", FP + "baseline", QB + "dataSet")),
    ("where_when", (SDMX_DIM + "refArea", SDMX_DIM + "refPeriod", SCHEMA + "containedInPlace",
                    SCHEMA + "location", FP + "period", SCHEMA + "homeLocation", FP + "movedFrom",
                    FP + "movedTo", FP + "movedDuring", FP + "jurisdiction", TIME + "hasBeginning",
                    TIME + "hasEnd", TIME + "inXSDDate", SCHEMA + "datePublished")),
    ("relations", (FP + "subject", FP + "projectType", FP + "implementsPolicy", FP + "aboutEntity",
                   FP + "aboutProject", FP + "tookPartIn", DCT + "isPartOf", SCHEMA + "provider",
                   SCHEMA + "organizer", ORG + "subOrganizationOf", SKOS + "inScheme",
                   SKOS + "broader", SKOS + "topConceptOf", SKOS + "hasTopConcept", FP + "reportText")),
    ("identifiers", (SKOS + "exactMatch", SKOS + "closeMatch", SCHEMA + "url")),
    ("provenance", (PROV + "wasDerivedFrom", DCT + "source", PROV + "wasAttributedTo",
                    SCHEMA + "publisher", SCHEMA + "articleSection", SCHEMA + "inLanguage")),
]
GROUP_OF = {p: name for name, ps in GROUPS for p in ps}

UI: dict[str, dict[str, str]] = {
    "zh": {
        "site": "扶贫知识图谱", "home": "首页", "report": "原文", "ontology": "本体", "dataset": "数据集",
        "sparql": "SPARQL 查询", "search": "搜索", "search_ph": "搜索地名、项目、人物（中文、英文、拼音）",
        "names": "名称", "description": "描述", "figure": "数字", "where_when": "地点与时间",
        "relations": "关联", "identifiers": "标识符", "provenance": "出处", "other": "其他",
        "types": "类型", "inferred": "由本体推出", "iri": "IRI", "figures": "数字",
        "figures_about": "与此相关的数字", "measure": "度量", "value": "数值", "unit": "单位",
        "period": "时期", "subject": "主题", "source": "出处", "area": "地区", "children": "下级地点",
        "inbound": "指向此处的链接", "more": "更多", "prev": "上一页", "next": "下一页",
        "source_sentence": "原文语句", "in_report": "在原文中查看", "period_words": "（%s）", "period_words_title": "报道中的时间表述", "outside_sources": "外部来源",
        "downloads": "下载", "query_this": "在 SPARQL 查询界面中查询", "data_formats": "数据格式",
        "not_found": "未找到", "not_found_text": "本数据集中没有这个 IRI。", "printed": "原文写作",
        "no_page": "这个地址没有页面。", "no_file": "没有这个文件，可下载的文件见数据集页面。",
        "read_report": "阅读原文（标注视图）", "qualifier": "限定", "flow": "存量/流量",
        "other_language": "其他语言", "pinyin": "拼音", "of": "共", "items": "项",
        "not_acceptable": "无法提供所请求的格式", "bad_request": "请求无效",
        "unavailable": "暂时无法回答", "sub_resources": "组成部分", "page": "页",
        "embedded": "本页数据（JSON-LD）", "switch": "English", "error": "错误",
        "language": "语言", "blank": "（匿名节点）", "examples": "示例查询",
    },
    "en": {
        "site": "fupin knowledge graph", "home": "Home", "report": "Report", "ontology": "Ontology",
        "dataset": "Dataset", "sparql": "SPARQL query", "search": "Search",
        "search_ph": "Search places, projects, people (Chinese, English, pinyin)",
        "names": "Names", "description": "Description", "figure": "Figure", "where_when": "Where and when",
        "relations": "Relations", "identifiers": "Identifiers", "provenance": "Provenance",
        "other": "Other", "types": "Types", "inferred": "inferred from the ontology", "iri": "IRI",
        "figures": "Figures", "figures_about": "Figures about this", "measure": "Measure",
        "value": "Value", "unit": "Unit", "period": "Period", "subject": "Subject", "source": "Source",
        "area": "Area", "children": "Places within", "inbound": "What links here", "more": "more",
        "prev": "previous", "next": "next", "source_sentence": "Source sentence",
        "in_report": "see it in the report", "period_words": "(report: %s)",
        "period_words_title": "how the report words this period", "outside_sources": "Outside sources",
        "downloads": "Downloads", "query_this": "Query this in the SPARQL UI",
        "data_formats": "Data formats", "not_found": "Not found",
        "not_found_text": "This IRI is not in the dataset.", "printed": "printed as",
        "no_page": "There is no page at this address.",
        "no_file": "There is no such file; the dataset page lists the downloads.",
        "read_report": "Read the report (annotated view)", "qualifier": "Qualifier", "flow": "Stock/flow",
        "other_language": "Other language", "pinyin": "Pinyin", "of": "of", "items": "items",
        "not_acceptable": "Not acceptable", "bad_request": "Bad request",
        "unavailable": "Temporarily unavailable", "sub_resources": "Parts", "page": "page",
        "embedded": "This page's data (JSON-LD)", "switch": "中文", "error": "Error",
        "language": "Language", "blank": "(blank node)", "examples": "Example queries",
    },
}

LANGS = ("zh", "en")
RDF_EXTENSIONS = ("ttl", "nt", "rdf", "jsonld", "trig", "nq", "n3", "owl", "xml", "json")
INBOUND_PAGE = 20
FIGURES_MAX = 300
_SAFE_SEGMENT = re.compile(r"^[^\x00-\x20\x7f<>\"{}|\\^`%]+$")
_RID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
START = time.time()


# ---------------------------------------------------------------- app access
def store() -> GraphStore:
    return current_app.extensions["fupin.store"]


def settings():
    return current_app.extensions["fupin.settings"]


def base() -> str:
    return settings().base_iri


# ---------------------------------------------------------------- language
def ui_lang() -> str:
    """The reader's language: ``?lang=zh|en``, else ``Accept-Language``, else zh."""
    if "ui_lang" in g:
        return g.ui_lang
    q = request.args.get("lang", "")
    if q in LANGS:
        g.lang_explicit = True
        g.ui_lang = q
    else:
        g.lang_explicit = False
        best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "zh-TW", "en"])
        g.ui_lang = "en" if best and best.lower().startswith("en") else "zh"
    return g.ui_lang


def t(key: str) -> str:
    """A user-interface string in the reader's language."""
    return UI[ui_lang()].get(key, key)


_LABEL_ORDER = {
    "zh": ("zh", "zh-hans", "zh-cn", "", "en", "zh-latn-pinyin"),
    "en": ("en", "en-gb", "en-us", "zh-latn-pinyin", "", "zh", "zh-hans"),
}


def pick(labels: dict[str, str] | None, lang: str) -> tuple[str, str] | None:
    """(label, language tag) in ``lang`` with fallback: for zh, untagged then
    English then pinyin; for en, pinyin (people have no English name) then
    untagged then Chinese; then any."""
    if not labels:
        return None
    low = {k.lower(): (v, k) for k, v in labels.items()}
    for tag in _LABEL_ORDER.get(lang, _LABEL_ORDER["en"]):
        if tag in low:
            return low[tag][0], low[tag][1]
    k = sorted(labels)[0]
    return labels[k], k


def qname(iri: str) -> str | None:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if re.fullmatch(r"[A-Za-z0-9_.-]+", local):
                return f"{prefix}:{local}"
    return None


@lru_cache(maxsize=1)
def shipped_ontology_labels() -> dict[str, dict[str, str]]:
    """Labels of the ontology's terms from the ontology file fupin ships, for
    pages over data served without the ontology graph (``--data``)."""
    from fupin.ontology import ONTOLOGY

    out: dict[str, dict[str, str]] = {}
    try:
        for t_ in ox.parse(ONTOLOGY.read_bytes(), format=ox.RdfFormat.TURTLE):
            if t_.predicate.value == RDFS + "label" and isinstance(t_.object, ox.Literal) \
                    and isinstance(t_.subject, ox.NamedNode):
                out.setdefault(t_.subject.value, {}).setdefault(t_.object.language or "", t_.object.value)
    except (OSError, SyntaxError, ValueError):
        pass
    return out


KIND_NAMES = {"annotation": ("标注", "annotation"), "obs": ("数字", "figure"), "time": ("时间", "time"),
              "dataset": ("数据集", "dataset"), "source": ("来源", "source"), "concept": ("概念", "concept")}


def fallback_label(iri: str, lang: str) -> str:
    """A name for an IRI the data gives no label: the vocabulary table, the
    shipped ontology, ``kind slug`` for our own IRIs, a prefixed name, or the
    IRI's last segment."""
    if iri in VOCAB_LABELS:
        return VOCAB_LABELS[iri][0 if lang == "zh" else 1]
    if iri.startswith(FP):
        got = pick(shipped_ontology_labels().get(iri), lang)
        if got:
            return got[0]
    q = qname(iri)
    if q:
        return q
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    try:
        b = base() + "id/"
    except RuntimeError:  # outside a request
        b = None
    if b and iri.startswith(b):
        kind = iri[len(b):].split("/", 1)[0]
        if kind in KIND_NAMES and tail != kind:
            return f"{KIND_NAMES[kind][0 if lang == 'zh' else 1]} {tail}"
    return tail or iri


# ---------------------------------------------------------------- links
def public_root() -> str:
    """``scheme://host/prefix/`` as the client sees this server
    (``X-Forwarded-Proto``/``-Host``/``-Prefix`` honoured)."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    if proto not in ("http", "https"):
        proto = request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host):
        host = request.host
    return f"{proto}://{host}{script_root()}/"


def script_root() -> str:
    prefix = request.headers.get("X-Forwarded-Prefix", "").split(",")[0].strip().rstrip("/")
    if prefix and re.fullmatch(r"(/[A-Za-z0-9._~\-]+)+", prefix):
        return prefix
    return request.script_root


def with_lang(url: str, lang: str | None = None) -> str:
    """``url`` with ``lang=`` added when the reader chose a language
    explicitly (or ``lang`` is given), before any fragment."""
    ui_lang()
    if lang is None:
        if not g.get("lang_explicit"):
            return url
        lang = g.ui_lang
    path, hashmark, frag = url.partition("#")
    path = re.sub(r"([?&])lang=[^&]*&?", r"\1", path).rstrip("?&")
    sep = "&" if "?" in path else "?"
    return f"{path}{sep}lang={lang}{hashmark}{frag}"


def local_path(iri: str) -> str | None:
    """The path on this server that serves ``iri`` (with its fragment), or
    ``None`` for IRIs outside the base and the ontology."""
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#") or iri.startswith(ONTOLOGY_IRI + "/"):
        rest = iri[len(ONTOLOGY_IRI):]
        return "/ontology" + _quote_path(rest)
    b = base()
    if iri.startswith(b) and len(iri) > len(b):
        return "/" + _quote_path(iri[len(b):])
    return None


def _quote_path(p: str) -> str:
    path, hashmark, frag = p.partition("#")
    return quote(path, safe="/-._~!$&'()*+,;=:@%") + hashmark + quote(frag, safe="-._~!$&'()*+,;=:@/?%")


def href(iri: str) -> str | None:
    """Where a link to ``iri`` should go: this server for our IRIs, the IRI
    itself for other http(s) IRIs, nowhere for anything else."""
    p = local_path(iri)
    if p is not None:
        return with_lang(script_root() + p)
    if re.match(r"^https?://[^\s<>\"]+$", iri):
        return iri
    return None


def url_for_path(path: str, **params: Any) -> str:
    """A link to one of this site's own pages (``/search``, ``/report/x``)."""
    q = {k: v for k, v in params.items() if v is not None}
    url = script_root() + path + ("?" + urlencode(q) if q else "")
    return with_lang(url)


def sparql_link(query: str) -> str:
    return with_lang(script_root() + "/sparql?" + urlencode({"query": query}))


# ---------------------------------------------------------------- view models
@dataclass
class Link:
    iri: str
    label: str
    lang: str = ""
    href: str | None = None
    external: bool = False
    fallback: bool = False
    """No label in the data: ``label`` is a short name made from the IRI."""


@dataclass
class Value:
    """One value of a property, ready to show: a link, or formatted text."""

    link: Link | None = None
    text: str = ""
    lang: str = ""
    datatype: str = ""
    note: str = ""
    kind: str = "literal"
    graphs: tuple[str, ...] = ()
    nested: list[tuple[Link, "Value"]] = field(default_factory=list)


class Labels:
    """Labels of many IRIs fetched in one store call, then turned into links."""

    def __init__(self, lang: str):
        self.lang = lang
        self.known: dict[str, dict[str, str]] = {}
        self.wanted: set[str] = set()

    def want(self, *iris: str) -> None:
        self.wanted.update(i for i in iris if i and i not in self.known)

    def add(self, labels: dict[str, dict[str, str]]) -> None:
        for k, v in labels.items():
            self.known.setdefault(k, {}).update({a: b for a, b in v.items() if a not in self.known.get(k, {})})

    def fetch(self) -> None:
        need = [i for i in self.wanted if i not in self.known]
        self.wanted.clear()
        if need:
            self.add(store().labels(need))

    def label(self, iri: str, lang: str | None = None) -> tuple[str, str, bool]:
        got = pick(self.known.get(iri), lang or self.lang)
        if got:
            return got[0], got[1], False
        text = fallback_label(iri, lang or self.lang)
        raw = not (iri in VOCAB_LABELS or iri in shipped_ontology_labels() or " " in text)
        return text, "", raw

    def link(self, iri: str) -> Link:
        text, tag, fb = self.label(iri)
        h = href(iri)
        return Link(iri, text, tag, h, external=h is not None and local_path(iri) is None, fallback=fb)


# ---------------------------------------------------------------- literals
def _dec(s: str) -> Decimal | None:
    try:
        d = Decimal(s.strip())
    except (InvalidOperation, AttributeError):
        return None
    return d if d.is_finite() else None


def group_digits(d: Decimal) -> str:
    """``Decimal('599600')`` → ``599,600``; ``Decimal('1166.5')`` → ``1,166.5``."""
    sign = "-" if d < 0 else ""
    d = abs(d)
    s = format(d, "f")
    whole, dot, frac = s.partition(".")
    whole = f"{int(whole):,}"
    return sign + whole + (dot + frac if frac else "")


def _short(d: Decimal) -> str:
    q = d.quantize(Decimal("0.01")).normalize()
    s = format(q, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


QUALIFIER_TEXT = {
    FP + "About": ("约", "about"), FP + "MoreThan": ("超过", "more than"),
    FP + "Nearly": ("近", "nearly"), FP + "Exact": ("", ""),
}
UNIT_TEXT: dict[str, tuple[str, str]] = {
    CUR + "CNY": ("元", "yuan"), UNIT + "KiloM": ("km", "km"), UNIT + "M2": ("m²", "m²"),
    UNIT + "PERCENT": ("%", "%"), UNIT + "NUM": ("", ""),
}
"""The unit written after a figure: (zh, en)."""
YUAN_MAGNITUDES: dict[str, tuple[tuple[int, str], ...]] = {
    "zh": ((100_000_000, "亿元"), (10_000, "万元")),
    "en": ((1_000_000_000, "billion"), (1_000_000, "million")),
}
"""Large yuan amounts are repeated in the reader's own magnitudes, largest first."""


def format_amount(value: str, unit: str | None = None, qualifier: str | None = None,
                  lang: str = "zh") -> str:
    """A figure for people in the reader's language (``zh``, else English):
    digits grouped, the unit, large yuan amounts also in 万/亿 (in millions
    and billions for English readers), the qualifier in words.

    >>> format_amount("599600", CUR + "CNY")
    '599,600 元 (59.96 万元)'
    >>> format_amount("553000000", CUR + "CNY", lang="zh")
    '553,000,000 元 (5.53 亿元)'
    >>> format_amount("553000000", CUR + "CNY", lang="en")
    '553,000,000 yuan (553 million)'
    >>> format_amount("1700", CUR + "CNY", FP + "MoreThan", "en")
    'more than 1,700 yuan'
    >>> format_amount("1166.5", UNIT + "KiloM")
    '1,166.5 km'
    >>> format_amount("248", UNIT + "PERCENT")
    '248 %'
    """
    d = _dec(value)
    if d is None:
        return value
    i = 0 if lang == "zh" else 1
    text = group_digits(d)
    u = UNIT_TEXT.get(unit or "", ("", ""))[i]
    if u:
        text += " " + u
    if unit == CUR + "CNY":
        for size, word in YUAN_MAGNITUDES["zh" if i == 0 else "en"]:
            if abs(d) >= size:
                text += f" ({_short(d / Decimal(size))} {word})"
                break
    if qualifier in QUALIFIER_TEXT:
        word = QUALIFIER_TEXT[qualifier][i]
        if word:
            text = f"{word}{text}" if i == 0 else f"{word} {text}"
    return text


NUMERIC = {XSD + n for n in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                             "negativeInteger", "unsignedInt", "unsignedLong")}


def literal_value(lit: ox.Literal, lang: str) -> Value:
    dt = lit.datatype.value if lit.datatype is not None else ""
    tag = lit.language or ""
    if tag:
        return Value(text=lit.value, lang=tag, kind="text")
    if dt in NUMERIC:
        d = _dec(lit.value)
        return Value(text=group_digits(d) if d is not None else lit.value, datatype=dt, kind="number")
    if dt == XSD + "boolean":
        yes = lit.value.strip().lower() in ("true", "1")
        return Value(text=("是" if yes else "否") if lang == "zh" else ("yes" if yes else "no"),
                     datatype=dt, kind="boolean")
    if dt == XSD + "dateTime":
        m = re.match(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$", lit.value)
        if m:
            return Value(text=f"{m.group(1)} {m.group(2)}" + (f" ({m.group(3)})" if m.group(3) else ""),
                         datatype=dt, kind="date")
    if dt == XSD + "anyURI" and re.match(r"^https?://[^\s<>\"]+$", lit.value):
        return Value(link=Link(lit.value, lit.value, href=lit.value, external=True), datatype=dt, kind="link")
    kind = "date" if dt in (XSD + "date", XSD + "gYear") else "literal"
    return Value(text=lit.value, datatype=dt if dt != XSD + "string" else "", kind=kind)


# ---------------------------------------------------------------- report texts
@dataclass(frozen=True)
class ReportText:
    rid: str
    text: str
    body: tuple[int, int]
    """(start, end) of the body; the rest is the original page's chrome."""


def report_id(iri: str) -> str | None:
    """The report id of ``{base}id/report/{rid}`` or ``…/{rid}/text``."""
    b = base() + "id/report/"
    if not iri.startswith(b):
        return None
    rest = iri[len(b):]
    rid = rest[:-5] if rest.endswith("/text") else rest
    return rid if _RID.match(rid) else None


@lru_cache(maxsize=8)
def _build_reports(build_dir: str, stamp: float) -> dict[str, tuple[Path, tuple[int, int] | None]]:
    """Report id → (text file, body offsets) from the build's ``BUILD``."""
    d = Path(build_dir).resolve()
    try:
        info = json.loads((d / "BUILD").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    reports = info.get("reports")
    out: dict[str, tuple[Path, tuple[int, int] | None]] = {}
    if not isinstance(reports, dict):
        return out
    for rid, r in reports.items():
        if not _RID.match(str(rid)) or not isinstance(r, dict) or not isinstance(r.get("text"), str):
            continue
        path = (d / r["text"]).resolve()
        if d not in path.parents:  # never outside the build folder
            continue
        body = r.get("body")
        ok = isinstance(body, list) and len(body) == 2 and all(isinstance(x, int) for x in body)
        out[str(rid)] = (path, (body[0], body[1]) if ok else None)
    return out


@lru_cache(maxsize=32)
def _read_report(path: str, stamp: float, body: tuple[int, int] | None, rid: str) -> ReportText:
    text = Path(path).read_text("utf-8")
    if body is None or not 0 <= body[0] <= body[1] <= len(text):
        body = (0, len(text))
    return ReportText(rid, text, body)


def serves_build() -> bool:
    s = settings()
    if s.endpoint:
        return False
    return s.include_build if s.include_build is not None else not s.data


def report_text(rid: str) -> ReportText | None:
    """The text of report ``rid`` as the annotations count code points, and
    where its body is, from the build being served (``reports/{rid}.txt``
    and ``BUILD``; docs/design.md, "Build outputs"), never from ``data/``:
    a pseudonymous build's texts have the names masked. ``None`` when this
    server has no text for it."""
    if not _RID.match(rid or "") or not serves_build():
        return None
    s = settings()
    d = s.path(s.build_dir)
    try:
        stamp = (d / "BUILD").stat().st_mtime
    except OSError:
        return None
    got = _build_reports(str(d), stamp).get(rid)
    if got is None:
        return None
    path, body = got
    try:
        return _read_report(str(path), path.stat().st_mtime, body, rid)
    except (OSError, UnicodeDecodeError):
        return None


_SENTENCE_END = "。！？!?\n"


def sentence_around(text: str, start: int, end: int, limit: int = 240) -> tuple[str, str, str]:
    """(before, span, after): the sentence(s) holding ``text[start:end]``,
    cut at Chinese sentence ends and line breaks, at most ``limit`` code
    points each side."""
    s = start
    while s > 0 and text[s - 1] not in _SENTENCE_END and start - s < limit:
        s -= 1
    e = end
    if e > start and text[e - 1] in _SENTENCE_END:
        pass
    else:
        while e < len(text) and text[e] not in _SENTENCE_END and e - end < limit:
            e += 1
        if e < len(text) and text[e] != "\n":
            e += 1
    return text[s:start].lstrip(), text[start:end], text[end:e].rstrip("\n")


# ---------------------------------------------------------------- HTTP helpers
_ASSET_STAMP: str | None = None


def asset_stamp() -> str:
    """A hash over the page code, templates and static files, so a changed
    page gets a new ETag even under the same build."""
    global _ASSET_STAMP
    if _ASSET_STAMP is None:
        here = Path(__file__).parent
        h = hashlib.sha256()
        files = [here / "pages.py", here / "site.py"]
        for d in ("templates/pages", "templates/site", "static/pages"):
            files += sorted((here / d).rglob("*")) if (here / d).is_dir() else []
        for f in files:
            try:
                st = f.stat()
                h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
            except OSError:
                pass
        _ASSET_STAMP = h.hexdigest()[:16]
    return _ASSET_STAMP


def last_modified() -> datetime:
    """When the served data last changed: the build's ``BUILD`` file when the
    store holds that build, else when this server started."""
    s = settings()
    stamp = START
    if not s.endpoint:
        f = s.path(s.build_dir) / "BUILD"
        try:
            if store().build_id and store().build_id in f.read_text("utf-8"):
                stamp = f.stat().st_mtime
        except OSError:
            pass
    return datetime.fromtimestamp(int(stamp), tz=timezone.utc)


def etag_for(variant: str) -> str:
    h = hashlib.sha256()
    for part in (store().build_id, asset_stamp(), variant, request.path, request.query_string.decode("latin-1"),
                 ui_lang(), public_root()):
        h.update(part.encode("utf-8", "replace") + b"\0")
    return h.hexdigest()[:32]


def not_modified(etag: str, modified: datetime) -> bool:
    inm = request.if_none_match
    if inm:
        return inm.star_tag or inm.contains_weak(etag)
    ims = request.if_modified_since
    return ims is not None and modified <= ims


def conditional(variant: str, *, vary: str = "Accept, Accept-Language") -> tuple[str, datetime, Response | None]:
    """ETag and Last-Modified for this request's ``variant``, and a ready 304
    when the client's copy is current."""
    etag, modified = etag_for(variant), last_modified()
    if not_modified(etag, modified):
        r = Response(status=304)
        r.set_etag(etag, weak=True)
        r.last_modified = modified
        r.headers["Vary"] = vary
        r.headers["Cache-Control"] = "no-cache"
        return etag, modified, r
    return etag, modified, None


def finish(resp: Response, etag: str | None = None, modified: datetime | None = None, *,
           vary: str = "Accept, Accept-Language", cors: bool = False) -> Response:
    if etag:
        resp.set_etag(etag, weak=True)
    if modified:
        resp.last_modified = modified
    resp.headers["Vary"] = vary
    resp.headers.setdefault("Cache-Control", "no-cache")
    if cors:
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link, Content-Location, Vary"
    return resp


COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples",
                "application/n-quads", "application/trig", "application/rdf+xml", "image/svg+xml",
                "application/javascript")


def _vary(resp: Response, header: str) -> None:
    vary = [v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()]
    if header not in vary:
        vary.append(header)
    resp.headers["Vary"] = ", ".join(vary)


def compress(resp: Response) -> Response:
    """gzip a buffered textual answer for a client that accepts gzip.

    Such an answer varies on ``Accept-Encoding``, and so does a 304 from
    ``conditional``: a 304 carries the ``Vary`` of the 200 it stands for
    (RFC 9110 §15.4.5), and every answer those views revalidate (HTML, RDF,
    JSON) is compressible. (``send_file``'s 304s have no ``Vary`` and keep none.)"""
    if resp.status_code == 304 and "Vary" in resp.headers:
        _vary(resp, "Accept-Encoding")
        return resp
    if (resp.direct_passthrough or resp.status_code != 200 or "Content-Encoding" in resp.headers
            or not resp.mimetype or not resp.mimetype.startswith(COMPRESSIBLE)
            or request.method == "HEAD" and resp.content_length is None):
        return resp
    _vary(resp, "Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return resp
    data = resp.get_data()
    if len(data) < 512:
        return resp
    resp.set_data(gzip.compress(data, compresslevel=5, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    return resp


def security_headers(resp: Response) -> Response:
    if resp.mimetype == "text/html":
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


@bp.after_request
def _after(resp: Response) -> Response:
    return compress(security_headers(resp))


class BadFormat(Exception):
    pass


HTML_TYPES = ("text/html", "application/xhtml+xml")


def choose(accept: str | None, override: str | None = None,
           candidates: tuple[Format, ...] = formats.GRAPH, html: bool = True) -> Format | str | None:
    """``"html"``, an RDF ``Format``, or ``None`` (nothing acceptable: 406).

    ``override`` (``?format=`` or a suffix) wins; raises ``BadFormat`` when it
    names nothing offered. Otherwise ``Accept`` decides through
    ``fupin.graph.formats``; HTML wins ties (browsers' and curl's ``*/*``).
    """
    if override:
        if html and override.strip().lower() in ("html", "htm", "text/html"):
            return "html"
        f = formats.override([override], candidates)
        if f is None:
            raise BadFormat(override)
        return f
    rdf = formats.negotiate(accept, candidates)
    hq = max(formats.accept_quality(accept, m) for m in HTML_TYPES) if html else (0.0, -1)
    if rdf is None:
        return "html" if hq[0] > 0 else None
    rq = max(formats.accept_quality(accept, m) for m in (rdf.media_type, *rdf.media_aliases))
    if hq[0] > 0 and hq >= rq:
        return "html"
    return rdf


def offered(candidates: Iterable[Format] = formats.GRAPH) -> str:
    return "text/html, " + ", ".join(f.media_type for f in candidates)


def choose_or_error(override: str | None, what: str = "this resource"
                    ) -> tuple[Format | str | None, Response | None]:
    """:func:`choose` for this request's ``Accept``, with the error answer
    when it fails: ``(variant, None)``, or ``(None, 400 for an override
    naming nothing offered | 406 when nothing is acceptable)``."""
    try:
        variant = choose(request.headers.get("Accept"), override)
    except BadFormat:
        return None, error_page(400, "bad_request", f"format={override} is not offered here; use "
                                                    f"html or one of {formats.names(formats.GRAPH)}")
    if variant is None:
        return None, error_page(406, "not_acceptable", f"{what} is offered as {offered()}")
    return variant, None


def error_page(status: int, title_key: str, message: str, *, iri: str | None = None) -> Response:
    """An error as HTML for browsers, as plain text for everyone else."""
    prefer_html = formats.accept_quality(request.headers.get("Accept"), "text/html")[0] > 0 and \
        formats.accept_quality(request.headers.get("Accept"), "text/html")[1] >= 1
    if prefer_html:
        body = render_template("pages/error.html", status=status, title=t(title_key), message=message,
                               iri=iri, **chrome())
        resp = Response(body, status, content_type="text/html; charset=utf-8")
    else:
        resp = Response(f"{status} {UI['en'][title_key]}: {message}\n",
                        status, content_type="text/plain; charset=utf-8")
    resp.headers["Vary"] = "Accept, Accept-Language"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.app_errorhandler(404)
def not_found(e) -> Response:
    """Every 404 of the app, also for paths no view matches (``/id/``, an
    encoded ``..%2F``, a missing static file): the site's own error, HTML or
    plain text by ``Accept``, in the reader's language, with ``Vary``."""
    key = "no_file" if request.path.startswith("/download/") else "no_page"
    return security_headers(error_page(404, "not_found", t(key)))


def chrome(**extra: Any) -> dict[str, Any]:
    """What every page template needs: language, UI strings, nav links."""
    lang = ui_lang()
    other = "en" if lang == "zh" else "zh"
    args = request.args.to_dict(flat=True)
    args.pop("lang", None)
    here = script_root() + request.path
    switch = here + "?" + urlencode({**args, "lang": other})
    nav = {k: url_for_path(p) for k, p in (("home", "/"), ("ontology", "/ontology"),
                                           ("dataset", "/dataset"), ("search", "/search"))}
    nav["sparql"] = with_lang(script_root() + "/sparql")
    nav["static"] = script_root() + "/static/pages/"
    return {"lang": lang, "ui": UI[lang], "switch_url": switch, "nav": nav,
            "lang_explicit": g.get("lang_explicit", False), **extra}


def json_for_script(data: bytes | str) -> Markup:
    """JSON text safe inside ``<script type="application/ld+json">``: every
    ``<``, ``>`` and ``&`` escaped, so no literal can close the element."""
    s = data.decode("utf-8") if isinstance(data, bytes) else data
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(s)


# ---------------------------------------------------------------- RDF building
def describe_document(iri: str, depth: int = 2) -> list[Description]:
    """``describe(iri)`` plus the descriptions of its ``iri#fragment``
    sub-resources (an annotation's target and selectors), ``depth`` levels."""
    st = store()
    out = [st.describe(iri)]
    seen = {iri}
    frontier = [out[0]]
    for _ in range(depth):
        nxt = []
        for d in frontier:
            for s in d.statements:
                v = s.value
                if isinstance(v, ox.NamedNode) and v.value.startswith(iri + "#") and v.value not in seen:
                    seen.add(v.value)
                    sub = st.describe(v.value)
                    if sub.exists:
                        out.append(sub)
                        nxt.append(sub)
        frontier = nxt
    return out


def rdf_quads(docs: list[Description]) -> list[ox.Quad]:
    """The answer graph: each description's arcs (in their named graphs;
    one level of blank nodes) and ``rdfs:label`` of every linked IRI."""
    quads: list[ox.Quad] = []
    seen: set = set()
    label = ox.NamedNode(RDFS + "label")
    described = {d.iri for d in docs}

    def add(s, p, o, gname=None):
        q = ox.Quad(s, p, o, ox.NamedNode(gname) if gname else ox.DefaultGraph())
        if q not in seen:
            seen.add(q)
            quads.append(q)

    for d in docs:
        s = ox.NamedNode(d.iri)
        for st in d.statements:
            p = ox.NamedNode(st.predicate)
            for gname in st.graphs or (None,):
                add(s, p, st.value, gname)
                if isinstance(st.value, ox.BlankNode):
                    for bp, bo in st.nested:
                        add(st.value, ox.NamedNode(bp), bo, gname)
    for d in docs:
        linked = {st.value.value for st in d.statements if isinstance(st.value, ox.NamedNode)}
        linked |= {st.predicate for st in d.statements}
        for other in sorted(linked - described):
            for tag, text in sorted(d.labels.get(other, {}).items()):
                lit = ox.Literal(text, language=tag) if tag else ox.Literal(text)
                if ox.Quad(ox.NamedNode(other), label, lit, ox.DefaultGraph()) not in seen:
                    add(ox.NamedNode(other), label, lit)
    return quads


def serialize(quads: list[ox.Quad], fmt: Format) -> bytes:
    if fmt.kind == "dataset":
        return ox.serialize(quads, format=fmt.to_oxigraph(),
                            prefixes=PREFIXES if fmt.name == "trig" else None)
    triples = list(dict.fromkeys(q.triple for q in quads))
    prefixes = PREFIXES if fmt.name in ("ttl", "rdfxml") else None
    return ox.serialize(triples, format=fmt.to_oxigraph(), prefixes=prefixes)


def rdf_response(quads: list[ox.Quad], fmt: Format, etag: str, modified: datetime, *,
                 canonical: str | None = None, html_url: str | None = None) -> Response:
    resp = Response(serialize(quads, fmt), 200, content_type=fmt.content_type)
    links = []
    if canonical:
        links.append(f'<{canonical}>; rel="canonical"')
    if html_url:
        links.append(f'<{html_url}>; rel="alternate"; type="text/html"')
    if links:
        resp.headers["Link"] = ", ".join(links)
    return finish(resp, etag, modified, cors=True)


# ---------------------------------------------------------------- paths → IRIs
def path_ok(path: str) -> bool:
    """Whether a request path can name an IRI: no empty, ``.`` or ``..``
    segments, no control characters, spaces or characters IRIs forbid,
    no encoded slashes in the raw request line."""
    if not path or len(path) > 2000:
        return False
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    if re.search(r"%2f|%5c|%00", raw.split("?", 1)[0], re.I):
        return False
    for seg in path.split("/"):
        if seg in ("", ".", "..") or not _SAFE_SEGMENT.match(seg) or "\ufffd" in seg:
            return False
    return True


def split_suffix(path: str) -> tuple[str, str | None]:
    """``id/x.ttl`` → (``id/x``, ``ttl``); paths without a known suffix
    unchanged."""
    m = re.match(r"^(.+)\.(html|htm|" + "|".join(RDF_EXTENSIONS) + r")$", path)
    if not m:
        return path, None
    ext = m.group(2)
    if ext in ("html", "htm"):
        return m.group(1), "html"
    f = formats.by_extension("x." + ext, formats.GRAPH)
    return (m.group(1), f.name) if f else (path, None)


# ---------------------------------------------------------------- the views
@bp.route("/id/<path:rest>", methods=["GET"])
def entity(rest: str) -> Response:
    return dereference("id/" + rest)


@bp.route("/graph/<path:rest>", methods=["GET"])
def named_graph(rest: str) -> Response:
    return dereference("graph/" + rest)


def dereference(path: str) -> Response:
    """Answer for the IRI ``{base}{path}`` (see the module docstring)."""
    ui_lang()
    if not path_ok(path):
        return error_page(404, "not_found", t("not_found_text"))
    stem, suffix = split_suffix(path)
    override = suffix or request.args.get("format") or None
    variant, err = choose_or_error(override)
    if err is not None:
        return err
    vname = variant if isinstance(variant, str) else variant.name
    etag, modified, nm = conditional(vname)
    if nm is not None:
        return nm
    b = base()
    try:
        iri = b + stem
        docs = describe_document(iri)
        if not _exists(docs[0]) and suffix:
            # not a format suffix after all: an IRI that ends in ".ttl"
            iri, suffix = b + path, None
            if request.args.get("format") is None:
                variant = choose(request.headers.get("Accept"))
                if variant is None:
                    return error_page(406, "not_acceptable", f"this resource is offered as {offered()}")
            docs = describe_document(iri)
        if not _exists(docs[0]):
            return error_page(404, "not_found", t("not_found_text"), iri=iri)
    except ValueError:
        return error_page(404, "not_found", t("not_found_text"))
    except StoreError as e:
        return error_page(e.status if e.status >= 500 else 503, "unavailable", str(e))
    if isinstance(variant, Format):
        return rdf_response(rdf_quads(docs), variant, etag, modified, canonical=iri,
                            html_url=script_root() + (local_path(iri) or "/") + ".html")
    try:
        model = entity_model(iri, docs)
    except StoreError as e:
        return error_page(e.status if e.status >= 500 else 503, "unavailable", str(e))
    html = render_template("pages/entity.html", e=model, **chrome(title=model["title"]))
    resp = Response(html, 200, content_type="text/html; charset=utf-8")
    resp.headers["Link"] = f'<{iri}>; rel="canonical"'
    return finish(resp, etag, modified)


def _exists(d: Description) -> bool:
    """Whether the graph knows ``d.iri``: as a subject, or as the object of
    some arc (a named graph, a time instant, a unit)."""
    return d.exists or store().inbound(d.iri, limit=1).total > 0


# ---------------------------------------------------------------- entity model
def _lits(docs: list[Description], pred: str) -> list[ox.Literal]:
    return [s.value for s in docs[0].statements if s.predicate == pred and isinstance(s.value, ox.Literal)]


def _objs(docs: list[Description], pred: str) -> list[str]:
    return [s.value.value for s in docs[0].statements
            if s.predicate == pred and isinstance(s.value, ox.NamedNode)]


def entity_model(iri: str, docs: list[Description]) -> dict[str, Any]:
    """Everything the entity template shows, from a few facade calls."""
    lang = ui_lang()
    st = store()
    L = Labels(lang)
    for d in docs:
        L.add(d.labels)
    main = docs[0]
    types = _objs(docs, RDF + "type")
    inferred_graph = base() + "graph/inferred"
    type_graphs = {s.value.value: s.graphs for s in main.statements
                   if s.predicate == RDF + "type" and isinstance(s.value, ox.NamedNode)}
    # superclasses from the ontology
    supers: list[str] = []
    if types:
        vals = " ".join(f"<{t_}>" for t_ in types if _iri_ok(t_))
        if vals:
            rows = st.select(f"SELECT DISTINCT ?sup WHERE {{ VALUES ?c {{ {vals} }} "
                             f"?c <{RDFS}subClassOf>+ ?sup FILTER(isIRI(?sup)) }} ORDER BY ?sup")
            supers = [r["sup"].value for r in rows if r["sup"].value not in types]
    L.want(*supers)
    is_place = any(x in (FP + "Place", SCHEMA + "Place") for x in types + supers) or \
        bool(_objs(docs, SCHEMA + "containedInPlace"))
    is_obs = QB + "Observation" in types

    # breadcrumbs and children for places
    crumbs: list[str] = []
    children: list[str] = []
    if is_place:
        rows = st.select(f"SELECT ?a ?p WHERE {{ <{iri}> <{SCHEMA}containedInPlace>* ?a "
                         f"OPTIONAL {{ ?a <{SCHEMA}containedInPlace> ?p }} }}", limit=200)
        parent = {}
        for r in rows:
            if "p" in r and isinstance(r["p"], ox.NamedNode):
                parent.setdefault(r["a"].value, r["p"].value)
        cur, chain = iri, []
        while cur in parent and parent[cur] not in chain and len(chain) < 30:
            cur = parent[cur]
            chain.append(cur)
        crumbs = chain[::-1]
        rows = st.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{SCHEMA}containedInPlace> <{iri}> }} "
                         f"ORDER BY ?c LIMIT 500")
        children = [r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)]
        L.want(*crumbs, *children)

    # figures about this (area or entity)
    figures = figure_rows(iri, L) if not is_obs else []

    # provenance: annotations on this entity, outside sources
    prov = provenance(iri, L)
    sources = citations(_objs(docs, DCT + "source"))

    # inbound links, grouped by property with counts, paged per property
    inbound = inbound_groups(iri, L)

    # property groups: the descriptions already carry the labels of every
    # predicate and linked IRI (GraphStore.describe), added to L above
    L.want(*types)
    L.fetch()
    figures = figure_links(figures, L)
    inbound = inbound_view(inbound, L)
    groups = property_groups(main, L, inferred_graph)
    parts = []
    for d in docs[1:]:
        parts.append({"id": d.iri.split("#", 1)[1], "iri": d.iri,
                      "groups": property_groups(d, L, inferred_graph, skip_names=False)})

    labels = main.labels.get(iri, {})
    title = pick(labels, lang)
    if title is None:
        title = (fallback_label(iri, lang), "")
    other_lang = "en" if lang == "zh" else "zh"
    other = pick({k: v for k, v in labels.items() if k.lower() != "zh-latn-pinyin"}, other_lang)
    if other and (other[0] == title[0] or other[1].lower() == title[1].lower()):
        other = None
    pinyin = next((v for k, v in labels.items() if k.lower() == "zh-latn-pinyin"), None)
    if pinyin == title[0]:
        pinyin = None

    type_links = [(L.link(x), inferred_graph in type_graphs.get(x, ()) and len(type_graphs[x]) == 1)
                  for x in types]
    type_links += [(L.link(x), True) for x in supers]
    type_links.sort(key=lambda tl: tl[1])  # asserted types first
    value_card = observation_card(main, L) if is_obs else None
    rid = report_id(iri)
    page = script_root() + (local_path(iri) or "/")
    downloads = [(f.label, f"{page}.{f.extension}", f.media_type) for f in formats.GRAPH]
    jsonld = serialize(rdf_quads(docs), formats.by_name("jsonld"))
    charts = []
    if is_place and figures:
        from .site import place_charts

        charts = place_charts(iri, lang)
    return {
        "iri": iri, "title": title[0], "title_lang": title[1], "other": other, "pinyin": pinyin,
        "types": type_links, "crumbs": [L.link(x) for x in crumbs], "children": [L.link(x) for x in children],
        "self_link": L.link(iri), "groups": groups, "parts": parts, "figures": figures,
        "provenance": prov, "sources": sources, "inbound": inbound, "value_card": value_card,
        "report_url": url_for_path(f"/report/{rid}") if rid and report_text(rid) else None,
        "downloads": downloads, "jsonld": json_for_script(jsonld), "charts": charts,
        "sparql": sparql_link(f"SELECT ?property ?value WHERE {{\n  <{iri}> ?property ?value\n}}\nORDER BY ?property"),
        "truncated": main.truncated, "is_place": is_place, "is_obs": is_obs,
    }


def _iri_ok(iri: str) -> bool:
    return bool(iri) and not any(c in '<>"{}|^`\\ \t\n\r' for c in iri)


def property_groups(d: Description, L: Labels, inferred_graph: str, *, skip_names: bool = False):
    by_pred: dict[str, list[Value]] = {}
    one = {s.predicate: s.value for s in d.statements}
    measure = one.get(QB + "measureType")
    measure = measure.value if isinstance(measure, ox.NamedNode) else None
    unit, qual = one.get(SDMX_ATT + "unitMeasure"), one.get(FP + "qualifier")
    for s in d.statements:
        if s.predicate == RDF + "type":
            continue
        if s.predicate == measure and isinstance(s.value, ox.Literal):
            v = Value(text=format_amount(s.value.value, unit.value if isinstance(unit, ox.NamedNode) else None,
                                         qual.value if isinstance(qual, ox.NamedNode) else None, L.lang),
                      kind="number")
            by_pred.setdefault(s.predicate, []).append(v)
            continue
        v = to_value(s.value, L)
        v.graphs = s.graphs
        if isinstance(s.value, ox.BlankNode):
            v.nested = [(L.link(bp), to_value(bo, L)) for bp, bo in s.nested]
        by_pred.setdefault(s.predicate, []).append(v)
    groups: dict[str, list[tuple[Link, list[Value]]]] = {}
    order = {p: i for i, (_, ps) in enumerate(GROUPS) for p in ps}
    if measure:  # the measure's value opens the "figure" group
        order[measure] = [n for n, _ in GROUPS].index("figure") - 0.5
    for p in sorted(by_pred, key=lambda p: (order.get(p, 999), _pos(p), L.label(p)[0])):
        name = "figure" if p == measure else GROUP_OF.get(p, "other")
        if skip_names and name == "names":
            continue
        groups.setdefault(name, []).append((L.link(p), sort_values(by_pred[p])))
    keys = [n for n, _ in GROUPS] + ["other"]
    return [(k, groups[k]) for k in keys if k in groups]


def _pos(p: str) -> int:
    for _, ps in GROUPS:
        if p in ps:
            return ps.index(p)
    return 0


def sort_values(vals: list[Value]) -> list[Value]:
    rank = {"zh": 0, "zh-hans": 0, "en": 1, "zh-latn-pinyin": 2}
    return sorted(vals, key=lambda v: (v.link is None, rank.get(v.lang.lower(), 3),
                                       (v.link.label if v.link else v.text)))


def to_value(term: Any, L: Labels) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(link=L.link(term.value), kind="iri")
    if isinstance(term, ox.BlankNode):
        return Value(text=t("blank"), kind="blank")
    if isinstance(term, ox.Literal):
        v = literal_value(term, L.lang)
        if v.datatype and v.kind not in ("number", "boolean", "link"):
            v.note = qname(v.datatype) or v.datatype
        return v
    return Value(text=str(term))


def observation_card(d: Description, L: Labels) -> dict[str, Any] | None:
    one = {}
    for s in d.statements:
        one.setdefault(s.predicate, s.value)
    measure = one.get(QB + "measureType")
    if not isinstance(measure, ox.NamedNode):
        return None
    value = one.get(measure.value)
    unit = one.get(SDMX_ATT + "unitMeasure")
    qual = one.get(FP + "qualifier")
    if not isinstance(value, ox.Literal):
        return None
    lang = L.lang
    card = {
        "measure": L.link(measure.value),
        "value": format_amount(value.value, unit.value if unit else None, qual.value if qual else None, lang),
        "unit": L.link(unit.value) if isinstance(unit, ox.NamedNode) else None,
        "printed": one.get(FP + "printedValue").value if isinstance(one.get(FP + "printedValue"), ox.Literal) else None,
    }
    for key, p in (("area", SDMX_DIM + "refArea"), ("period", SDMX_DIM + "refPeriod"), ("subject", FP + "subject"),
                   ("qualifier", FP + "qualifier"), ("flow", FP + "flowType"), ("method", FP + "method"),
                   ("about", FP + "aboutEntity"), ("baseline", FP + "baseline")):
        v = one.get(p)
        card[key] = L.link(v.value) if isinstance(v, ox.NamedNode) else None
    return card


def figure_rows(iri: str, L: Labels) -> list[dict[str, Any]]:
    """Every figure whose area is ``iri`` or which is about ``iri`` (at most
    ``FIGURES_MAX``), with the annotation locating each in its report.

    Only single-pattern OPTIONALs and a separate join for the annotations:
    Oxigraph evaluates a group inside OPTIONAL on its own, which on a large
    graph means scanning every annotation."""
    q = f"""SELECT ?obs ?how ?measure ?value ?unit ?period ?expr ?subject ?qual ?flow ?printed WHERE {{
  {{ SELECT ?obs ?how WHERE {{ {{ ?obs <{SDMX_DIM}refArea> <{iri}> BIND("area" AS ?how) }}
                             UNION {{ ?obs <{FP}aboutEntity> <{iri}> BIND("about" AS ?how) }} }} LIMIT {FIGURES_MAX * 2} }}
  ?obs <{QB}measureType> ?measure . ?obs ?measure ?value .
  OPTIONAL {{ ?obs <{SDMX_ATT}unitMeasure> ?unit }}
  OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }}
  OPTIONAL {{ ?period <{FP}expression> ?expr }}
  OPTIONAL {{ ?obs <{FP}subject> ?subject }}
  OPTIONAL {{ ?obs <{FP}qualifier> ?qual }}
  OPTIONAL {{ ?obs <{FP}flowType> ?flow }}
  OPTIONAL {{ ?obs <{FP}printedValue> ?printed }}
}} ORDER BY ?how ?measure ?obs"""
    rows = store().select(q)
    seen: dict[str, dict[str, Any]] = {}
    exprs: dict[str, set[str]] = {}
    for r in rows:
        o = r["obs"].value
        if isinstance(r.get("expr"), ox.Literal):
            # a period can be worded several ways in one report (如今, 目前): keep every wording
            exprs.setdefault(o, set()).add(r["expr"].value)
        if o in seen:
            continue
        seen[o] = r
        for k in ("measure", "unit", "period", "subject", "qual", "flow"):
            if isinstance(r.get(k), ox.NamedNode):
                L.want(r[k].value)
        L.want(o)
    out = []
    lang = L.lang
    chosen = list(seen.items())[:FIGURES_MAX]
    anns: dict[str, str] = {}
    if chosen:
        vals = " ".join(f"<{o}>" for o, _ in chosen if _iri_ok(o))
        for r in store().select(f"SELECT ?obs ?a WHERE {{ VALUES ?obs {{ {vals} }} ?a <{OA}hasBody> ?obs ; "
                                f"<{OA}hasTarget> ?t . ?t <{OA}hasSelector> ?ps . ?ps <{OA}start> ?start }} "
                                f"ORDER BY ?obs ?start ?a"):
            anns.setdefault(r["obs"].value, r["a"].value)
    for o, r in chosen:
        unit = r["unit"].value if isinstance(r.get("unit"), ox.NamedNode) else None
        qual = r["qual"].value if isinstance(r.get("qual"), ox.NamedNode) else None
        ann = anns.get(o)
        out.append({"obs": o, "how": r["how"].value, "r": r, "unit": unit, "qual": qual, "ann": ann,
                    "value_text": format_amount(r["value"].value, unit, qual, lang)
                    if isinstance(r.get("value"), ox.Literal) else "",
                    "printed": r["printed"].value if isinstance(r.get("printed"), ox.Literal) else "",
                    "expr": sorted(exprs.get(o, ()))})
    return out


def figure_links(raw: list[dict[str, Any]], L: Labels) -> list[dict[str, Any]]:
    """``figure_rows`` output as links, once the labels are fetched."""
    out = []
    for x in raw:
        r = x["r"]
        link = lambda k: L.link(r[k].value) if isinstance(r.get(k), ox.NamedNode) else None  # noqa: E731
        out.append({
            "obs": L.link(x["obs"]), "how": x["how"], "measure": link("measure"), "value": x["value_text"],
            "unit": L.link(x["unit"]) if x["unit"] else None, "period": link("period"),
            "expr": x["expr"], "subject": link("subject"), "flow": link("flow"), "qualifier": link("qual"),
            "printed": x["printed"], "quote": report_anchor(x["ann"]) if x["ann"] else None,
        })
    return out


def report_anchor(annotation: str) -> str | None:
    """The report-view URL of an annotation ``{base}id/annotation/{rid}/{slug}``."""
    b = base() + "id/annotation/"
    if not annotation.startswith(b):
        return None
    rid, _, slug = annotation[len(b):].partition("/")
    if not _RID.match(rid) or not re.fullmatch(r"[A-Za-z0-9_.-]+", slug or ""):
        return None
    return url_for_path(f"/report/{rid}") + f"#a-{slug}"


def provenance(iri: str, L: Labels) -> list[dict[str, Any]]:
    q = f"""SELECT ?a ?src ?start ?end ?exact WHERE {{
  {{ SELECT ?a ?t ?src WHERE {{ ?a <{OA}hasBody> <{iri}> ; <{OA}hasTarget> ?t . ?t <{OA}hasSource> ?src }} LIMIT 400 }}
  ?t <{OA}hasSelector> ?sel .
  OPTIONAL {{ ?sel <{OA}start> ?start }} OPTIONAL {{ ?sel <{OA}end> ?end }} OPTIONAL {{ ?sel <{OA}exact> ?exact }}
}} ORDER BY ?src ?a"""
    merged: dict[str, dict[str, Any]] = {}
    for r in store().select(q):
        m = merged.setdefault(r["a"].value, {"src": r["src"].value})
        for k in ("start", "end", "exact"):
            if r.get(k) is not None:
                m.setdefault(k, r[k])
    ordered = sorted(merged.items(), key=lambda kv: (kv[1]["src"], _int(kv[1].get("start")) or 0, kv[0]))
    out = []
    for a, r in ordered[:200]:
        src = r["src"]
        rid = report_id(src)
        start = _int(r.get("start"))
        end = _int(r.get("end"))
        exact = r["exact"].value if isinstance(r.get("exact"), ox.Literal) else ""
        item = {"annotation": a, "before": "", "span": exact, "after": "", "url": report_anchor(a),
                "source": src}
        rep = report_text(rid) if rid else None
        if rep and start is not None and end is not None and 0 <= start <= end <= len(rep.text) \
                and (not exact or rep.text[start:end] == exact):
            item["before"], item["span"], item["after"] = sentence_around(rep.text, start, end)
        elif not rep:
            item["url"] = href(src)
        L.want(src)
        out.append(item)
    return out


def _int(term: Any) -> int | None:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def citations(sources: list[str]) -> list[dict[str, Any]]:
    """Title, publisher, URL and note of each cited outside source."""
    sources = [s for s in dict.fromkeys(sources) if _iri_ok(s)]
    if not sources:
        return []
    vals = " ".join(f"<{s}>" for s in sources)
    q = f"""SELECT ?s ?title ?pub ?url ?note WHERE {{ VALUES ?s {{ {vals} }}
  OPTIONAL {{ ?s <{DCT}title> ?title }} OPTIONAL {{ ?s <{DCT}publisher> ?pub }}
  OPTIONAL {{ ?s <{SCHEMA}url> ?url }} OPTIONAL {{ ?s <{SKOS}editorialNote> ?note }} }} ORDER BY ?s"""
    out: dict[str, dict[str, Any]] = {}
    for r in store().select(q):
        s = r["s"].value
        c = out.setdefault(s, {"iri": s, "href": href(s), "title": "", "publisher": "", "url": None, "note": ""})
        for k, key in (("title", "title"), ("pub", "publisher"), ("note", "note")):
            if isinstance(r.get(k), (ox.Literal,)) and not c[key]:
                c[key] = r[k].value
            elif isinstance(r.get(k), ox.NamedNode) and not c[key]:
                c[key] = r[k].value
        u = r.get("url")
        if u is not None and re.match(r"^https?://[^\s<>\"]+$", u.value) and not c["url"]:
            c["url"] = u.value
    for s in sources:
        out.setdefault(s, {"iri": s, "href": href(s), "title": fallback_label(s, "en"), "publisher": "",
                           "url": None, "note": ""})
    return [out[s] for s in sources]


def inbound_groups(iri: str, L: Labels) -> dict[str, Any]:
    """Links into ``iri`` grouped by property with counts; one page of each
    group (``?in=<property>&page=N`` pages one group)."""
    st = store()
    rows = st.select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{iri}> }} GROUP BY ?p ORDER BY ?p",
                     limit=500)
    groups = []
    focus = request.args.get("in")
    try:
        page = max(0, int(request.args.get("page", "0")))
    except ValueError:
        page = 0
    page = min(page, 100000)
    total = 0
    for r in rows:
        p = r["p"].value
        n = int(r["n"].value)
        total += n
        pg = page if focus == p else 0
        subs = st.select(f"SELECT DISTINCT ?s WHERE {{ ?s <{p}> <{iri}> }} ORDER BY ?s "
                         f"LIMIT {INBOUND_PAGE} OFFSET {pg * INBOUND_PAGE}") if _iri_ok(p) else []
        subjects = [x["s"] for x in subs]
        L.want(p, *(s.value for s in subjects if isinstance(s, ox.NamedNode)))
        pages = (n + INBOUND_PAGE - 1) // INBOUND_PAGE
        groups.append({"p": p, "count": n, "subjects": subjects, "page": pg, "pages": pages})
    return {"total": total, "groups": groups}


def inbound_view(inb: dict[str, Any], L: Labels) -> dict[str, Any]:
    here = script_root() + request.path
    out = []
    for gr in inb["groups"]:
        def page_url(n: int, p=gr["p"]) -> str:
            return with_lang(here + "?" + urlencode({"in": p, "page": n})) + "#inbound"
        out.append({
            "p": L.link(gr["p"]), "count": gr["count"],
            "items": [L.link(s.value) if isinstance(s, ox.NamedNode) else Link("", t("blank"))
                      for s in gr["subjects"]],
            "page": gr["page"], "pages": gr["pages"],
            "prev": page_url(gr["page"] - 1) if gr["page"] > 0 else None,
            "next": page_url(gr["page"] + 1) if gr["page"] + 1 < gr["pages"] else None,
        })
    return {"total": inb["total"], "groups": out}

