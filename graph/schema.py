"""The fact-sheet schema: typed models that reject unknown keys.

A fact sheet (``data/sheets/<report-id>.yaml``) describes one report: the
article, the outside sources it cites, and the places, organisations, people,
concepts, projects, events, periods and observations (figures) the report
states. Every fact group is *grounded*: it carries ``quote:`` (an exact
substring of the report) or ``source:`` (the id of an entry in ``sources:``).

The models are the single definition of the format: :func:`json_schema`
exports them for editors (``data/factsheet.schema.json``) and
:func:`parse_sheet` checks a :class:`~fupin.graph.sheets.RawSheet` against
them, raising :class:`~fupin.graph.sheets.SheetError` with file, line, key
path and what is allowed.

Closed vocabularies (levels, measures, units, qualifiers, …) are the ``Literal``
types below; :mod:`fupin.graph.mapping` maps each value to its ontology term.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints,
                      ValidationError, field_validator, model_validator)

from .sheets import RawSheet

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
"""Lower-case ASCII words joined by single hyphens: ``gongxi-cun``."""

Level = Literal["autonomous-region", "province", "prefecture-level-city", "district", "county",
                "town", "township", "administrative-village", "urban-community",
                "resettlement-site"]
OrgKind = Literal["party-committee", "government", "residents-committee", "training-centre",
                  "school", "enterprise", "publisher", "assistance-group"]
Measure = Literal[
    "households", "persons", "villages", "projects", "facilities", "facilities-tested",
    "resettlement-sites", "funds-invested", "dividends-paid", "dividend-value-per-household",
    "wages-paid", "workers", "income-increase-per-capita", "road-length", "floor-area", "site-area",
    "training-sessions", "trainees", "training-specialities", "training-courses-attended",
    "jobs-created", "persons-employed", "poverty-incidence", "per-capita-net-income",
    "growth-over-baseline", "monthly-wage", "unit-price"]
Unit = Literal["cny", "number", "km", "m2", "percent"]
Qualifier = Literal["exact", "about", "more-than", "nearly"]
Flow = Literal["stock", "flow", "cumulative"]
Method = Literal["sample-survey"]
Scheme = Literal["subject", "policy", "project-type", "training-mode", "population"]
ProjectKind = Literal["project", "programme", "training-course"]
EventKind = Literal["dividend-distribution", "move-in-ceremony", "skills-day", "training"]
Gender = Literal["female", "male"]


class Strict(BaseModel):
    """Base: unknown keys are errors; values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Grounded(Strict):
    """A fact group: exactly one of ``quote`` (exact substring of the report,
    verbatim, punctuation included) or ``source`` (an id from ``sources:``)."""

    quote: str | None = None
    source: Slug | None = None

    @model_validator(mode="after")
    def _one_ground(self):
        if (self.quote is None) == (self.source is None):
            raise ValueError("give exactly one of 'quote' (an exact substring of the report) "
                             "or 'source' (an id from 'sources:')")
        return self


class Source(Strict):
    """An outside source cited for facts the report does not state."""

    id: Slug
    title: str
    publisher: str | None = None
    url: str | None = None
    note: str | None = None


class Article(Strict):
    """The report itself (``schema:NewsArticle``). Title, section and the
    printed publication time must occur in the text; ``body_start`` /
    ``body_end`` are quotes marking the body (the rest is page chrome)."""

    id: Slug
    text: str = Field(description="path of the report file, relative to the sheet")
    title: str
    published: dt.datetime = Field(description="ISO 8601 with offset, e.g. 2021-04-06T15:32:22+08:00")
    published_quote: str
    section: str | None = None
    publisher: Slug = Field(description="organisation id of the publisher")
    publisher_quote: str
    author_quote: str | None = Field(None, description="the byline as printed, e.g. 作者:无")
    body_start: str
    body_end: str
    language: str = "zh-Hans"

    @field_validator("published")
    def _aware(cls, v: dt.datetime):
        if v.tzinfo is None:
            raise ValueError("give the UTC offset, e.g. 2021-04-06T15:32:22+08:00")
        return v


class Match(Strict):
    """A link to an outside identifier (``skos:exactMatch``/``closeMatch``)."""

    scheme: Literal["gb2260", "wikidata", "iso3166-2"]
    code: str
    match: Literal["exact", "close"] = "exact"
    source: Slug


class AltLabel(Strict):
    label: str
    lang: Literal["zh", "en", "zh-Latn-pinyin"]
    source: Slug | None = None
    quote: str | None = None


class Labelled(Grounded):
    """Names: ``zh`` as the report writes it, ``en`` (official where
    ``en_source`` cites one, else generated and marked so), ``pinyin`` with
    tone marks (tagged ``zh-Latn-pinyin``)."""

    id: Slug
    zh: str
    en: str
    en_source: Slug | None = None
    pinyin: str | None = None
    alt: list[AltLabel] = []


class Place(Labelled):
    """An administrative unit or resettlement site. ``parent`` is a place id
    (omit only for a province-level unit); when the quote does not show the
    parent, ``parent_source`` cites where the hierarchy comes from."""

    level: Level
    parent: Slug | None = None
    parent_source: Slug | None = None
    matches: list[Match] = []


class Organisation(Labelled):
    kind: OrgKind
    place: Slug | None = Field(None, description="place id: jurisdiction or location")
    parent: Slug | None = Field(None, description="organisation id it belongs to")


class Remark(Strict):
    """Something the report quotes or says of a person; the quote is kept as
    text (``@zh``)."""

    quote: str
    kind: Literal["said", "did", "experienced"] = "did"


class Person(Grounded):
    """A person as the report names them. ``pinyin`` is their only English."""

    id: Slug
    zh: str
    pinyin: str
    gender: Gender | None = None
    gender_quote: str | None = None
    lives_in: Slug | None = Field(None, description="place id")
    lives_in_quote: str | None = None
    moved_from: Slug | None = None
    moved_to: Slug | None = None
    moved_in: Slug | None = Field(None, description="period id of the move")
    move_quote: str | None = None
    took_part_in: list[Slug] = Field([], description="event or training-course ids")
    occupation: str | None = Field(None, description="as the report words it, e.g. 保洁员")
    occupation_en: str | None = None
    occupation_quote: str | None = None
    remarks: list[Remark] = []


class Concept(Labelled):
    """A SKOS concept (policy, slogan, subject, project type, training mode).
    ``note`` is an editorial note (e.g. why the English is our own)."""

    scheme: Scheme
    broader: Slug | None = None
    definition_en: str | None = None
    note: str | None = None


class Project(Labelled):
    """A project, programme or training course."""

    kind: ProjectKind
    type: Slug | None = Field(None, description="concept id (scheme project-type)")
    subject: Slug | None = Field(None, description="concept id (scheme subject)")
    places: list[Slug] = []
    period: Slug | None = None
    part_of: Slug | None = None
    provider: Slug | None = Field(None, description="organisation id")
    policies: list[Slug] = []
    training_modes: list[Slug] = Field([], description="concept ids (scheme training-mode)")


class Event(Labelled):
    """An event. ``period`` is when it took place; ``covers`` the period it
    accounts for, where the report names one (2020年集体经济分红 → 2020)."""

    kind: EventKind
    period: Slug
    covers: Slug | None = None
    place: Slug | None = None
    about: Slug | None = Field(None, description="project id the event belongs to")
    organiser: Slug | None = None


class Period(Strict):
    """A time interval or instant, written out explicitly.

    ``expression`` is the report's wording (it must occur in the text);
    ``start``/``end`` are dates (``end`` inclusive; omit ``start`` where the
    report states none: 近年来); ``anchor`` is the period a relative expression
    counts from when that is not the publication (一年后 a 2019 project →
    2020). ``instant`` marks a point in time (end of 2015)."""

    id: Slug
    expression: str
    start: dt.date | None = None
    end: dt.date
    instant: bool = False
    anchor: Slug | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.instant and self.start not in (None, self.end):
            raise ValueError("an instant has start == end (or no start)")
        if self.start and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class Observation(Grounded):
    """One printed figure. ``figure`` is the figure exactly as printed (it must
    occur in ``quote``); ``value`` is its exact value in the unit's base
    magnitude (59.96万元 → 599600), checked against ``figure``.
    ``area``/``period`` are ids or ``not-stated``."""

    id: Slug
    measure: Measure
    value: Decimal
    unit: Unit
    figure: str
    area: Slug
    period: Slug
    subject: Slug = Field(description="concept id (scheme subject)")
    qualifier: Qualifier = "exact"
    flow: Flow
    method: Method | None = None
    about: Slug | None = Field(None, description="id of the project, event, person or organisation the figure is about")
    baseline: Slug | None = Field(None, description="period id of the baseline, for growth-over-baseline")
    population: Slug | None = Field(None, description="concept id (scheme population): whom the figure counts or averages over, where the report says (建档立卡贫困群众)")
    note: str | None = Field(None, description="an editorial note for users of the figure (English), e.g. what the report leaves open")

    @field_validator("value", mode="before")
    def _exact(cls, v):
        if isinstance(v, float):
            raise ValueError("write the value as a string or integer; floats lose digits")
        if isinstance(v, str) and not re.fullmatch(r"-?\d+(\.\d+)?", v):
            raise ValueError("a plain decimal such as 599600 or 7427.75 (no exponent, no unit)")
        return v


class CoverageIgnore(Strict):
    """A number in the body that is not a figure (a name, an ordinal, a slogan's
    count). ``quote`` contains it; ``reason`` says why it is not a fact."""

    number: str
    quote: str
    reason: str


class FactSheet(Strict):
    """One report's fact sheet (top level)."""

    report: Article
    sources: list[Source] = []
    places: list[Place] = []
    organisations: list[Organisation] = []
    people: list[Person] = []
    concepts: list[Concept] = []
    projects: list[Project] = []
    events: list[Event] = []
    periods: list[Period] = []
    observations: list[Observation] = []
    coverage_ignore: list[CoverageIgnore] = []

    def entities(self):
        """Yield ``(section, index, model)`` for every item with an ``id``."""
        for name in ("sources", "places", "organisations", "people", "concepts",
                     "projects", "events", "periods", "observations"):
            for i, item in enumerate(getattr(self, name)):
                yield name, i, item


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a fact sheet, for editors."""
    s = FactSheet.model_json_schema()
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["$id"] = "https://w3id.org/fupin/factsheet.schema.json"
    s["title"] = "fupin fact sheet"
    return s


def parse_sheet(raw: RawSheet) -> FactSheet:
    """Validate ``raw`` against :class:`FactSheet`.

    Raises :class:`SheetError` naming the first problem's file, line and key
    path, with pydantic's message (which says what is allowed)."""
    try:
        return FactSheet.model_validate(raw.data)
    except ValidationError as e:
        errs = e.errors()
        # an unknown key explains the "missing" error beside it: report it first
        err = next((x for x in errs if x["type"] == "extra_forbidden"), errs[0])
        loc = tuple(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            allowed = ", ".join(model.model_fields) if model else "?"
            msg = f"unknown key {loc[-1]!r}; allowed here: {allowed}"
        elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
            msg = "expected a mapping of keys to values here"
        elif err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
        elif err["type"] == "literal_error":
            msg = f"{err.get('input')!r} is not allowed; {msg}"
        more = len(e.errors()) - 1
        if more:
            msg += f" (and {more} more problem{'s' if more > 1 else ''})"
        # pydantic reports model-level problems at the model, so point there
        raise raw.error(loc, msg) from None


def _model_at(loc):
    model = FactSheet
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        cand = [a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not cand:
            return None
        model = cand[0]
    return model
