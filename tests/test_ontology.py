"""Tests of the ontology (ontology/fupin.ttl) and the SHACL shapes
(ontology/shapes.ttl).

- every fp: term is declared and has zh/en labels and definitions;
- the reused terms are declared with the OWL kind fupin uses them with;
- the ontology matches the fact-sheet vocabulary (graph/schema.py);
- owlready2 loads it and HermiT finds it (with small instance data)
  consistent, and finds nonsense (a person that is a village) inconsistent;
- pyshacl accepts a small valid observation graph and rejects broken ones.

owlready2 does not read Turtle: the graphs are converted to N-Triples with
rdflib first. HermiT rejects literals outside the OWL 2 datatype map
(xsd:date, xsd:gYear) unless ``sync_reasoner(..., ignore_unsupported_datatypes=True)``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "fupin.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

FP = rdflib.Namespace("https://w3id.org/fupin/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
SDMXD = rdflib.Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMXA = rdflib.Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")

ONTOLOGY_IRI = URIRef("https://w3id.org/fupin/ontology")
VERSION_IRI = URIRef("https://w3id.org/fupin/ontology/0.1.0")

LEVELS = ["AutonomousRegion", "Province", "PrefectureLevelCity", "District", "County", "Town",
          "Township", "AdministrativeVillage", "UrbanCommunity"]
MEASURES = [
    "households", "persons", "villages", "projects", "facilities", "facilitiesTested",
    "resettlementSites", "fundsInvested", "dividendsPaid", "dividendValuePerHousehold",
    "wagesPaid", "workers", "incomeIncreasePerCapita", "roadLength", "floorArea", "siteArea",
    "trainingSessions", "trainees", "trainingSpecialities", "trainingCoursesAttended",
    "jobsCreated", "personsEmployed", "povertyIncidence", "perCapitaNetIncome",
    "growthOverBaseline", "monthlyWage", "unitPrice"]

# The fp: terms other modules (the builder's mapping) import by name.
FP_CLASSES = ["Place", "AdministrativeUnit", *LEVELS, "ResettlementSite",
              "PovertyAlleviationInitiative", "Project", "Programme", "TrainingCourse",
              "Event", "DividendDistribution", "MoveInCeremony", "SkillsDay", "TrainingEvent",
              "PartyCommittee", "Government", "ResidentsCommittee", "TrainingCentre", "School",
              "Enterprise", "Publisher", "AssistanceGroup", "Qualifier", "FlowType", "Method"]
FP_OBJECT_PROPERTIES = ["subject", "qualifier", "flowType", "method", "aboutEntity", "baseline",
                        "projectType", "period", "implementsPolicy", "aboutProject",
                        "jurisdiction", "movedFrom", "movedTo", "movedDuring", "tookPartIn",
                        "reportText", "population", "trainingMode", "coversPeriod"]
FP_DATATYPE_PROPERTIES = [*MEASURES, "printedValue", "remark", "expression", "startNotStated"]
FP_ANNOTATION_PROPERTIES = ["generatedLabel"]
FP_INDIVIDUALS = {"Exact": FP.Qualifier, "About": FP.Qualifier, "MoreThan": FP.Qualifier,
                  "Nearly": FP.Qualifier, "Stock": FP.FlowType, "Flow": FP.FlowType,
                  "CumulativeFlow": FP.FlowType, "SampleSurvey": FP.Method,
                  "notStated": SKOS.Concept, "specialValues": SKOS.ConceptScheme,
                  "dsd": QB.DataStructureDefinition}

# Reused terms and the OWL kind fupin uses them with. A term used both as an
# object and a datatype property is rejected by owlready2/HermiT.
REUSED = {
    OWL.Class: [
        SCHEMA.Person, SCHEMA.NewsArticle, SCHEMA.Place, SCHEMA.Event, ORG.Organization,
        QB.Observation, QB.DataSet, QB.DataStructureDefinition, TIME.ProperInterval,
        TIME.Instant, TIME.TemporalEntity, SKOS.Concept, SKOS.ConceptScheme, OA.Annotation,
        OA.SpecificResource, OA.TextQuoteSelector, OA.TextPositionSelector, PROV.Entity,
        VOID.Dataset, DCAT.Dataset, DCAT.Distribution, FOAF.Document],
    OWL.AnnotationProperty: [
        RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.editorialNote,
        DCT.title, DCT.license, DCT.creator, DCT.publisher, DCT.modified, DCT.source,
        DCT.description],
    OWL.ObjectProperty: [
        SKOS.inScheme, SKOS.broader, SKOS.exactMatch, SKOS.closeMatch, SKOS.hasTopConcept,
        SCHEMA.containedInPlace, SCHEMA.location, SCHEMA.provider, SCHEMA.organizer,
        SCHEMA.homeLocation, SCHEMA.gender, SCHEMA.publisher, SCHEMA.author, DCT.isPartOf,
        ORG.subOrganizationOf, PROV.wasDerivedFrom, PROV.wasAttributedTo, QB.dataSet,
        QB.structure, QB.measureType, SDMXD.refArea, SDMXD.refPeriod, SDMXA.unitMeasure,
        TIME.hasBeginning, TIME.hasEnd, OA.hasBody, OA.hasTarget, OA.hasSource,
        OA.hasSelector, OA.motivatedBy, VOID.sparqlEndpoint, VOID.dataDump,
        DCAT.distribution, DCAT.downloadURL, DCAT.mediaType],
    OWL.DatatypeProperty: [
        SKOS.notation, SCHEMA.jobTitle, SCHEMA.headline, SCHEMA.datePublished,
        SCHEMA.articleSection, SCHEMA.inLanguage, SCHEMA.name, TIME.inXSDDate,
        TIME.inXSDDateTimeStamp, OA.exact, OA.prefix, OA.suffix, OA.start, OA.end,
        VOID.triples, DCAT.byteSize],
}
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                OWL.NamedIndividual, RDFS.Datatype}
PROPERTY_KINDS = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
BUILTIN_NS = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


def _langs(g, s, p):
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


def _fp_terms(g):
    return {s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(str(FP))}


# --- (1) parsing, header, labels and definitions ---------------------------

def test_header(onto):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert (ONTOLOGY_IRI, OWL.versionIRI, VERSION_IRI) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert _langs(onto, ONTOLOGY_IRI, DCT.title) >= {"zh", "en"}
    assert _langs(onto, ONTOLOGY_IRI, DCT.description) >= {"zh", "en"}
    assert (ONTOLOGY_IRI, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in onto
    assert (ONTOLOGY_IRI, DCT.creator, Literal("fupin project")) in onto


def test_every_fp_term_has_zh_en_label_and_definition(onto):
    terms = _fp_terms(onto)
    assert len(terms) > 80
    missing = []
    for t in sorted(terms):
        for p in (RDFS.label, SKOS.definition):
            langs = _langs(onto, t, p)
            if not {"zh", "en"} <= langs:
                missing.append(f"{t.fragment} {p.n3(onto.namespace_manager)} has {sorted(langs)}")
            for lang in ("zh", "en"):
                if len([o for o in onto.objects(t, p) if getattr(o, "language", None) == lang]) > 1:
                    missing.append(f"{t.fragment} has two {p.n3(onto.namespace_manager)}@{lang}")
    assert not missing, "\n".join(missing)


# --- (2) declarations --------------------------------------------------------

def test_every_fp_iri_used_is_declared(onto, shapes):
    used = set()
    for g in (onto, shapes):
        for triple in g:
            used |= {t for t in triple if isinstance(t, URIRef) and t.startswith(str(FP))}
        # IRIs written inside the shapes' SPARQL strings
        for o in g.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#select")):
            used |= {FP[m] for m in re.findall(r"\bfp:([A-Za-z][A-Za-z0-9]*)", str(o))}
    undeclared = sorted(t.fragment for t in used
                        if not set(onto.objects(t, RDF.type)) & DECLARATIONS)
    assert not undeclared, f"used but not declared in fupin.ttl: {undeclared}"


def test_named_fp_terms_have_their_kind(onto):
    expected = ([(n, OWL.Class) for n in FP_CLASSES]
                + [(n, OWL.ObjectProperty) for n in FP_OBJECT_PROPERTIES]
                + [(n, OWL.DatatypeProperty) for n in FP_DATATYPE_PROPERTIES]
                + [(n, OWL.AnnotationProperty) for n in FP_ANNOTATION_PROPERTIES])
    wrong = [f"fp:{n} is not a {k.fragment}" for n, k in expected if (FP[n], RDF.type, k) not in onto]
    for n, cls in FP_INDIVIDUALS.items():
        for k in (OWL.NamedIndividual, cls):
            if (FP[n], RDF.type, k) not in onto:
                wrong.append(f"fp:{n} is not a {k}")
    assert not wrong, "\n".join(wrong)


def test_reused_terms_declared_with_one_kind(onto):
    wrong = [f"{t} is not a {kind.fragment}" for kind, terms in REUSED.items() for t in terms
             if (t, RDF.type, kind) not in onto]
    assert not wrong, "\n".join(wrong)
    for s in set(onto.subjects(RDF.type, None)):
        kinds = set(onto.objects(s, RDF.type)) & PROPERTY_KINDS
        assert len(kinds) <= 1, f"{s} is declared as {kinds}"


def test_every_predicate_used_is_declared(onto):
    for p in set(onto.predicates()):
        if str(p).startswith(BUILTIN_NS):
            continue
        assert set(onto.objects(p, RDF.type)) & PROPERTY_KINDS, f"{p} used but not declared"


def test_label_and_definition_properties_are_annotations(onto):
    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.editorialNote):
        assert (p, RDF.type, OWL.AnnotationProperty) in onto
    assert (FP.generatedLabel, RDFS.subPropertyOf, RDFS.label) in onto


def test_matches_fact_sheet_vocabulary(onto):
    from fupin.graph import schema

    def camel(code):
        head, *rest = code.split("-")
        return head + "".join(w.capitalize() for w in rest)

    def pascal(code):
        return "".join(w.capitalize() for w in code.split("-"))

    for m in get_args(schema.Measure):
        assert (FP[camel(m)], RDF.type, QB.MeasureProperty) in onto, m
    assert len(get_args(schema.Measure)) == len(set(onto.subjects(RDF.type, QB.MeasureProperty)))
    for code in get_args(schema.Level):
        assert (FP[pascal(code)], RDF.type, OWL.Class) in onto, code
    for code in get_args(schema.OrgKind):
        assert (FP[pascal(code)], RDFS.subClassOf, ORG.Organization) in onto, code
    for code in get_args(schema.ProjectKind):
        assert (FP[pascal(code)], RDFS.subClassOf, FP.PovertyAlleviationInitiative) in onto, code
    events = {"training": "TrainingEvent"}
    for code in get_args(schema.EventKind):
        assert (FP[events.get(code, pascal(code))], RDFS.subClassOf, FP.Event) in onto, code
    for literal, cls in ((schema.Qualifier, FP.Qualifier), (schema.Flow, FP.FlowType),
                         (schema.Method, FP.Method)):
        notations = {str(onto.value(i, SKOS.notation)) for i in onto.subjects(RDF.type, cls)}
        assert notations == set(get_args(literal)), (cls, notations)


def test_data_structure_definition(onto):
    comps = list(onto.objects(FP.dsd, QB.component))
    dims = {onto.value(c, QB.dimension) for c in comps} - {None}
    measures = {onto.value(c, QB.measure) for c in comps} - {None}
    attrs = {onto.value(c, QB.attribute): onto.value(c, QB.componentRequired) for c in comps
             if onto.value(c, QB.attribute) is not None}
    assert dims == {QB.measureType, SDMXD.refArea, SDMXD.refPeriod, FP.subject}
    assert measures == {FP[m] for m in MEASURES} == set(onto.subjects(RDF.type, QB.MeasureProperty))
    for m in MEASURES:
        assert (FP[m], RDF.type, OWL.DatatypeProperty) in onto
        definitions = {d.language: str(d) for d in onto.objects(FP[m], SKOS.definition)}
        assert "unit:" in definitions["en"] and "单位：" in definitions["zh"], m  # the unit expected
    assert set(attrs) == {SDMXA.unitMeasure, FP.qualifier, FP.flowType, FP.method,
                          FP.printedValue, FP.aboutEntity, FP.baseline, FP.population}
    for optional in (FP.method, FP.aboutEntity, FP.baseline, FP.population):
        assert attrs[optional].toPython() is False
    assert onto.value(SDMXD.refArea, RDFS.range) is None  # fp:notStated fills it
    assert onto.value(SDMXD.refPeriod, RDFS.range) is None
    assert (FP.subject, RDF.type, QB.DimensionProperty) in onto
    assert (FP.subject, RDFS.range, SKOS.Concept) in onto
    assert (FP.notStated, SKOS.inScheme, FP.specialValues) in onto


# --- (3)/(4) owlready2 and HermiT ---------------------------------------------

INSTANCE_DATA = """
@prefix fp: <https://w3id.org/fupin/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix ex: <https://w3id.org/fupin/id/> .
ex:gongxi a fp:AdministrativeVillage ; rdfs:label "贡西村"@zh , "Gongxi Village"@en ;
    schema:containedInPlace ex:lado .
ex:lado a fp:Township ; rdfs:label "拉多乡"@zh , "Lado Township"@en .
ex:end-2015 a time:Instant ; time:inXSDDate "2015-12-31"^^xsd:date ; fp:expression "2015年底"@zh .
ex:recent a time:ProperInterval ; fp:startNotStated true ; time:hasEnd ex:pub ; fp:expression "近年来"@zh .
ex:pub a time:Instant ; time:inXSDDateTimeStamp "2021-04-06T15:32:22+08:00"^^xsd:dateTimeStamp .
ex:obs a qb:Observation ; qb:measureType fp:dividendsPaid ; fp:dividendsPaid 599600 ;
    fp:printedValue "59.96万元"@zh ; sdmx-dimension:refArea ex:gongxi ;
    sdmx-dimension:refPeriod fp:notStated ; fp:subject ex:industry ;
    fp:qualifier fp:Exact ; fp:flowType fp:Flow ; fp:method fp:SampleSurvey ;
    sdmx-attribute:unitMeasure <http://qudt.org/vocab/unit/NUM> ; fp:baseline ex:end-2015 .
ex:person a schema:Person ; rdfs:label "仁青永宗"@zh ; fp:remark "每个月有2600元的工资"@zh ;
    fp:movedTo ex:gongxi ; fp:movedDuring ex:recent .
ex:article a schema:NewsArticle ; schema:headline "昌都市卡若区脱贫攻坚工作综述"@zh ;
    schema:datePublished "2021-04-06T15:32:22+08:00"^^xsd:dateTime .
"""


def _owl_world(tmp_path, extra_turtle: str | None = None):
    """A fresh owlready2 World holding the ontology (plus ``extra_turtle``),
    loaded from N-Triples (owlready2 does not read Turtle)."""
    owlready2 = pytest.importorskip("owlready2")
    g = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    if extra_turtle:
        g.parse(data=extra_turtle, format="turtle")
    nt = tmp_path / "fupin.nt"
    g.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(nt.as_uri()).load()
    return owlready2, world, onto


def test_owlready2_loads_and_hermit_finds_ontology_consistent(tmp_path):
    owlready2, world, onto = _owl_world(tmp_path)
    # owlready2 kept the declarations with their kinds
    assert isinstance(world[str(FP.households)], owlready2.DataPropertyClass)
    assert isinstance(world[str(FP.qualifier)], owlready2.ObjectPropertyClass)
    assert isinstance(world[str(SCHEMA.containedInPlace)], owlready2.ObjectPropertyClass)
    assert isinstance(world[str(OA.start)], owlready2.DataPropertyClass)
    assert isinstance(world[str(FP.generatedLabel)], owlready2.AnnotationPropertyClass)
    assert world[str(FP.AdministrativeUnit)] in world[str(FP.AdministrativeVillage)].ancestors()
    # the ontology alone uses only OWL 2 datatypes: no need to ignore any
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)


def test_hermit_finds_instance_data_consistent_and_infers_types(tmp_path):
    owlready2, world, onto = _owl_world(tmp_path, INSTANCE_DATA)
    # xsd:date is outside the OWL 2 datatype map: HermiT needs the flag
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0,
                            ignore_unsupported_datatypes=True)
    # inferred triples go into the "http://inferrences/" ontology, not the asserted one
    inferred = world.get_ontology("http://inferrences/")
    village = world["https://w3id.org/fupin/id/gongxi"]
    assert world[str(FP.AdministrativeUnit)] in village.INDIRECT_is_a
    assert any(True for _ in inferred.get_triples())


def test_hermit_rejects_xsd_date_without_flag(tmp_path):
    owlready2, world, onto = _owl_world(tmp_path, INSTANCE_DATA)
    with pytest.raises(owlready2.OwlReadyJavaError, match="not part of the OWL 2 datatype map"):
        owlready2.sync_reasoner(world, debug=0)


@pytest.mark.parametrize("nonsense", [
    "ex:x a schema:Person , fp:AdministrativeVillage .",
    "ex:x a fp:Town , fp:Township .",
    "ex:x a schema:Person ; fp:households 3 .",
    "ex:x fp:qualifier fp:Exact , fp:About .",
], ids=["person-is-village", "town-is-township", "person-has-measure", "two-qualifiers"])
def test_hermit_finds_nonsense_inconsistent(tmp_path, nonsense):
    prefixes = ("@prefix fp: <https://w3id.org/fupin/ontology#> .\n"
                "@prefix schema: <https://schema.org/> .\n"
                "@prefix ex: <https://w3id.org/fupin/id/> .\n")
    owlready2, world, onto = _owl_world(tmp_path, prefixes + nonsense)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner(world, debug=0, ignore_unsupported_datatypes=True)


# --- (5) SHACL ----------------------------------------------------------------

VALID_OBSERVATION = """
@prefix fp: <https://w3id.org/fupin/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix ex: <https://w3id.org/fupin/id/> .
ex:obs a qb:Observation ; qb:dataSet ex:dataset ;
    qb:measureType fp:dividendsPaid ; fp:dividendsPaid 599600 ;
    sdmx-attribute:unitMeasure <http://qudt.org/vocab/currency/CNY> ;
    sdmx-dimension:refArea ex:gongxi ; sdmx-dimension:refPeriod ex:y2020 ; fp:subject ex:industry ;
    fp:qualifier fp:Exact ; fp:flowType fp:Flow ; fp:printedValue "59.96万元"@zh .
ex:ann a oa:Annotation ; oa:hasBody ex:obs ; oa:hasTarget ex:target .
ex:target a oa:SpecificResource ; oa:hasSource ex:text ; oa:hasSelector ex:quote , ex:pos .
ex:quote a oa:TextQuoteSelector ; oa:exact "发放分红资金59.96万元" ; oa:prefix "项目分红仪式," ; oa:suffix ",同时" .
ex:pos a oa:TextPositionSelector ;
    oa:start "700"^^xsd:nonNegativeInteger ; oa:end "713"^^xsd:nonNegativeInteger .
ex:gongxi a fp:AdministrativeVillage ;
    rdfs:label "贡西村"@zh , "Gongxi Village"@en , "Gòngxī Cūn"@zh-Latn-pinyin ;
    schema:containedInPlace ex:lado .
ex:lado a fp:Township ; rdfs:label "拉多乡"@zh , "Lado Township"@en ; schema:containedInPlace ex:karuo .
ex:xizang a fp:AutonomousRegion ; rdfs:label "西藏自治区"@zh , "Tibet Autonomous Region"@en .
ex:y2020 a time:ProperInterval ; time:hasBeginning ex:d1 ; time:hasEnd ex:d2 .
ex:recent a time:ProperInterval ; fp:startNotStated true ; time:hasEnd ex:d2 .
ex:d1 a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date .
ex:d2 a time:Instant ; time:inXSDDate "2020-12-31"^^xsd:date .
ex:person a schema:Person ; rdfs:label "仁青永宗"@zh .
ex:article a schema:NewsArticle ; schema:headline "昌都市卡若区脱贫攻坚工作综述"@zh ;
    schema:datePublished "2021-04-06T15:32:22+08:00"^^xsd:dateTime ; schema:publisher ex:publisher .
"""

PREFIXES = """
PREFIX fp: <https://w3id.org/fupin/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX ex: <https://w3id.org/fupin/id/>
"""


def _validate(shapes, update: str | None = None, ont_graph=None):
    pyshacl = pytest.importorskip("pyshacl")
    data = rdflib.Graph().parse(data=VALID_OBSERVATION, format="turtle")
    if update:
        data.update(PREFIXES + update)
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont_graph,
                                         advanced=True)
    return conforms, text


def test_shapes_parse(shapes):
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(shapes.subjects(RDF.type, SH.NodeShape))) >= 8
    # every constraint says in English what is wrong
    for shape in set(shapes.objects(None, SH.property)):
        assert any(m.language == "en" for m in shapes.objects(shape, SH.message)), shape


def test_valid_observation_conforms(shapes):
    conforms, text = _validate(shapes)
    assert conforms, text


def test_valid_observation_conforms_with_ontology_mixed_in(shapes, onto):
    conforms, text = _validate(shapes, ont_graph=onto)
    assert conforms, text


@pytest.mark.parametrize("update, message", [
    ("DELETE WHERE { ex:obs sdmx-attribute:unitMeasure ?u }", "exactly one unit"),
    ("DELETE WHERE { ex:obs fp:dividendsPaid ?v }", "no value for its measure"),
    ("INSERT DATA { ex:obs fp:dividendsPaid 1 }", "more than one value for its measure"),
    ("DELETE WHERE { ex:obs fp:dividendsPaid ?v } ;"
     " INSERT DATA { ex:obs fp:dividendsPaid \"5.996E5\"^^xsd:double }", "not an xsd:integer or xsd:decimal"),
    ("INSERT DATA { ex:obs fp:persons 3 }", "not its qb:measureType"),
    ("DELETE WHERE { ex:obs fp:qualifier ?q }", "fp:qualifier"),
    ("INSERT DATA { ex:obs fp:printedValue \"59.96万元\" }", "fp:printedValue"),
    ("DELETE WHERE { ex:ann oa:hasBody ?b }", "no source span"),
    ("DELETE WHERE { ex:pos oa:end ?e } ; INSERT DATA { ex:pos oa:end \"600\"^^xsd:nonNegativeInteger }",
     "less than its oa:end"),
    ("DELETE WHERE { ex:gongxi schema:containedInPlace ?p }", "needs a parent"),
    ("DELETE WHERE { ex:gongxi rdfs:label \"贡西村\"@zh }", "rdfs:label in Chinese"),
    ("DELETE WHERE { ex:lado rdfs:label \"Lado Township\"@en }", "in English"),
    ("INSERT DATA { ex:nowhere a fp:Place ; rdfs:label \"某地\"@zh , \"Somewhere\"@en ;"
     " schema:containedInPlace ex:lado }", "exactly one level"),
    ("DELETE WHERE { ex:d1 time:inXSDDate ?d }", "time:inXSDDate"),
    ("DELETE WHERE { ex:y2020 time:hasEnd ?e }", "time:hasEnd"),
    ("DELETE WHERE { ex:recent fp:startNotStated ?b }", "fp:startNotStated"),
    ("DELETE WHERE { ex:person rdfs:label ?l }", "person needs an rdfs:label"),
    ("DELETE WHERE { ex:article schema:datePublished ?d } ;"
     " INSERT DATA { ex:article schema:datePublished \"2021-04-06\"^^xsd:date }", "xsd:dateTime"),
    ("DELETE WHERE { ex:article schema:publisher ?p }", "schema:publisher"),
], ids=["no-unit", "no-value", "two-values", "double-value", "other-measure", "no-qualifier",
        "untagged-printed-value", "no-annotation", "start-after-end", "no-parent", "no-zh-label",
        "no-en-label", "no-level", "instant-without-date", "interval-without-end",
        "interval-without-start", "person-without-label", "article-date-not-datetime",
        "article-without-publisher"])
def test_broken_data_does_not_conform(shapes, update, message):
    conforms, text = _validate(shapes, update)
    assert not conforms, f"expected a violation for: {update}"
    assert message in text, text
