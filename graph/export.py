"""Writing a build: the dumps, their gzip, the observations CSV, VoID, reports.

Every writer is deterministic: N-Triples/N-Quads lines are sorted, the other
serialisations come from graphs filled in sorted order, gzip carries no name
or time, and nothing records the wall clock. File names and formats come from
:mod:`fupin.graph.formats` (``docs/design.md``, "Build outputs").
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path

from rdflib import Dataset, Literal

from .formats import by_name
from .meta import DUMPS, add_byte_sizes
from .vocab import FP, PREFIXES, RDFS, SDMX_ATT, SDMX_DIM, QB, TIME

JSONLD_CONTEXT = {k: v for k, v in PREFIXES.items()}


def _sorted_lines(data: bytes) -> bytes:
    """rdflib's line-based N-Triples/N-Quads (its escaping), lines sorted."""
    lines = sorted({ln for ln in data.decode("utf-8").splitlines() if ln.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dataset(built) -> Dataset:
    ds = Dataset(default_union=False)
    for k, v in PREFIXES.items():
        ds.bind(k, v)
    for name, gr in sorted(built.graphs.items()):
        target = ds.graph(name)
        for t in sorted(gr):
            target.add(t)
    return ds


def serialize(built, short: str, *, union_only: bool = True) -> bytes:
    """One serialisation of the build as bytes (UTF-8).

    Triple formats carry the union of the report, inferred and meta graphs;
    ``trig``/``nq`` carry every named graph including the ontology."""
    fmt = by_name(short)
    if fmt.kind == "dataset":
        data = _dataset(built).serialize(format=fmt.rdflib, encoding="utf-8")
        return _sorted_lines(data) if short == "nq" else data
    g = built.union()
    if short == "nt":
        return _sorted_lines(g.serialize(format="nt", encoding="utf-8"))
    if short == "jsonld":
        data = g.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True,
                           sort_keys=True, indent=1, ensure_ascii=False)
        return data.encode("utf-8") if isinstance(data, str) else data
    return g.serialize(format=fmt.rdflib, encoding="utf-8")


def gz(data: bytes) -> bytes:
    """gzip with no file name and time 0, so equal input gives equal bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
        f.write(data)
    return buf.getvalue()


CSV_COLUMNS = ["observation", "report", "measure", "measure_zh", "measure_en", "value", "unit",
               "printed", "qualifier", "flow", "method", "area", "area_zh", "area_en", "period",
               "period_start", "period_end", "period_expression", "baseline", "subject", "subject_zh",
               "subject_en", "about", "quote", "quote_start", "quote_end"]


def observations_csv(built) -> bytes:
    """One row per figure, with labels, for spreadsheets (UTF-8 with BOM so
    Excel reads the Chinese)."""
    g = built.union(ontology=True)

    def label(node, lang):
        if node is None:
            return ""
        for o in g.objects(node, RDFS.label):
            if isinstance(o, Literal) and o.language == lang:
                return str(o)
        return ""

    def short(node):
        if node is None:
            return ""
        s = str(node)
        for k, v in PREFIXES.items():
            if s.startswith(v):
                return f"{k}:{s[len(v):]}"
        return s

    def date(node, prop):
        inst = g.value(node, prop) if node is not None else None
        return str(g.value(inst, TIME.inXSDDate) or "") if inst is not None else ""

    rows = []
    for em in built.emitters:
        for o in em.sheet.observations:
            i = em.iri(o.id)
            m = g.value(i, QB.measureType)
            area, period, subject = (g.value(i, SDMX_DIM.refArea), g.value(i, SDMX_DIM.refPeriod),
                                     g.value(i, FP.subject))
            instant = g.value(period, TIME.inXSDDate)
            ann = next((x for x in em.groundings if x.body == i), None)
            rows.append({
                "observation": str(i), "report": em.rid, "measure": short(m),
                "measure_zh": label(m, "zh"), "measure_en": label(m, "en"),
                "value": str(g.value(i, m)), "unit": short(g.value(i, SDMX_ATT.unitMeasure)),
                "printed": str(g.value(i, FP.printedValue)),
                "qualifier": short(g.value(i, FP.qualifier)), "flow": short(g.value(i, FP.flowType)),
                "method": short(g.value(i, FP.method)),
                "area": str(area), "area_zh": label(area, "zh"), "area_en": label(area, "en"),
                "period": str(period),
                "period_start": str(instant or date(period, TIME.hasBeginning)),
                "period_end": str(instant or date(period, TIME.hasEnd)),
                "period_expression": str(g.value(period, FP.expression) or ""),
                "baseline": str(g.value(g.value(i, FP.baseline), TIME.inXSDDate) or "")
                if g.value(i, FP.baseline) is not None else "",
                "subject": str(subject), "subject_zh": label(subject, "zh"),
                "subject_en": label(subject, "en"),
                "about": str(g.value(i, FP.aboutEntity) or ""),
                "quote": ann.span.exact if ann else "",
                "quote_start": ann.span.start if ann else "", "quote_end": ann.span.end if ann else "",
            })
    buf = io.StringIO()
    w = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    text = buf.getvalue()
    if built.settings.people == "pseudonymous":  # quotes may name people
        from .privacy import names, redact
        text = redact(text, names([p for c in built.sheets for p in c.sheet.people]))
    return ("\ufeff" + text).encode("utf-8")


def report_text(built, checked) -> str:
    """The report's text as the server shows it. In pseudonymous builds each
    name becomes 某 repeated to the name's length, so every annotation's
    offsets still hold."""
    text = checked.text.text
    if built.settings.people == "pseudonymous":
        from .privacy import names
        for name, _ in names(checked.sheet.people):
            text = text.replace(name, "某" * len(name))
    return text


def write_all(built, out: Path) -> dict[str, int]:
    """Write every output into the (empty) folder ``out``; return file sizes."""
    sizes: dict[str, int] = {}

    def put(name: str, data: bytes):
        (out / name).write_bytes(data)
        sizes[name] = len(data)

    for short in DUMPS:
        data = serialize(built, short)
        name = f"fupin.{by_name(short).extension}"
        put(name, data)
        put(name + ".gz", gz(data))
    data = observations_csv(built)
    put("observations.csv", data)
    put("observations.csv.gz", gz(data))
    from .build import new_graph
    void = new_graph()
    for t in sorted(built.graphs[built.graph_iri("meta")]):
        void.add(t)
    add_byte_sizes(void, built.settings.base_iri, sizes)
    put("void.ttl", void.serialize(format="turtle", encoding="utf-8"))
    put("validation.txt", ("\n\n".join(r.text() for r in built.reports) + "\n").encode())
    cov = []
    for c in built.sheets:
        cov.append(f"{c.sheet.report.id}: every number in the body is covered"
                   if not c.uncovered else f"{c.sheet.report.id}: uncovered {c.uncovered}")
        for ig in c.sheet.coverage_ignore:
            cov.append(f"  ignored {ig.number!r} in {ig.quote!r}: {ig.reason}")
    put("coverage.txt", ("\n".join(cov) + "\n").encode())
    reports = {}
    (out / "reports").mkdir()
    for c in built.sheets:
        rid = c.sheet.report.id
        put(f"reports/{rid}.txt", report_text(built, c).encode("utf-8"))
        reports[rid] = {"text": f"reports/{rid}.txt", "body": list(c.text.body),
                        "iri": f"{built.settings.base_iri}id/report/{rid}"}
    nq = (out / "fupin.nq").read_bytes()
    counts = {str(k): len(v) for k, v in sorted(built.graphs.items())}
    info = {"build_id": hashlib.sha256(nq).hexdigest(), "base_iri": built.settings.base_iri,
            "people": built.settings.people, "reports": reports,
            "triples": counts, "files": sizes}
    put("BUILD", (json.dumps(info, indent=1, sort_keys=True) + "\n").encode())
    return sizes
