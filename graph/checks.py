"""Validation layers before and after mapping; each returns a :class:`CheckReport`.

1. schema (:func:`check_schema`): YAML → typed :class:`~fupin.graph.schema.FactSheet`;
2. grounding (:func:`check_grounding`): ids unique, references resolve to the
   right kind, every quote verbatim in the report (its span recorded), every
   figure equal to what its quote prints, every period consistent with the
   report's wording and inside the report's range, every number in the body
   covered;
3. SHACL (:func:`check_shacl`) and 4. OWL consistency (in :mod:`fupin.graph.reason`)
   on the mapped graph.

Only the CLI turns a report into an exit code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .grounding import (ReportText, Resolved, Span, numbers_in, parse_figure, resolve_period,
                        uncovered_numbers)
from .mapping import NOT_STATED, UNIT_TEXT
from .schema import FactSheet, parse_sheet
from .sheets import RawSheet, SheetError, keypath, load


@dataclass
class Problem:
    """One finding: where (file, line, key path) and what."""

    file: str
    line: int | None
    keypath: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        return f"{loc}: {self.keypath + ': ' if self.keypath else ''}{self.message}"


@dataclass
class CheckReport:
    """The outcome of one validation layer."""

    layer: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        head = f"{self.layer}: {'ok' if self.ok else f'{len(self.problems)} problem(s)'}"
        return "\n".join([head, *(f"  {p}" for p in self.problems), *(f"  {n}" for n in self.notes)])


@dataclass
class CheckedSheet:
    """A sheet that passed schema and grounding, with its located spans."""

    raw: RawSheet
    sheet: FactSheet
    text: ReportText
    spans: dict[tuple, Span]
    uncovered: list[tuple[int, int, str]]


def check_schema(file: Path) -> tuple[CheckReport, tuple[RawSheet, FactSheet] | None]:
    rep = CheckReport(f"schema {file}")
    try:
        raw = load(file)
        return rep, (raw, parse_sheet(raw))
    except SheetError as e:
        rep.problems.append(Problem(str(e.file), e.line, e.keypath, e.message))
        return rep, None


# which sections a reference field may point into
REFS: dict[tuple[str, str], tuple[str, ...]] = {
    ("report", "publisher"): ("organisations",),
    ("places", "parent"): ("places",), ("places", "parent_source"): ("sources",),
    ("places", "en_source"): ("sources",), ("places", "source"): ("sources",),
    ("organisations", "place"): ("places",), ("organisations", "parent"): ("organisations",),
    ("people", "lives_in"): ("places",), ("people", "moved_from"): ("places",),
    ("people", "moved_to"): ("places",), ("people", "moved_in"): ("periods",),
    ("people", "took_part_in"): ("events", "projects"),
    ("concepts", "broader"): ("concepts",),
    ("projects", "type"): ("concepts",), ("projects", "subject"): ("concepts",),
    ("projects", "places"): ("places",), ("projects", "period"): ("periods",),
    ("projects", "part_of"): ("projects",), ("projects", "provider"): ("organisations",),
    ("projects", "policies"): ("concepts",), ("projects", "training_modes"): ("concepts",),
    ("events", "covers"): ("periods",), ("observations", "population"): ("concepts",),
    ("events", "period"): ("periods",), ("events", "place"): ("places",),
    ("events", "about"): ("projects",), ("events", "organiser"): ("organisations",),
    ("periods", "anchor"): ("periods",),
    ("observations", "area"): ("places",), ("observations", "period"): ("periods",),
    ("observations", "subject"): ("concepts",), ("observations", "baseline"): ("periods",),
    ("observations", "about"): ("projects", "events", "people", "organisations", "places"),
}
for _sec in ("organisations", "people", "concepts", "projects", "events", "observations"):
    REFS.setdefault((_sec, "source"), ("sources",))
    REFS.setdefault((_sec, "en_source"), ("sources",))
REFS[("places", "matches", "source")] = ("sources",)

QUOTE_FIELDS = {
    "places": ("quote",), "organisations": ("quote",), "concepts": ("quote",),
    "projects": ("quote",), "events": ("quote",), "observations": ("quote",),
    "people": ("quote", "gender_quote", "lives_in_quote", "move_quote", "occupation_quote"),
}


def check_grounding(raw: RawSheet, sheet: FactSheet) -> tuple[CheckReport, CheckedSheet | None]:
    """Layer 2 for one sheet. See the module docstring for what is checked."""
    rep = CheckReport(f"grounding {raw.file}")

    def problem(path, msg):
        rep.problems.append(Problem(str(raw.file), raw.line(path), keypath(path), msg))

    # ids: unique across the sheet, and never the reserved word
    first: dict[str, tuple] = {}
    for sec, n, e in sheet.entities():
        if e.id in first:
            problem((sec, n, "id"), f"duplicate id {e.id!r} (first at {keypath(first[e.id])})")
        elif e.id == NOT_STATED:
            problem((sec, n, "id"), f"{NOT_STATED!r} is reserved for a missing area or period")
        else:
            first[e.id] = (sec, n, "id")
    kind = {e.id: sec for sec, _, e in sheet.entities()}

    def ref_ok(path, value, allowed):
        if value is None:
            return
        if value == NOT_STATED and path[0] == "observations" and path[-1] in ("area", "period"):
            return
        if value not in kind:
            problem(path, f"{value!r} is not an id in this sheet (expected one of: {', '.join(allowed)})")
        elif kind[value] not in allowed:
            problem(path, f"{value!r} is in {kind[value]}, expected an id from {', '.join(allowed)}")

    if sheet.report.publisher:
        ref_ok(("report", "publisher"), sheet.report.publisher, REFS[("report", "publisher")])
    for sec, n, e in sheet.entities():
        for (s, f, *sub), allowed in REFS.items():
            if s != sec or not hasattr(e, f):
                continue
            v = getattr(e, f)
            if sub:
                for k, item in enumerate(v):
                    ref_ok((sec, n, f, k, sub[0]), getattr(item, sub[0]), allowed)
            elif isinstance(v, list):
                for k, item in enumerate(v):
                    ref_ok((sec, n, f, k), item, allowed)
            else:
                ref_ok((sec, n, f), v, allowed)
    if rep.problems:
        return rep, None

    # the report text
    r = sheet.report
    path = (raw.file.parent / r.text).resolve()
    try:
        text = ReportText(path, r.body_start, r.body_end)
    except FileNotFoundError:
        problem(("report", "text"), f"report file {path} not found")
        return rep, None
    except UnicodeDecodeError as e:
        problem(("report", "text"), f"report file {path} is not UTF-8: {e.reason} at byte {e.start}")
        return rep, None
    except ValueError as e:
        problem(("report",), str(e))
        return rep, None

    spans: dict[tuple, Span] = {}

    def locate(path, quote, *, body=True, unique=False):
        if quote is None:
            return None
        sp = text.find(quote)
        if sp is None:
            problem(path, f"quote {quote!r} does not occur in {text.path.name} (quotes are exact, "
                          "punctuation and full-width characters included)")
            return None
        if body and not text.in_body(sp):
            sp2 = text.find(quote, within=Span(text.body[0], text.body[1], "", "", ""))
            if sp2 is None:
                problem(path, f"quote {quote!r} is in the page chrome, not the report's body")
                return None
            sp = sp2
        if unique and text.count(quote) > 1:
            problem(path, f"quote {quote!r} occurs {text.count(quote)} times; lengthen it so it "
                          "points at one place")
        spans[path] = sp
        return sp

    for key in ("title", "published_quote", "publisher_quote", "author_quote", "section"):
        locate(("report", 0, key), getattr(r, key), body=False)
    printed = r.published.strftime("%Y-%m-%d %H:%M:%S")
    if printed not in r.published_quote:
        problem(("report", "published_quote"),
                f"published is {r.published.isoformat()} but the quote prints {r.published_quote!r}")

    by_id = {e.id: e for _, _, e in sheet.entities()}
    # the article's own metadata lives in the page chrome; facts quoting it may too
    metadata = {r.title, r.published_quote, r.publisher_quote, r.author_quote, r.section}
    for sec, fields in QUOTE_FIELDS.items():
        for n, e in enumerate(getattr(sheet, sec)):
            for f in fields:
                q = getattr(e, f)
                sp = locate((sec, n, f), q, body=q not in metadata,
                            unique=(sec == "observations"))
                if sp is None or f != "quote":
                    continue
                label = getattr(e, "zh", None)
                if sec == "places" and label and label not in e.quote:
                    problem((sec, n, "quote"), f"the quote does not contain the name {label!r}")
                if sec == "places" and e.parent and not e.parent_source:
                    pz = by_id[e.parent].zh
                    if pz not in e.quote and pz.rstrip("区市县乡镇村") not in e.quote:
                        problem((sec, n, "parent"),
                                f"the quote does not show the parent {pz!r}; quote both or cite "
                                "'parent_source'")
    for n, p in enumerate(sheet.people):
        for k, rm in enumerate(p.remarks):
            locate(("people", n, "remarks", k), rm.quote)

    # figures
    for n, o in enumerate(sheet.observations):
        if o.quote and o.figure not in o.quote:
            problem(("observations", n, "figure"), f"figure {o.figure!r} is not in its quote {o.quote!r}")
            continue
        try:
            value, qualifier, unit_text = parse_figure(o.figure)
        except ValueError as e:
            problem(("observations", n, "figure"), str(e))
            continue
        if value != o.value:
            problem(("observations", n, "value"),
                    f"value {o.value} disagrees with the printed figure {o.figure!r}, which reads {value}")
        if qualifier != o.qualifier:
            problem(("observations", n, "qualifier"),
                    f"qualifier {o.qualifier!r} disagrees with {o.figure!r}, which reads {qualifier!r}")
        if unit_text not in UNIT_TEXT[o.unit]:
            allowed = " ".join(repr(u) for u in sorted(UNIT_TEXT[o.unit]) if u)
            problem(("observations", n, "unit"),
                    f"unit {o.unit!r} does not fit {o.figure!r} (printed unit {unit_text!r}; "
                    f"{o.unit!r} allows {allowed})")

    # periods
    published = r.published.date()
    resolved: dict[str, Resolved] = {}
    for n, p in enumerate(sheet.periods):
        locate(("periods", n, "expression"), p.expression)
        if p.end > published or (p.start and p.start > published):
            problem(("periods", n, "end"), f"period {p.start}..{p.end} lies outside the report's "
                    f"range (published {published}); a report cannot state what came after it")
            continue
        anchor = resolved.get(p.anchor) if p.anchor else None
        try:
            want = resolve_period(p.expression, published, anchor)
        except ValueError as e:
            problem(("periods", n, "expression"), str(e))
            continue
        got = Resolved(p.start if not p.instant else p.end, p.end, p.instant)
        if want.instant and not p.instant or (want.start, want.end) != (got.start, got.end):
            problem(("periods", n), f"{p.expression!r} resolves to {_fmt(want)} "
                    f"(published {published}), but the sheet says {_fmt(got)}")
        resolved[p.id] = want

    # coverage
    ignore_spans = []
    for n, c in enumerate(sheet.coverage_ignore):
        sp = locate(("coverage_ignore", n, "quote"), c.quote)
        if sp is not None and c.number not in c.quote:
            problem(("coverage_ignore", n, "number"), f"{c.number!r} is not in its quote")
        elif sp is not None:
            ignore_spans.append(sp)
    uncovered = uncovered_numbers(text, [*spans.values(), *ignore_spans])
    for a, b, t in uncovered:
        ctx = text.text[max(0, a - 10):b + 10].replace("\n", " ")
        problem(("coverage_ignore",), f"number {t!r} at {a}..{b} (…{ctx}…) is in no fact's quote "
                "and not on coverage_ignore")
    rep.notes.append(f"{len(spans)} quotes located; {len(numbers_in(text.text, *text.body))} numbers in the body, "
                     f"{len(uncovered)} uncovered, {len(ignore_spans)} ignored with a reason")
    if rep.problems:
        return rep, None
    return rep, CheckedSheet(raw, sheet, text, spans, uncovered)


def _fmt(r: Resolved) -> str:
    if r.instant:
        return f"the instant {r.end}"
    return f"{r.start or '(start not stated)'} – {r.end}"
