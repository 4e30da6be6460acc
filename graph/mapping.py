"""Mapping: one checked fact sheet → quads in its report's named graph.

The tables at the top map each closed fact-sheet value (levels, measures,
units, …) to its ontology term; :func:`map_sheet` walks the sheet once and
emits triples through :class:`Emitter`, which also records every grounded
span (for coverage) and every annotation. IRIs follow ``docs/design.md``
("IRI layout"); nothing here invents an identifier: each comes from a
fact-sheet id or a date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.term import Node

from .grounding import ReportText, Span
from .schema import FactSheet, Period
from .vocab import (CUR, DCTERMS, FP, OA, ORG, PROV, QB, RDF, RDFS, SCHEMA, SDMX_ATT,
                    SDMX_DIM, SKOS, TIME, UNIT, WD, XSD)

LEVEL_CLASS = {
    "autonomous-region": FP.AutonomousRegion, "province": FP.Province,
    "prefecture-level-city": FP.PrefectureLevelCity, "district": FP.District,
    "county": FP.County, "town": FP.Town, "township": FP.Township,
    "administrative-village": FP.AdministrativeVillage, "urban-community": FP.UrbanCommunity,
    "resettlement-site": FP.ResettlementSite,
}
ORG_CLASS = {
    "party-committee": FP.PartyCommittee, "government": FP.Government,
    "residents-committee": FP.ResidentsCommittee, "training-centre": FP.TrainingCentre,
    "school": FP.School, "enterprise": FP.Enterprise, "publisher": FP.Publisher,
    "assistance-group": FP.AssistanceGroup,
}
MEASURE = {
    "households": FP.households, "persons": FP.persons, "villages": FP.villages,
    "projects": FP.projects, "facilities": FP.facilities,
    "facilities-tested": FP.facilitiesTested, "resettlement-sites": FP.resettlementSites,
    "funds-invested": FP.fundsInvested, "dividends-paid": FP.dividendsPaid,
    "dividend-value-per-household": FP.dividendValuePerHousehold, "wages-paid": FP.wagesPaid,
    "workers": FP.workers, "income-increase-per-capita": FP.incomeIncreasePerCapita,
    "road-length": FP.roadLength, "floor-area": FP.floorArea, "site-area": FP.siteArea,
    "training-sessions": FP.trainingSessions, "trainees": FP.trainees,
    "training-specialities": FP.trainingSpecialities,
    "training-courses-attended": FP.trainingCoursesAttended, "jobs-created": FP.jobsCreated,
    "persons-employed": FP.personsEmployed, "poverty-incidence": FP.povertyIncidence,
    "per-capita-net-income": FP.perCapitaNetIncome,
    "growth-over-baseline": FP.growthOverBaseline, "monthly-wage": FP.monthlyWage,
    "unit-price": FP.unitPrice,
}
UNIT_IRI = {"cny": CUR.CNY, "number": UNIT.NUM, "km": UNIT.KiloM, "m2": UNIT.M2,
            "percent": UNIT.PERCENT}
UNIT_TEXT = {  # what may follow the number in a printed figure, per unit
    "cny": {"元", ""}, "km": {"公里", "千米", ""}, "m2": {"平米", "平方米", ""},
    "percent": {"%", "％", ""},
    "number": {"", "户", "人", "名", "个", "期", "种", "项", "所", "处", "次", "家", "座", "届"},
}
QUALIFIER = {"exact": FP.Exact, "about": FP.About, "more-than": FP.MoreThan,
             "nearly": FP.Nearly}
FLOW = {"stock": FP.Stock, "flow": FP.Flow, "cumulative": FP.CumulativeFlow}
METHOD = {"sample-survey": FP.SampleSurvey}
PROJECT_CLASS = {"project": FP.Project, "programme": FP.Programme,
                 "training-course": FP.TrainingCourse}
EVENT_CLASS = {"dividend-distribution": FP.DividendDistribution,
               "move-in-ceremony": FP.MoveInCeremony, "skills-day": FP.SkillsDay,
               "training": FP.TrainingEvent}
SCHEME_LABEL = {
    "subject": ("主题与项目领域", "Subjects and programme areas"),
    "policy": ("政策与提法", "Policies and slogans"),
    "project-type": ("项目类型", "Project types"),
    "training-mode": ("培训模式", "Training modes"),
    "population": ("统计对象", "Populations"),
}
GENDER = {"female": SCHEMA.Female, "male": SCHEMA.Male}
MATCH_IRI = {"wikidata": lambda c: WD[c]}
NOTATION = {"gb2260": "GB/T 2260", "iso3166-2": "ISO 3166-2"}
NOT_STATED = "not-stated"
IRI_PATHS = {  # docs/design.md, "IRI layout"; places and periods are built apart
    "organisations": "id/org/{slug}", "people": "id/person/{r}/{slug}",
    "concepts": "id/concept/{scheme}/{slug}", "projects": "id/project/{r}/{slug}",
    "events": "id/event/{r}/{slug}", "observations": "id/obs/{r}/{slug}",
    "sources": "id/source/{slug}",
}


@dataclass
class Grounding:
    """One grounded quote: which entity it supports and where it sits."""

    slug: str
    body: URIRef
    span: Span


@dataclass
class Emitter:
    """Collects the triples of one report graph plus its groundings."""

    base: str
    sheet: FactSheet
    report: ReportText
    people: str = "named"
    triples: set[tuple[Node, Node, Node]] = field(default_factory=set)
    groundings: list[Grounding] = field(default_factory=list)

    def __post_init__(self):
        self.rid = self.sheet.report.id
        self.kind = {e.id: sec for sec, _, e in self.sheet.entities()}
        self.by_id = {e.id: e for _, _, e in self.sheet.entities()}
        self.pseudonym = {p.id: n for n, p in enumerate(self.sheet.people, 1)}

    # --- IRIs -----------------------------------------------------------
    def person_slug(self, ident: str) -> str:
        """A person's slug in IRIs: the sheet id, or ``person-N`` when pseudonymous."""
        return ident if self.people == "named" else f"person-{self.pseudonym[ident]}"

    def redact(self, slug: str) -> str:
        """In pseudonymous builds, a slug with every person's id replaced by
        ``person-N`` (ids such as ``renqing-yongzong-monthly-wage`` name people)."""
        if self.people == "named":
            return slug
        for pid in sorted(self.pseudonym, key=len, reverse=True):
            slug = slug.replace(pid, f"person-{self.pseudonym[pid]}")
        return slug

    def iri(self, ident: str) -> URIRef:
        """The IRI of a fact-sheet id (docs/design.md, "IRI layout")."""
        if ident == NOT_STATED:
            return FP.notStated
        kind = self.kind[ident]
        if kind == "places":
            return URIRef(f"{self.base}id/place/{'/'.join(self.place_chain(ident))}")
        if kind == "periods":
            return self.time_iri(self.by_id[ident])
        if kind in IRI_PATHS:
            slug = (self.person_slug(ident) if kind == "people" else
                    ident if kind in ("concepts", "sources") else self.redact(ident))
            scheme = getattr(self.by_id[ident], "scheme", "")
            return URIRef(self.base + IRI_PATHS[kind].format(r=self.rid, slug=slug, scheme=scheme))
        raise KeyError(ident)  # pragma: no cover - references are checked before mapping

    def place_chain(self, ident: str) -> list[str]:
        chain = [ident]
        while (parent := self.by_id[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain[::-1]

    def time_iri(self, p: Period) -> URIRef:
        return URIRef(f"{self.base}id/time/{time_slug(p.start, p.end, p.instant)}")

    @property
    def article(self) -> URIRef:
        return URIRef(f"{self.base}id/report/{self.rid}")

    @property
    def text(self) -> URIRef:
        return URIRef(f"{self.base}id/report/{self.rid}/text")

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}id/dataset/{self.rid}")

    # --- emitting -------------------------------------------------------
    def add(self, s, p, o) -> None:
        if o is not None:
            self.triples.add((s, p, o))

    def labels(self, s, zh: str, en: str | None, *, en_generated: bool,
               pinyin: str | None = None, prop=RDFS.label) -> None:
        self.add(s, prop, Literal(zh, lang="zh"))
        if en:
            self.add(s, prop, Literal(en, lang="en"))
            if en_generated:
                self.add(s, FP.generatedLabel, Literal(en, lang="en"))
        if pinyin:
            self.add(s, prop, Literal(pinyin, lang="zh-Latn-pinyin"))

    def ground(self, slug: str, body: URIRef, quote: str | None, source: str | None,
               span: Span | None) -> None:
        """Provenance of one fact group: an annotation on its span, or the source."""
        if body != self.article:
            self.add(body, PROV.wasDerivedFrom, self.article if quote else None)
        if source:
            self.add(body, DCTERMS.source, self.iri(source))
        if span is None:
            return
        slug = self.redact(slug)
        self.groundings.append(Grounding(slug, body, span))
        a = URIRef(f"{self.base}id/annotation/{self.rid}/{slug}")
        self.triples.add((a, RDFS.label, Literal(f"原文出处：“{span.exact}”", lang="zh")))
        self.triples.add((a, RDFS.label, Literal(f"Source in the report: “{span.exact}”", lang="en")))
        t, q, pos = URIRef(f"{a}#target"), URIRef(f"{a}#quote"), URIRef(f"{a}#position")
        for trip in [
            (a, RDF.type, OA.Annotation), (a, OA.motivatedBy, OA.describing),
            (a, OA.hasBody, body), (a, OA.hasTarget, t), (a, PROV.wasDerivedFrom, self.article),
            (t, RDF.type, OA.SpecificResource), (t, OA.hasSource, self.text),
            (t, OA.hasSelector, q), (t, OA.hasSelector, pos),
            (q, RDF.type, OA.TextQuoteSelector), (q, OA.exact, Literal(span.exact, lang="zh")),
            (q, OA.prefix, Literal(span.prefix, lang="zh")),
            (q, OA.suffix, Literal(span.suffix, lang="zh")),
            (pos, RDF.type, OA.TextPositionSelector),
            (pos, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)),
            (pos, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)),
        ]:
            self.triples.add(trip)


def toneless(pinyin: str) -> str:
    """``Zhāxī Píngcuò`` → ``Zhaxi Pingcuo`` (ü kept)."""
    import unicodedata
    out = unicodedata.normalize("NFD", pinyin)
    out = "".join(c for c in out if unicodedata.category(c) != "Mn" or c == "\u0308")
    return unicodedata.normalize("NFC", out)


def time_slug(start: dt.date | None, end: dt.date, instant: bool) -> str:
    """``2019``, ``2016-2020``, ``2015-12-31``, ``2016-04-06--2021-04-06``,
    ``until-2021-04-06``: readable, and the same period gives the same slug in
    every report."""
    if instant:
        return end.isoformat()
    if start is None:
        return f"until-{end.isoformat()}"
    whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    if whole_years:
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    return f"{start.isoformat()}--{end.isoformat()}"


def period_label(start: dt.date | None, end: dt.date, instant: bool) -> str:
    """``2019``, ``2016–2020``, ``2016-04-06 – 2021-04-06``, ``… – 2021-04-06``."""
    slug = time_slug(start, end, instant)
    if "--" in slug or slug.startswith("until-"):
        return slug.replace("--", " – ").replace("until-", "… – ")
    return slug.replace("-", "–") if len(slug) == 9 else slug


def number_literal(v: Decimal) -> Literal:
    """``xsd:integer`` for whole numbers, else ``xsd:decimal``, both in plain
    form (never an exponent)."""
    if v == v.to_integral_value():
        return Literal(str(int(v)), datatype=XSD.integer)
    return Literal(format(v, "f"), datatype=XSD.decimal)


def map_sheet(em: Emitter, spans: dict[tuple, Span]) -> None:
    """Emit every triple of ``em.sheet``. ``spans`` maps (section, index,
    field) to the located quote (filled by the checks in ``build``)."""
    sh, add = em.sheet, em.add
    r = sh.report
    art = em.article
    add(art, RDF.type, SCHEMA.NewsArticle)
    add(art, RDF.type, PROV.Entity)
    add(art, SCHEMA.headline, Literal(r.title, lang="zh"))
    add(art, RDFS.label, Literal(r.title, lang="zh"))
    add(art, SCHEMA.datePublished, Literal(r.published.isoformat(), datatype=XSD.dateTime))
    add(art, SCHEMA.publisher, em.iri(r.publisher))
    add(art, PROV.wasAttributedTo, em.iri(r.publisher))
    add(art, SCHEMA.articleSection, Literal(r.section, lang="zh") if r.section else None)
    add(art, SCHEMA.inLanguage, Literal(r.language))
    add(art, FP.reportText, em.text)
    add(em.text, RDF.type, PROV.Entity)
    add(em.text, RDFS.label, Literal(f"{r.title}（原文）", lang="zh"))
    add(em.text, RDFS.label, Literal(f"Text of report {r.id}", lang="en"))
    add(em.text, PROV.wasDerivedFrom, art)
    for key in ("title", "published_quote", "publisher_quote", "author_quote", "section"):
        if (k := ("report", 0, key)) in spans:
            em.ground(f"report-{key.replace('_', '-')}", art, "q", None, spans[k])

    ds = em.dataset
    add(ds, RDF.type, QB.DataSet)
    add(ds, QB.structure, FP.dsd)
    add(ds, RDFS.label, Literal(f"{r.title}：数据", lang="zh"))
    add(ds, RDFS.label, Literal(f"Figures of report {r.id}", lang="en"))
    add(ds, PROV.wasDerivedFrom, art)

    for s in sh.sources:
        i = em.iri(s.id)
        add(i, RDF.type, PROV.Entity)
        add(i, DCTERMS.title, Literal(s.title))
        add(i, RDFS.label, Literal(s.title))
        add(i, DCTERMS.publisher, Literal(s.publisher) if s.publisher else None)
        add(i, SCHEMA.url, Literal(s.url, datatype=XSD.anyURI) if s.url else None)
        add(i, SKOS.editorialNote, Literal(s.note, lang="en") if s.note else None)

    for n, p in enumerate(sh.places):
        i = em.iri(p.id)
        add(i, RDF.type, LEVEL_CLASS[p.level])
        em.labels(i, p.zh, p.en, en_generated=p.en_source is None, pinyin=p.pinyin)
        _alts(em, i, p.alt)
        if p.en_source:
            add(i, DCTERMS.source, em.iri(p.en_source))
        if p.parent:
            add(i, SCHEMA.containedInPlace, em.iri(p.parent))
        if p.parent_source:
            add(i, DCTERMS.source, em.iri(p.parent_source))
        for m in p.matches:
            if m.scheme in MATCH_IRI:
                prop = SKOS.exactMatch if m.match == "exact" else SKOS.closeMatch
                add(i, prop, MATCH_IRI[m.scheme](m.code))
            else:
                add(i, SKOS.notation, Literal(m.code, datatype=FP[_notation_type(m.scheme)]))
            add(i, DCTERMS.source, em.iri(m.source))
        em.ground(p.id, i, p.quote, p.source, spans.get(("places", n, "quote")))

    for n, o in enumerate(sh.organisations):
        i = em.iri(o.id)
        add(i, RDF.type, ORG_CLASS[o.kind])
        add(i, RDF.type, ORG.Organization)
        em.labels(i, o.zh, o.en, en_generated=o.en_source is None, pinyin=o.pinyin)
        _alts(em, i, o.alt)
        add(i, FP.jurisdiction, em.iri(o.place) if o.place else None)
        add(i, ORG.subOrganizationOf, em.iri(o.parent) if o.parent else None)
        em.ground(o.id, i, o.quote, o.source, spans.get(("organisations", n, "quote")))

    for n, p in enumerate(sh.people):
        i = em.iri(p.id)
        add(i, RDF.type, SCHEMA.Person)
        if em.people == "named":
            add(i, RDFS.label, Literal(p.zh, lang="zh"))
            add(i, RDFS.label, Literal(p.pinyin, lang="zh-Latn-pinyin"))
            # English readers get the pinyin without tone marks, never an English name
            em.labels(i, p.zh, toneless(p.pinyin), en_generated=True)
            add(i, SCHEMA.name, Literal(p.zh, lang="zh"))
        else:
            k = em.pseudonym[p.id]
            add(i, RDFS.label, Literal(f"人物{k}", lang="zh"))
            add(i, RDFS.label, Literal(f"Person {k}", lang="en"))
            add(i, FP.generatedLabel, Literal(f"Person {k}", lang="en"))
        add(i, SCHEMA.gender, GENDER[p.gender] if p.gender else None)
        add(i, SCHEMA.homeLocation, em.iri(p.lives_in) if p.lives_in else None)
        add(i, FP.movedFrom, em.iri(p.moved_from) if p.moved_from else None)
        add(i, FP.movedTo, em.iri(p.moved_to) if p.moved_to else None)
        add(i, FP.movedDuring, em.iri(p.moved_in) if p.moved_in else None)
        for t in p.took_part_in:
            add(i, FP.tookPartIn, em.iri(t))
        if p.occupation:
            add(i, SCHEMA.jobTitle, Literal(p.occupation, lang="zh"))
            if p.occupation_en:
                add(i, SCHEMA.jobTitle, Literal(p.occupation_en, lang="en"))
        slug = em.person_slug(p.id)
        em.ground(slug, i, p.quote, p.source, spans.get(("people", n, "quote")))
        for key in ("gender_quote", "lives_in_quote", "move_quote", "occupation_quote"):
            if ("people", n, key) in spans:
                em.ground(f"{slug}-{key.removesuffix('_quote').replace('_', '-')}", i, "q",
                          None, spans[("people", n, key)])
        for k, rm in enumerate(p.remarks):
            add(i, FP.remark, Literal(rm.quote, lang="zh"))
            em.ground(f"{slug}-remark-{k + 1}", i, rm.quote, None,
                      spans.get(("people", n, "remarks", k)))

    schemes = {}
    for n, c in enumerate(sh.concepts):
        i = em.iri(c.id)
        scheme = URIRef(f"{em.base}id/concept/{c.scheme}")
        schemes[c.scheme] = scheme
        add(i, RDF.type, SKOS.Concept)
        add(i, SKOS.inScheme, scheme)
        em.labels(i, c.zh, c.en, en_generated=c.en_source is None, pinyin=c.pinyin)
        em.labels(i, c.zh, c.en, en_generated=False, prop=SKOS.prefLabel)
        _alts(em, i, c.alt)
        if c.en_source:
            add(i, DCTERMS.source, em.iri(c.en_source))
        if c.broader:
            add(i, SKOS.broader, em.iri(c.broader))
        else:
            add(scheme, SKOS.hasTopConcept, i)
            add(i, SKOS.topConceptOf, scheme)
        add(i, SKOS.definition, Literal(c.definition_en, lang="en") if c.definition_en else None)
        add(i, SKOS.editorialNote, Literal(c.note, lang="en") if c.note else None)
        em.ground(c.id, i, c.quote, c.source, spans.get(("concepts", n, "quote")))
    for key, scheme in schemes.items():
        zh, en = SCHEME_LABEL[key]
        add(scheme, RDF.type, SKOS.ConceptScheme)
        em.labels(scheme, zh, en, en_generated=False)
        em.labels(scheme, zh, en, en_generated=False, prop=SKOS.prefLabel)

    for n, p in enumerate(sh.projects):
        i = em.iri(p.id)
        add(i, RDF.type, PROJECT_CLASS[p.kind])
        em.labels(i, p.zh, p.en, en_generated=p.en_source is None, pinyin=p.pinyin)
        _alts(em, i, p.alt)
        add(i, FP.projectType, em.iri(p.type) if p.type else None)
        add(i, FP.subject, em.iri(p.subject) if p.subject else None)
        for pl in p.places:
            add(i, SCHEMA.location, em.iri(pl))
        add(i, FP.period, em.iri(p.period) if p.period else None)
        add(i, DCTERMS.isPartOf, em.iri(p.part_of) if p.part_of else None)
        add(i, SCHEMA.provider, em.iri(p.provider) if p.provider else None)
        for pol in p.policies:
            add(i, FP.implementsPolicy, em.iri(pol))
        for mode in p.training_modes:
            add(i, FP.trainingMode, em.iri(mode))
        em.ground(p.id, i, p.quote, p.source, spans.get(("projects", n, "quote")))

    for n, e in enumerate(sh.events):
        i = em.iri(e.id)
        add(i, RDF.type, EVENT_CLASS[e.kind])
        em.labels(i, e.zh, e.en, en_generated=e.en_source is None, pinyin=e.pinyin)
        _alts(em, i, e.alt)
        add(i, FP.period, em.iri(e.period))
        add(i, FP.coversPeriod, em.iri(e.covers) if e.covers else None)
        add(i, SCHEMA.location, em.iri(e.place) if e.place else None)
        add(i, FP.aboutProject, em.iri(e.about) if e.about else None)
        add(i, SCHEMA.organizer, em.iri(e.organiser) if e.organiser else None)
        em.ground(e.id, i, e.quote, e.source, spans.get(("events", n, "quote")))

    for n, p in enumerate(sh.periods):
        _period(em, p, spans.get(("periods", n, "expression")))

    for n, o in enumerate(sh.observations):
        _observation(em, o, spans.get(("observations", n, "quote")))


def _alts(em: Emitter, i, alts) -> None:
    for a in alts:
        em.add(i, SKOS.altLabel, Literal(a.label, lang=a.lang))
        if a.source:
            em.add(i, DCTERMS.source, em.iri(a.source))


def _notation_type(scheme: str) -> str:
    return {"gb2260": "GB2260Code", "iso3166-2": "ISO3166-2Code"}[scheme]


def _instant(em: Emitter, d: dt.date) -> URIRef:
    i = URIRef(f"{em.base}id/time/{d.isoformat()}")
    em.add(i, RDF.type, TIME.Instant)
    em.add(i, TIME.inXSDDate, Literal(d.isoformat(), datatype=XSD.date))
    em.add(i, RDFS.label, Literal(d.isoformat()))
    return i


def _period(em: Emitter, p: Period, span: Span | None) -> None:
    i = em.time_iri(p)
    if p.instant:
        _instant(em, p.end)
    else:
        em.add(i, RDF.type, TIME.ProperInterval)
        em.add(i, RDFS.label, Literal(period_label(p.start, p.end, False)))
        if p.start:
            em.add(i, TIME.hasBeginning, _instant(em, p.start))
        else:
            em.add(i, FP.startNotStated, Literal(True))
        em.add(i, TIME.hasEnd, _instant(em, p.end))
    em.add(i, FP.expression, Literal(p.expression, lang="zh"))
    em.add(i, SKOS.editorialNote, Literal(p.note, lang="en") if p.note else None)
    em.ground(f"time-{p.id}", i, p.expression, None, span)


def _observation(em: Emitter, o, span: Span | None) -> None:
    i = em.iri(o.id)
    add = em.add
    measure = MEASURE[o.measure]
    add(i, RDF.type, QB.Observation)
    add(i, QB.dataSet, em.dataset)
    add(i, QB.measureType, measure)
    add(i, measure, number_literal(o.value))
    add(i, SDMX_ATT.unitMeasure, UNIT_IRI[o.unit])
    add(i, SDMX_DIM.refArea, em.iri(o.area))
    add(i, SDMX_DIM.refPeriod, em.iri(o.period))
    add(i, FP.subject, em.iri(o.subject))
    add(i, FP.qualifier, QUALIFIER[o.qualifier])
    add(i, FP.flowType, FLOW[o.flow])
    add(i, FP.method, METHOD[o.method] if o.method else None)
    add(i, FP.printedValue, Literal(o.figure, lang="zh"))
    add(i, FP.aboutEntity, em.iri(o.about) if o.about else None)
    add(i, FP.baseline, em.iri(o.baseline) if o.baseline else None)
    add(i, FP.population, em.iri(o.population) if o.population else None)
    add(i, SKOS.editorialNote, Literal(o.note, lang="en") if o.note else None)
    zh, en = observation_labels(em, o)
    add(i, RDFS.label, Literal(zh, lang="zh"))
    em.labels(i, zh, en, en_generated=True)
    em.ground(o.id, i, o.quote, o.source, span)


def _onto_label(term, lang: str) -> str:
    from .vocab import ontology_graph
    for o in ontology_graph().objects(term, RDFS.label):
        if o.language == lang:
            return str(o)
    return str(term).rsplit("#", 1)[-1]


def observation_labels(em: Emitter, o) -> tuple[str, str]:
    """Readable labels for a figure, from the sheet and the ontology's labels:
    ``贡西村：分红资金 59.96万元（2020）`` and
    ``Gongxi Village: dividends paid 599,600 yuan (CNY), 2020``; counts read
    ``Mingzhu Huayuan Phase 1 Resettlement Site: 170 households``."""
    area = em.by_id.get(o.area)
    period = em.by_id.get(o.period)
    when = period_label(period.start, period.end, period.instant) if period else None
    m, u = MEASURE[o.measure], UNIT_IRI[o.unit]
    value = f"{o.value:,}" if o.value == o.value.to_integral_value() else f"{o.value:,f}"
    qual = {"more-than": "more than ", "about": "about ", "nearly": "nearly "}.get(o.qualifier, "")
    zh = f"{area.zh if area else '地区未说明'}：{_onto_label(m, 'zh')} {o.figure}"
    place = area.en if area else "area not stated"
    if o.unit == "number":  # a count reads best as "170 households"
        en = f"{place}: {qual}{value} {_onto_label(m, 'en')}"
    else:
        en = f"{place}: {_onto_label(m, 'en')} {qual}{value} {_onto_label(u, 'en')}"
    if o.baseline:  # say what grew, and since when
        subject = em.by_id[o.subject]
        base = em.by_id[o.baseline]
        since = period_label(base.start, base.end, base.instant)
        zh = (f"{area.zh if area else '地区未说明'}：{subject.zh}较基期增长 {o.figure}"
              f"（基期 {since}" + (f"，至 {when}）" if when else "）"))
        en = (f"{place}: {subject.en} up {qual}{value} percent on {since}"
              + (f" (to {when})" if when else ""))
    elif when:
        zh += f"（{when}）"
        en += f", {when}"
    return zh, en
