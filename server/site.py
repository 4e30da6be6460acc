"""Site pages: the home page, the annotated report view, the ontology
documentation, label search, the dataset page with its downloads, the VoID
description at ``/.well-known/void``, and the charts (server-side SVG).

Everything reads the graph through the store facade; the report texts come
from the project's ``data/`` folder (see ``pages.report_text``); the dumps
from the build folder. Helpers for language, links, negotiation and caching
come from ``pages``.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, send_file

from fupin.config import ONTOLOGY_IRI
from fupin.graph import formats

from . import pages as P
from .pages import (DCT, FP, OA, OWL, QB, RDF, RDFS, SCHEMA, SDMX_ATT, SDMX_DIM, SKOS, VOID, Labels,
                    chrome, conditional, error_page, finish, t, ui_lang)
from .store import StoreError, not_provenance

bp = Blueprint("site", __name__)


@bp.after_request
def _after(resp: Response) -> Response:
    return P.compress(P.security_headers(resp))


def _unavailable(e: StoreError) -> Response:
    return error_page(503, "unavailable", str(e))


def _html(template: str, etag: str, modified, **ctx: Any) -> Response:
    resp = Response(render_template(template, **chrome(**ctx)), 200, content_type="text/html; charset=utf-8")
    return finish(resp, etag, modified)


# ================================================================ charts
CHARTS: list[dict[str, Any]] = [
    {"id": "investment", "title": ("按项目领域的投入资金", "Funds invested, by programme"),
     "bar": "subject", "subject": None,
     "panels": [((FP + "fundsInvested",), None)],
     "note": ("各项投入的时期不同、项目可能重叠，因此不相加，也不给出合计。",
              "The periods differ and programmes may overlap, so the amounts are not added up and no "
              "total is shown.")},
    {"id": "resettlement", "title": ("易地扶贫搬迁：各安置区的户数与人数",
                                     "Relocation: households and people, by site"),
     "bar": "area", "subject": "relocation",
     "panels": [((FP + "households",), FP + "households"), ((FP + "persons",), FP + "persons")],
     "note": ("单个安置区包含在全区的数字之内：并列显示，不相加。存量（截至某日）与流量（某次搬入）也不相加。",
              "A single site is part of the district's figure: shown side by side, never added. Stocks "
              "(as of a date) and flows (one move-in) are not added either.")},
    {"id": "training", "title": ("技能培训与就业", "Training and jobs"),
     "bar": "measure", "subject": None,
     "panels": [((FP + "trainees",), FP + "trainees"), ((FP + "personsEmployed",), FP + "personsEmployed"),
                ((FP + "trainingSessions",), FP + "trainingSessions"), ((FP + "jobsCreated",), FP + "jobsCreated")],
     "note": ("每组使用各自的刻度：培训人数、就业人数、培训期数和开发就业岗位数是不同种类的数，不共用刻度，也不相加。",
              "Each panel has its own scale: trainees, people employed, training sessions and jobs created "
              "are different kinds of count, so they share no scale and are not added up.")},
]
PANEL_TITLES: dict[str, tuple[str, str]] = {}
"""Titles of panels named by a key rather than a measure IRI."""
FLOW_CLASS = {FP + "Stock": "stock", FP + "Flow": "flow", FP + "CumulativeFlow": "cumulative"}

CHART_W, LABEL_ROW, BAR_H, ROW_H, VALUE_W = 400, 30, 14, 56, 110


def place_charts(place: str, lang: str) -> list[dict[str, Any]]:
    """The chart models for the figures of ``place`` and the places within
    it. A chart shows one bar per printed figure; nothing is ever summed."""
    measures = sorted({m for c in CHARTS for ms, _ in c["panels"] for m in ms})
    st = P.store()
    # the place and the places within it first: one small query each is far
    # faster on a large graph than one query with the path inside
    areas = [r["a"].value for r in st.select(
        f"SELECT ?a WHERE {{ ?a <{SCHEMA}containedInPlace>* <{place}> }} LIMIT 5000")
        if isinstance(r.get("a"), ox.NamedNode) and P._iri_ok(r["a"].value)]
    if not areas:
        return []
    q = f"""SELECT ?obs ?measure ?value ?area ?period ?subject ?flow ?qual ?unit WHERE {{
  VALUES ?area {{ {" ".join(f"<{a}>" for a in areas)} }}
  ?obs <{SDMX_DIM}refArea> ?area ; <{QB}measureType> ?measure .
  FILTER(?measure IN ({", ".join(f"<{m}>" for m in measures)}))
  ?obs ?measure ?value .
  OPTIONAL {{ ?obs <{SDMX_DIM}refPeriod> ?period }} OPTIONAL {{ ?obs <{FP}subject> ?subject }}
  OPTIONAL {{ ?obs <{FP}flowType> ?flow }} OPTIONAL {{ ?obs <{FP}qualifier> ?qual }}
  OPTIONAL {{ ?obs <{SDMX_ATT}unitMeasure> ?unit }}
}} ORDER BY ?measure ?area ?obs LIMIT 400"""
    rows = st.select(q)
    L = Labels(lang)
    for r in rows:
        L.want(*(r[k].value for k in ("measure", "area", "period", "subject", "flow", "obs")
                 if isinstance(r.get(k), ox.NamedNode)))
    L.want(*measures)
    L.fetch()
    out = []
    base = P.base()
    for spec in CHARTS:
        subj = base + "id/concept/subject/" + spec["subject"] if spec["subject"] else None
        panels = []
        for ms, ptitle in spec["panels"]:
            bars: list[dict[str, Any]] = []
            for r in rows:
                if r["measure"].value not in ms or not isinstance(r.get("value"), ox.Literal):
                    continue
                if subj and (not isinstance(r.get("subject"), ox.NamedNode) or r["subject"].value != subj):
                    continue
                d = P._dec(r["value"].value)
                if d is None or d < 0:
                    continue
                key = {"subject": "subject", "area": "area", "measure": "measure"}[spec["bar"]]
                who = r.get(key)
                label = L.label(who.value)[0] if isinstance(who, ox.NamedNode) else "?"
                sub = []
                if isinstance(r.get("period"), ox.NamedNode):
                    sub.append(L.label(r["period"].value)[0])
                if isinstance(r.get("flow"), ox.NamedNode):
                    sub.append(L.label(r["flow"].value)[0])
                unit = r["unit"].value if isinstance(r.get("unit"), ox.NamedNode) else None
                qual = r["qual"].value if isinstance(r.get("qual"), ox.NamedNode) else None
                bars.append({"kind": (r["measure"].value, unit), "label": label, "sub": " · ".join(sub), "value": d,
                             "text": P.format_amount(r["value"].value, unit, qual, lang),
                             "href": P.href(r["obs"].value),
                             "flow": FLOW_CLASS.get(r["flow"].value if isinstance(r.get("flow"), ox.NamedNode)
                                                    else "", "other")})
            groups = panel_groups(bars)
            for kind, group in groups:
                if len(groups) > 1:  # never one scale for two kinds of figure
                    title = L.label(kind[0])[0] + (f" ({L.label(kind[1])[0]})" if kind[1] else "")
                elif ptitle in PANEL_TITLES:
                    title = PANEL_TITLES[ptitle][0 if lang == "zh" else 1]
                elif ptitle:
                    title = L.label(ptitle)[0]
                else:
                    title = None
                panels.append({"title": title, "bars": group, "max": max(b["value"] for b in group) or Decimal(1)})
        if not panels:
            continue
        out.append(_layout({"id": spec["id"], "title": spec["title"][0 if lang == "zh" else 1],
                            "note": spec["note"][0 if lang == "zh" else 1], "panels": panels}))
    return out


def panel_groups(bars: list[dict[str, Any]]) -> list[tuple[tuple, list[dict[str, Any]]]]:
    """The bars of one panel split by ``kind`` (measure and unit), so that
    figures of different kinds (people and jobs, sessions and yuan) never
    share a scale; each group sorted largest first, groups in order of first
    appearance.

    >>> g = panel_groups([{"kind": ("jobs", None), "value": 3011}, {"kind": ("sessions", None), "value": 134},
    ...                   {"kind": ("jobs", None), "value": 5}])
    >>> [(k[0], [b["value"] for b in bs]) for k, bs in g]
    [('jobs', [3011, 5]), ('sessions', [134])]
    """
    out: dict[tuple, list[dict[str, Any]]] = {}
    for b in bars:
        out.setdefault(tuple(b.get("kind") or ()), []).append(b)
    return [(k, sorted(v, key=lambda b: -b["value"])) for k, v in out.items()]


def _layout(chart: dict[str, Any]) -> dict[str, Any]:
    """Positions for the SVG: one row per bar (label above, bar below,
    value to the right), panels stacked, each with its own scale."""
    y = 8
    span = CHART_W - VALUE_W
    for p in chart["panels"]:
        if p["title"]:
            p["ty"] = y + 14
            y += 24
        for b in p["bars"]:
            b["ly"] = y + 13
            b["sy"] = y + 27
            b["by"] = y + LABEL_ROW + 4
            w = float(b["value"] / p["max"]) * span if p["max"] else 0
            b["w"] = round(max(w, 2.0), 1)
            # the value goes right of the bar, or inside its end when the bar is long
            est = sum(12.5 if ord(ch) > 0x2e80 else 7.0 for ch in b["text"]) + 8
            b["inside"] = b["w"] + 6 + est > CHART_W and b["w"] > est
            b["vx"] = round(b["w"] - 6 if b["inside"] else b["w"] + 6, 1)
            b["vy"] = b["by"] + BAR_H - 2
            y += ROW_H
        y += 8
    chart["w"], chart["h"] = CHART_W, y + 4
    return chart


# ================================================================ home
@bp.route("/", methods=["GET"])
def home() -> Response:
    lang = ui_lang()
    etag, modified, nm = conditional("home")
    if nm is not None:
        return nm
    try:
        ctx = home_model(lang)
    except StoreError as e:
        return _unavailable(e)
    return _html("site/home.html", etag, modified, title=t("site"), h=ctx)


def dataset_info(lang: str) -> dict[str, Any]:
    """The dataset's VoID/DCAT description (titles, description, licence,
    triples, classes, graphs), falling back to counting when the served
    data has no description."""
    st = P.store()
    ds = P.base() + "id/dataset"
    d = st.describe(ds)
    L = Labels(lang)
    L.add(d.labels)
    info: dict[str, Any] = {"iri": ds, "link": None, "title": None, "description": None, "license": None,
                            "triples": None, "citation": None, "classes": [], "graphs": []}
    lits: dict[str, dict[str, str]] = {}
    for s in d.statements:
        if isinstance(s.value, ox.Literal):
            lits.setdefault(s.predicate, {}).setdefault(s.value.language or "", s.value.value)
        elif s.predicate == DCT + "license" and isinstance(s.value, ox.NamedNode):
            info["license"] = s.value.value
    if d.exists:
        info["link"] = L.link(ds)
        info["title"] = P.pick(lits.get(DCT + "title"), lang)
        info["description"] = P.pick(lits.get(DCT + "description"), lang)
        info["citation"] = P.pick(lits.get(DCT + "bibliographicCitation"), lang)
        tr = lits.get(VOID + "triples", {}).get("")
        info["triples"] = int(tr) if tr and tr.isdigit() else None
        rows = st.select(f"""SELECT ?c ?n WHERE {{ <{ds}> <{VOID}classPartition> ?part .
            ?part <{VOID}class> ?c ; <{VOID}entities> ?n }} ORDER BY DESC(?n) ?c""")
        grows = st.select(f"""SELECT ?sub ?g ?n WHERE {{ <{ds}> <{VOID}subset> ?sub .
            OPTIONAL {{ ?sub <{SCHEMA}url> ?g }} OPTIONAL {{ ?sub <{VOID}triples> ?n }} }} ORDER BY ?g""")
    else:
        # no description: count typed resources, list the graphs (counting
        # every graph's triples would scan the whole store)
        rows = st.select("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 60")
        grows = st.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g LIMIT 100")
    for r in rows:
        if isinstance(r.get("c"), ox.NamedNode):
            L.want(r["c"].value)
    for r in grows:
        if isinstance(r.get("g"), ox.NamedNode):
            L.want(r["g"].value)
    L.fetch()
    info["classes"] = [(L.link(r["c"].value), int(r["n"].value)) for r in rows
                       if isinstance(r.get("c"), ox.NamedNode) and isinstance(r.get("n"), ox.Literal)]
    info["graphs"] = [(L.link(r["g"].value), int(r["n"].value) if isinstance(r.get("n"), ox.Literal) else None)
                      for r in grows if isinstance(r.get("g"), ox.NamedNode)]
    return info


def home_model(lang: str) -> dict[str, Any]:
    st = P.store()
    info = dataset_info(lang)
    L = Labels(lang)
    rows = st.select(f"""SELECT ?d (COUNT(DISTINCT ?o) AS ?n) WHERE {{
        VALUES ?cls {{ <{FP}District> <{FP}County> }} ?d a ?cls .
        OPTIONAL {{ ?o <{SDMX_DIM}refArea> ?d }} }} GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 6""")
    districts = [r["d"].value for r in rows if isinstance(r.get("d"), ox.NamedNode)]
    reports = st.select(f"""SELECT ?r ?date WHERE {{ ?r a <{SCHEMA}NewsArticle> .
        OPTIONAL {{ ?r <{SCHEMA}datePublished> ?date }} }} ORDER BY DESC(?date) ?r LIMIT 20""")
    L.want(*districts, *(r["r"].value for r in reports))
    main = districts[0] if districts else None
    townships, figures, charts = [], [], []
    if main:
        kids = st.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{SCHEMA}containedInPlace> <{main}> }} ORDER BY ?c "
                         f"LIMIT 200")
        townships = [r["c"].value for r in kids if isinstance(r.get("c"), ox.NamedNode)]
        L.want(*townships)
        figures = P.figure_rows(main, L)
        charts = place_charts(main, lang)
    L.fetch()
    figs = [f for f in P.figure_links(figures, L) if f["how"] == "area"]
    out_reports = []
    for r in reports:
        rid = P.report_id(r["r"].value)
        out_reports.append({"link": L.link(r["r"].value),
                            "date": r["date"].value[:10] if isinstance(r.get("date"), ox.Literal) else "",
                            "view": P.url_for_path(f"/report/{rid}") if rid and P.report_text(rid) else None})
    plumbing = (OA, "http://www.w3.org/ns/prov#", "http://www.w3.org/2006/time#", VOID,
                "http://www.w3.org/ns/dcat#", OWL)
    main_classes = [(c, n) for c, n in info["classes"] if not c.iri.startswith(plumbing)
                    or c.iri == OA + "Annotation"][:16]
    return {"info": info, "classes": main_classes, "districts": [L.link(x) for x in districts],
            "main": L.link(main) if main else None,
            "townships": [L.link(x) for x in townships], "figures": figs, "charts": charts,
            "reports": out_reports}


# ================================================================ report view
KINDS = [("obs", "figure", ("数字", "figure")), ("place", "place", ("地点", "place")),
         ("person", "person", ("人物", "person")), ("org", "org", ("机构", "organisation")),
         ("project", "project", ("项目", "project")), ("event", "event", ("活动", "event")),
         ("concept", "concept", ("概念", "concept")), ("time", "time", ("时间", "time")),
         ("report", "article", ("报道", "article"))]


def _kind(iri: str) -> tuple[str, str]:
    rest = iri[len(P.base()) + 3:] if iri.startswith(P.base() + "id/") else ""
    head = rest.split("/", 1)[0]
    for seg, cls, names in KINDS:
        if head == seg:
            return cls, names[0 if ui_lang() == "zh" else 1]
    return "other", t("other")


@bp.route("/report/<rid>", methods=["GET"])
def report_view(rid: str) -> Response:
    lang = ui_lang()
    rep = P.report_text(rid)
    if rep is None:
        return error_page(404, "not_found", "no such report on this server" if lang == "en" else "本服务器上没有这篇报道")
    etag, modified, nm = conditional("report")
    if nm is not None:
        return nm
    try:
        model = report_model(rep, lang)
    except StoreError as e:
        return _unavailable(e)
    return _html("site/report.html", etag, modified, title=model["title"], r=model)


def report_model(rep: P.ReportText, lang: str) -> dict[str, Any]:
    st = P.store()
    b = P.base()
    article = f"{b}id/report/{rep.rid}"
    text_iri = f"{article}/text"
    rows = st.select(f"""SELECT ?a ?body ?start ?end WHERE {{
        ?a <{OA}hasTarget> ?t ; <{OA}hasBody> ?body . ?t <{OA}hasSource> <{text_iri}> ; <{OA}hasSelector> ?ps .
        ?ps <{OA}start> ?start ; <{OA}end> ?end }} ORDER BY ?start ?a""")
    L = Labels(lang)
    anns: list[dict[str, Any]] = []
    seen = set()
    n = len(rep.text)
    for r in rows:
        a = r["a"].value
        if a in seen or not isinstance(r.get("body"), ox.NamedNode):
            continue
        s, e = P._int(r.get("start")), P._int(r.get("end"))
        if s is None or e is None or not 0 <= s < e <= n:
            continue
        seen.add(a)
        slug = a.rsplit("/", 1)[-1]
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", slug):
            continue
        kind, kind_label = _kind(r["body"].value)
        anns.append({"a": a, "slug": slug, "body": r["body"].value, "start": s, "end": e, "kind": kind,
                     "kind_label": kind_label})
        L.want(r["body"].value)
    L.want(article)
    L.fetch()
    for x in anns:
        x["link"] = L.link(x["body"])
        x["exact"] = rep.text[x["start"]:x["end"]]
    regions = []
    bs, be = rep.body
    for name, (lo, hi) in (("chrome-top", (0, bs)), ("body", (bs, be)), ("chrome-bottom", (be, n))):
        if hi > lo:
            regions.append({"name": name, "paras": _paragraphs(rep.text, lo, hi, anns)})
    title = L.label(article)[0]
    kinds = {}
    for x in anns:
        kinds.setdefault(x["kind"], [x["kind"], x["kind_label"], 0])[2] += 1
    return {"rid": rep.rid, "title": title, "article": L.link(article), "regions": regions,
            "facts": anns, "kinds": list(kinds.values()), "count": len(anns),
            "spans": len({(x["start"], x["end"]) for x in anns})}


def _paragraphs(text: str, lo: int, hi: int, anns: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The lines of ``text[lo:hi]`` as lists of segments; each segment knows
    the annotations covering it (innermost first) and which start there."""
    inside = [a for a in anns if a["start"] < hi and a["end"] > lo]
    paras = []
    pos = lo
    while pos < hi:
        nl = text.find("\n", pos, hi)
        end = hi if nl < 0 else nl
        ls = pos
        while ls < end and text[ls] in " \t\u3000":
            ls += 1
        if ls < end:
            paras.append(_segments(text, ls, end, inside))
        pos = end + 1
    return paras


def _segments(text: str, lo: int, hi: int, anns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    here = [a for a in anns if a["start"] < hi and a["end"] > lo]
    cuts = {lo, hi}
    for a in here:
        cuts.update(x for x in (a["start"], a["end"]) if lo < x < hi)
    cuts = sorted(cuts)
    starts: dict[int, list[str]] = {}
    for a in here:
        if lo <= a["start"] < hi:
            starts.setdefault(a["start"], []).append(a["slug"])
    segs = []
    for s, e in zip(cuts, cuts[1:]):
        cover = sorted((a for a in here if a["start"] <= s and a["end"] >= e), key=lambda a: a["end"] - a["start"])
        segs.append({"text": text[s:e], "cover": cover, "anchors": starts.get(s, []),
                     "depth": min(len(cover), 4),
                     "tip": "\n".join(f"{a['kind_label']}: {a['link'].label}" for a in cover[:8])})
    return segs


# ================================================================ ontology
_ONTO_CACHE: dict[tuple, Any] = {}
_ONTO_LOCK = threading.Lock()


def ontology_triples() -> list[ox.Triple]:
    """The ontology as served: the ``graph/ontology`` named graph, else the
    ontology file shipped with fupin."""
    key = ("triples", P.store().build_id, P.base())
    with _ONTO_LOCK:
        if key in _ONTO_CACHE:
            return _ONTO_CACHE[key]
    g = P.base() + "graph/ontology"
    res = P.store().query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", format="nt")
    triples = res.triples()
    if not triples:
        from fupin.ontology import ONTOLOGY

        triples = [q.triple if isinstance(q, ox.Quad) else q
                   for q in ox.parse(ONTOLOGY.read_bytes(), format=ox.RdfFormat.TURTLE)]
    with _ONTO_LOCK:
        _ONTO_CACHE[key] = triples
    return triples


@bp.route("/ontology", methods=["GET"])
@bp.route("/ontology<suffix>", methods=["GET"])
@bp.route("/ontology/<path:version>", methods=["GET"])
def ontology(suffix: str | None = None, version: str | None = None) -> Response:
    lang = ui_lang()
    override = request.args.get("format") or None
    if suffix is not None:
        m = re.fullmatch(r"\.([a-z]+)", suffix)
        stem, ext = P.split_suffix("ontology" + suffix)
        if not m or ext is None:
            return error_page(404, "not_found", t("not_found_text"))
        override = ext
    if version is not None:
        v, ext = P.split_suffix(version)
        if not re.fullmatch(r"\d+\.\d+\.\d+", v):
            return error_page(404, "not_found", t("not_found_text"))
        override = ext or override
    variant, err = P.choose_or_error(override, "the ontology")
    if err is not None:
        return err
    vname = variant if isinstance(variant, str) else variant.name
    etag, modified, nm = conditional("ontology-" + vname)
    if nm is not None:
        return nm
    try:
        triples = ontology_triples()
        if version is not None:
            vi = [t_ for t_ in triples if t_.predicate.value == OWL + "versionIRI"]
            if not any(x.object.value == f"{ONTOLOGY_IRI}/{P.split_suffix(version)[0]}" for x in vi):
                return error_page(404, "not_found", t("not_found_text"))
        if not isinstance(variant, str):
            quads = [ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in triples]
            return P.rdf_response(quads, variant, etag, modified, canonical=ONTOLOGY_IRI)
        model = ontology_model(lang)
    except StoreError as e:
        return _unavailable(e)
    resp = _html("site/ontology.html", etag, modified, title=model["title"] or t("ontology"), o=model)
    resp.headers["Link"] = f'<{ONTOLOGY_IRI}>; rel="canonical"'
    return resp


def _rdf_list(by_s: dict, head) -> list:
    out, seen = [], set()
    while head is not None and str(head) not in seen and len(out) < 200:
        seen.add(str(head))
        props = by_s.get(head, {})
        first = props.get(RDF + "first")
        if not first:
            break
        out.append(first[0])
        rest = props.get(RDF + "rest")
        if not rest or (isinstance(rest[0], ox.NamedNode) and rest[0].value == RDF + "nil"):
            break
        head = rest[0]
    return out


def ontology_model(lang: str) -> dict[str, Any]:
    key = ("model", P.store().build_id, P.base(), lang, P.script_root(), bool(P.g.get("lang_explicit")))
    with _ONTO_LOCK:
        if key in _ONTO_CACHE:
            return _ONTO_CACHE[key]
    triples = ontology_triples()
    by_s: dict[Any, dict[str, list]] = {}
    for x in triples:
        by_s.setdefault(x.subject, {}).setdefault(x.predicate.value, []).append(x.object)
    onto = ox.NamedNode(ONTOLOGY_IRI)

    def lits(s, p) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in by_s.get(s, {}).get(p, []):
            if isinstance(o, ox.Literal):
                out.setdefault(o.language or "", o.value)
        return out

    def iris(s, p) -> list[str]:
        return [o.value for o in by_s.get(s, {}).get(p, []) if isinstance(o, ox.NamedNode)]

    L = Labels(lang)
    onto_labels = {}
    for s, props in by_s.items():
        if isinstance(s, ox.NamedNode):
            ls = {}
            for p in (RDFS + "label", SKOS + "prefLabel"):
                for o in props.get(p, []):
                    if isinstance(o, ox.Literal):
                        ls.setdefault(o.language or "", o.value)
            if ls:
                onto_labels[s.value] = ls
    L.add(onto_labels)
    types_of = {s: set(iris(s, RDF + "type")) for s in by_s}
    ours = lambda s: isinstance(s, ox.NamedNode) and s.value.startswith(FP)  # noqa: E731
    classes = sorted((s for s in by_s if OWL + "Class" in types_of[s] and ours(s)), key=lambda s: s.value)
    props_kinds = (OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty")
    props = sorted((s for s in by_s if ours(s) and types_of[s] & set(props_kinds)), key=lambda s: s.value)
    indivs = sorted((s for s in by_s if ours(s) and OWL + "NamedIndividual" in types_of[s]),
                    key=lambda s: s.value)
    reused = sorted((s for s in by_s if isinstance(s, ox.NamedNode) and not ours(s) and s != onto
                     and types_of[s] & ({OWL + "Class"} | set(props_kinds))), key=lambda s: s.value)
    # disjointness: owl:disjointWith and owl:AllDisjointClasses
    disjoint: dict[str, set[str]] = {}
    for s, pr in by_s.items():
        for o in pr.get(OWL + "disjointWith", []):
            if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                disjoint.setdefault(s.value, set()).add(o.value)
                disjoint.setdefault(o.value, set()).add(s.value)
        if OWL + "AllDisjointClasses" in types_of.get(s, set()):
            for head in pr.get(OWL + "members", []):
                members = [m.value for m in _rdf_list(by_s, head) if isinstance(m, ox.NamedNode)]
                for m in members:
                    disjoint.setdefault(m, set()).update(x for x in members if x != m)
    subs: dict[str, list[str]] = {}
    for s in by_s:
        for sup in iris(s, RDFS + "subClassOf"):
            if isinstance(s, ox.NamedNode):
                subs.setdefault(sup, []).append(s.value)
    # instance counts (with subclasses) and a few examples per class
    st = P.store()
    # direct instances per class (one grouped count), and with subclasses
    # as the sum over the class tree (fupin gives each resource one class of
    # its own; a closure query would be far slower on a large graph)
    direct: dict[str, int] = {}
    try:
        for r in st.select("SELECT ?c (COUNT(?i) AS ?n) WHERE { ?i a ?c } GROUP BY ?c", limit=10000):
            if isinstance(r.get("c"), ox.NamedNode):
                direct[r["c"].value] = int(r["n"].value)
    except StoreError:
        pass

    def total(c: str, seen: set[str]) -> int:
        if c in seen:
            return 0
        seen.add(c)
        return direct.get(c, 0) + sum(total(x, seen) for x in subs.get(c, []))

    counts = {c.value: total(c.value, set()) for c in classes}
    examples: dict[str, list[str]] = {}
    for c in classes:
        if direct.get(c.value):
            rows = st.select(f"SELECT ?i WHERE {{ ?i a <{c.value}> FILTER(isIRI(?i)) }} LIMIT 8")
            examples[c.value] = sorted(r["i"].value for r in rows)
            L.want(*examples[c.value])
    L.fetch()

    def anchor(iri: str) -> str:
        return iri[len(FP):] if iri.startswith(FP) else re.sub(r"[^A-Za-z0-9_-]", "_", P.qname(iri) or iri)

    def link(iri: str):
        lk = L.link(iri)
        if iri.startswith(FP):
            lk.href = P.with_lang(P.script_root() + "/ontology") + "#" + anchor(iri)
        return lk

    def term(s) -> dict[str, Any]:
        i = s.value
        labels = lits(s, RDFS + "label")
        defs = lits(s, SKOS + "definition") or lits(s, RDFS + "comment")
        return {
            "iri": i, "anchor": anchor(i), "qname": P.qname(i) or i,
            # the reader's language, else the other one (like every other page)
            "name": P.pick(labels, lang), "definition": P.pick(defs, lang),
            "types": [link(x) for x in sorted(types_of[s]) if x not in (OWL + "NamedIndividual",)],
            "supers": [link(x) for x in iris(s, RDFS + "subClassOf")],
            "subs": [link(x) for x in sorted(subs.get(i, []))],
            "disjoint": [link(x) for x in sorted(disjoint.get(i, []))],
            "domain": [link(x) for x in iris(s, RDFS + "domain")],
            "range": [link(x) for x in iris(s, RDFS + "range")],
            "superprops": [link(x) for x in iris(s, RDFS + "subPropertyOf")],
            "codelist": [link(x) for x in iris(s, QB + "codeList")],
            "scheme": [link(x) for x in iris(s, SKOS + "inScheme")],
            "notation": [o.value for o in by_s.get(s, {}).get(SKOS + "notation", []) if isinstance(o, ox.Literal)],
            "count": counts.get(i, 0), "direct": direct.get(i, 0),
            "examples": [L.link(x) for x in examples.get(i, [])],
            "instances_query": P.sparql_link(f"SELECT ?instance WHERE {{\n  ?instance a <{i}>\n}}\nORDER BY ?instance"),
        }

    meta = {
        "title": P.pick(lits(onto, DCT + "title"), lang),
        "description": P.pick(lits(onto, DCT + "description"), lang),
        "version": next(iter(lits(onto, OWL + "versionInfo").values()), None),
        "version_iri": next(iter(iris(onto, OWL + "versionIRI")), None),
        "license": next(iter(iris(onto, DCT + "license")), None),
        "prefix": next(iter(lits(onto, "http://purl.org/vocab/vann/preferredNamespacePrefix").values()), "fp"),
    }
    model = {
        "iri": ONTOLOGY_IRI, "ns": FP, "title": meta["title"][0] if meta["title"] else None, "meta": meta,
        "classes": [term(s) for s in classes], "properties": [term(s) for s in props],
        "individuals": [term(s) for s in indivs],
        "reused": [{"link": L.link(s.value), "qname": P.qname(s.value) or s.value,
                    "kinds": [link(x) for x in sorted(types_of[s])]} for s in reused],
        "downloads": [(f.label, P.script_root() + f"/ontology.{f.extension}") for f in formats.GRAPH
                      if f.kind == "graph"],
        "triples": len(triples),
    }
    with _ONTO_LOCK:
        if len(_ONTO_CACHE) > 32:
            _ONTO_CACHE.clear()
        _ONTO_CACHE[key] = model
    return model


# ================================================================ search
_TONES = str.maketrans({"ü": "u", "Ü": "u", "ǖ": "u", "ǘ": "u", "ǚ": "u", "ǜ": "u"})
SEARCH_MAX = 50


def fold(text: str) -> str:
    """Lower case, tone marks and spaces/hyphens/apostrophes removed, so that
    ``gongxi cun`` finds ``Gòngxī Cūn``.

    >>> fold("Gòngxī Cūn")
    'gongxicun'
    """
    s = unicodedata.normalize("NFD", text.translate(_TONES).lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"[\s'’·\-]+", "", s)


def _sparql_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ") + '"'


_FOLD_SPARQL = [("[āáǎàâä]", "a"), ("[ēéěèêë]", "e"), ("[īíǐìîï]", "i"), ("[ōóǒòôö]", "o"),
                ("[ūúǔùǖǘǚǜüû]", "u"), ("[ \u00a0'’·-]", "")]


def search(q: str, lang: str, limit: int = SEARCH_MAX) -> list[dict[str, Any]]:
    """Resources whose label (rdfs:label, skos:prefLabel, skos:altLabel; zh,
    en, pinyin) contains ``q``, case-insensitively (tone marks and spaces
    ignored for Latin script); exact matches first, then prefixes, then the
    shortest labels. One result per IRI, with its best-ranked label; Web
    Annotations and their targets and selectors are provenance, reached from
    the entities, and never results."""
    q = q.strip()
    if not q:
        return []
    lc = q.lower()
    fq = fold(q)
    expr = "LCASE(STR(?l))"
    for pat, rep in _FOLD_SPARQL:
        expr = f'REPLACE({expr}, "{pat}", "{rep}")'
    cond = f"CONTAINS(LCASE(STR(?l)), {_sparql_string(lc)})"
    if fq and fq.isascii():
        cond += f" || (!LANGMATCHES(LANG(?l), \"zh\") || LCASE(LANG(?l)) = \"zh-latn-pinyin\") && CONTAINS({expr}, {_sparql_string(fq)})"
    sparql = (f"SELECT DISTINCT ?s ?l WHERE {{ ?s <{RDFS}label>|<{SKOS}prefLabel>|<{SKOS}altLabel> ?l "
              f"FILTER(isIRI(?s) && isLiteral(?l) && ({cond})) {not_provenance('?s')} }} LIMIT 3000")
    best: dict[str, tuple] = {}
    for r in P.store().select(sparql):
        s, l = r["s"].value, r["l"]
        text = l.value
        tl, ft = text.lower(), fold(text)
        if tl == lc or (fq and ft == fq):
            rank = 0
        elif tl.startswith(lc) or (fq and ft.startswith(fq)):
            rank = 1
        else:
            rank = 2
        key = (rank, len(text), text, s)
        if s not in best or key < best[s][0]:
            best[s] = (key, text, l.language or "")
    ranked = sorted(best.items(), key=lambda kv: kv[1][0])[:limit]
    if not ranked:
        return []
    iris = [s for s, _ in ranked]
    L = Labels(lang)
    L.want(*iris)
    vals = " ".join(f"<{s}>" for s in iris if P._iri_ok(s))
    types: dict[str, list[str]] = {}
    if vals:
        for r in P.store().select(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {vals} }} ?s a ?t FILTER(isIRI(?t)) }} "
                                  f"ORDER BY ?s ?t"):
            types.setdefault(r["s"].value, []).append(r["t"].value)
            L.want(r["t"].value)
    L.fetch()
    out = []
    for s, (key, text, tag) in ranked:
        lk = L.link(s)
        out.append({"iri": s, "link": lk, "label": lk.label, "label_lang": lk.lang, "matched": text,
                    "matched_lang": tag, "exact": key[0] == 0, "rank": key[0],
                    "types": [L.link(x) for x in types.get(s, [])]})
    return out


JSON_TYPES = ("application/json",)


@bp.route("/search", methods=["GET"])
@bp.route("/search.json", methods=["GET"], endpoint="search_json")
def search_view() -> Response:
    lang = ui_lang()
    q = (request.args.get("q") or "")[:200]
    want_json = request.path.endswith(".json") or (request.args.get("format") or "").lower() == "json"
    if not want_json and not request.args.get("format"):
        accept = request.headers.get("Accept")
        jq = formats.accept_quality(accept, "application/json")
        hq = max(formats.accept_quality(accept, m) for m in P.HTML_TYPES)
        want_json = jq[0] > 0 and jq > hq
    etag, modified, nm = conditional("search-" + ("json" if want_json else "html"))
    if nm is not None:
        return nm
    try:
        results = search(q, lang)
    except StoreError as e:
        return _unavailable(e)
    if want_json:
        root = P.public_root().rstrip("/")
        body = {"query": q, "count": len(results), "results": [
            {"iri": r["iri"], "url": (root + P.local_path(r["iri"])) if P.local_path(r["iri"]) else r["iri"],
             "label": r["label"], "label_lang": r["label_lang"], "matched": r["matched"],
             "matched_lang": r["matched_lang"], "exact": r["exact"],
             "types": [{"iri": x.iri, "label": x.label} for x in r["types"]]} for r in results]}
        import json

        resp = Response(json.dumps(body, ensure_ascii=False, indent=1), 200,
                        content_type="application/json; charset=utf-8")
        return finish(resp, etag, modified, cors=True)
    return _html("site/search.html", etag, modified, title=f"{t('search')}: {q}" if q else t("search"),
                 q=q, results=results, json_url=P.url_for_path("/search.json", q=q or None))


# ================================================================ dataset, downloads, VoID
DOWNLOAD = re.compile(r"^(fupin\.(ttl|nt|rdf|jsonld|trig|nq)|observations\.csv|void\.ttl)(\.gz)?$")
_COUNT_CACHE: dict[tuple, int] = {}


def _lines(path: Path) -> int | None:
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _COUNT_CACHE:
        n = 0
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                n += chunk.count(b"\n")
        _COUNT_CACHE[key] = n
    return _COUNT_CACHE[key]


def build_dir() -> Path:
    s = P.settings()
    return s.path(s.build_dir)


def downloads() -> list[dict[str, Any]]:
    """The dumps in the build folder with sizes and triple counts (counted
    from the N-Triples and N-Quads dumps, which hold the same triples as the
    other serialisations)."""
    d = build_dir()
    if P.settings().endpoint or not (d / "BUILD").is_file():
        return []
    nt, nq = _lines(d / "fupin.nt"), _lines(d / "fupin.nq")
    csv_rows = _lines(d / "observations.csv")
    out = []
    for f in [x for x in formats.GRAPH if x.kind == "graph"] + [x for x in formats.GRAPH if x.kind == "dataset"]:
        name = f"fupin.{f.extension}"
        count = nq if f.kind == "dataset" else nt
        out.append(_entry(d, name, f.label, f.media_type, count, "triples" if f.kind == "graph" else "quads"))
    out.append(_entry(d, "observations.csv", "CSV", "text/csv", (csv_rows - 1) if csv_rows else None, "rows"))
    out.append(_entry(d, "void.ttl", "VoID (Turtle)", "text/turtle", None, None))
    return [x for x in out if x]


def _entry(d: Path, name: str, label: str, media: str, count: int | None, unit: str | None):
    p = d / name
    if not p.is_file():
        return None
    gz = d / (name + ".gz")
    return {"name": name, "label": label, "media": media, "size": p.stat().st_size, "count": count,
            "unit": unit, "href": P.script_root() + "/download/" + name,
            "gz": {"href": P.script_root() + "/download/" + name + ".gz", "size": gz.stat().st_size}
            if gz.is_file() else None}


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@bp.app_template_filter("size")
def _size_filter(n):
    return human_size(n)


@bp.app_template_filter("num")
def _num_filter(n):
    return f"{n:,}" if isinstance(n, int) else ("" if n is None else str(n))


@bp.route("/dataset", methods=["GET"])
def dataset() -> Response:
    return _dataset_or_void(html_default=True)


@bp.route("/.well-known/void", methods=["GET"])
def well_known_void() -> Response:
    return _dataset_or_void(html_default=False)


def void_quads() -> list[ox.Quad]:
    f = build_dir() / "void.ttl"
    if not P.settings().endpoint and f.is_file():
        return [ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) if isinstance(x, ox.Triple) else
                ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph())
                for x in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE)]
    g = P.base() + "graph/meta"
    res = P.store().query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", format="nt")
    return [ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in res.triples()]


def _dataset_or_void(html_default: bool) -> Response:
    lang = ui_lang()
    accept = request.headers.get("Accept")
    override = request.args.get("format") or None
    variant, err = P.choose_or_error(override, "the dataset description")
    if err is not None:
        return err
    if not html_default and override is None and variant == "html":
        # /.well-known/void is for machines: Turtle unless HTML is asked for by name
        hq = max(formats.accept_quality(accept, m) for m in P.HTML_TYPES)
        if hq[1] < 1:
            variant = formats.by_name("ttl")
    vname = variant if isinstance(variant, str) else variant.name
    etag, modified, nm = conditional("dataset-" + vname)
    if nm is not None:
        return nm
    try:
        if not isinstance(variant, str):
            quads = void_quads()
            if not quads:
                return error_page(404, "not_found", "this server has no dataset description")
            return P.rdf_response(quads, variant, etag, modified, canonical=P.base() + "id/dataset")
        info = dataset_info(lang)
    except StoreError as e:
        return _unavailable(e)
    return _html("site/dataset.html", etag, modified, title=t("dataset"), info=info, files=downloads(),
                 base=P.base(), root=P.public_root(),
                 void_url=P.script_root() + "/.well-known/void",
                 formats_rdf=[(f.label, P.script_root() + f"/.well-known/void?format={f.name}")
                              for f in formats.GRAPH if f.kind == "graph"])


@bp.route("/download/<name>", methods=["GET"])
def download(name: str) -> Response:
    if not DOWNLOAD.match(name) or P.settings().endpoint:
        return error_page(404, "not_found", t("no_file"))
    path = build_dir() / name
    if not path.is_file():
        return error_page(404, "not_found", t("no_file"))
    if name.endswith(".gz"):
        mime = "application/gzip"
    elif name.endswith(".csv"):
        mime = "text/csv; charset=utf-8"
    else:
        f = formats.by_extension(name, formats.GRAPH)
        mime = f.content_type if f else "application/octet-stream"
    resp = send_file(path, mimetype=mime, conditional=True, etag=True, max_age=0,
                     download_name=name, as_attachment=False)
    # werkzeug appends "; charset=utf-8" to a text/* mimetype even when it
    # has one: send the Content-Type exactly as the formats table gives it
    resp.headers["Content-Type"] = mime
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
