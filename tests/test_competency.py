"""Competency questions: what the Karuo graph must answer, by SPARQL over the
built N-Quads (default graph = union of the named graphs), with the values the
report prints."""
from __future__ import annotations

from decimal import Decimal

import pytest

from pathlib import Path

KARUO_REPORT = Path(__file__).resolve().parent.parent / "data" / "reports" / "karuo-2021-04-06.txt"

PREFIXES = """
PREFIX fp: <https://w3id.org/fupin/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX cur: <http://qudt.org/vocab/currency/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def ask(karuo_dataset):
    g = karuo_dataset

    def run(q: str):
        return list(g.query(PREFIXES + q))
    g.default_union = True
    return run


def figures(ask, place_zh: str, measure: str):
    """(value, unit, period label, qualifier) of each ``measure`` figure at ``place_zh``."""
    rows = ask(f"""SELECT ?v ?unit ?period ?q WHERE {{
      ?place rdfs:label "{place_zh}"@zh .
      ?o sdmx-dimension:refArea ?place ; qb:measureType fp:{measure} ; fp:{measure} ?v ;
         sdmx-attribute:unitMeasure ?unit ; sdmx-dimension:refPeriod ?p ; fp:qualifier ?q .
      OPTIONAL {{ ?p rdfs:label ?period }} }}""")
    return sorted((Decimal(str(r.v)), str(r.unit).rsplit("/", 1)[1], str(r.period),
                   str(r.q).rsplit("#", 1)[1]) for r in rows)


def test_gongxi_transfer_station_dividend_and_year(ask):
    rows = ask("""SELECT ?v ?year ?project WHERE {
      ?o qb:measureType fp:dividendsPaid ; fp:dividendsPaid ?v ;
         sdmx-dimension:refArea/rdfs:label "贡西村"@zh ; sdmx-dimension:refPeriod/rdfs:label ?year .
      OPTIONAL { ?o fp:aboutEntity ?project } }""")
    assert [(int(r.v), str(r.year)) for r in rows] == [(599600, "2020")]


def test_what_each_botuo_household_received(ask):
    # paid out at the ceremony 今年年初 (1 January 2021 to publication)
    paid = "2021-01-01 – 2021-04-06"
    assert figures(ask, "波妥村", "dividendValuePerHousehold") == [
        (Decimal(1530), "CNY", paid, "Exact")]
    assert figures(ask, "波妥村", "households") == [(Decimal(73), "NUM", paid, "Exact")]


def test_mingzhu_phase1_households_and_people(ask):
    rows = ask("""SELECT ?m ?v WHERE {
      ?site rdfs:label ?l . FILTER(CONTAINS(STR(?l), "明珠花园一期"))
      ?o sdmx-dimension:refArea ?site ; qb:measureType ?m ; ?m ?v . }""")
    got = {str(r.m).rsplit("#", 1)[1]: int(r.v) for r in rows}
    assert got == {"households": 170, "persons": 358}


def test_resettlement_totals(ask):
    rows = ask("""SELECT ?m ?v WHERE {
      ?o fp:subject/skos:prefLabel ?s ; sdmx-dimension:refArea/rdfs:label "卡若区"@zh ;
         qb:measureType ?m ; ?m ?v .
      FILTER(?m IN (fp:resettlementSites, fp:households, fp:persons))
      FILTER(lang(?s) = "en" && CONTAINS(LCASE(?s), "relocation")) }""")
    got = {str(r.m).rsplit("#", 1)[1]: int(r.v) for r in rows}
    assert got == {"resettlementSites": 33, "households": 1792, "persons": 7710}


def test_roads_since_2016(ask):
    rows = ask("""SELECT ?m ?v ?start ?unit WHERE {
      ?o fp:subject ?s ; qb:measureType ?m ; ?m ?v ; sdmx-attribute:unitMeasure ?unit ;
         sdmx-dimension:refPeriod/time:hasBeginning/time:inXSDDate ?start .
      ?s skos:prefLabel "roads"@en . }""")
    got = {str(r.m).rsplit("#", 1)[1]: (Decimal(str(r.v)), str(r.unit)) for r in rows}
    assert got == {"projects": (Decimal(182), "http://qudt.org/vocab/unit/NUM"),
                   "fundsInvested": (Decimal("9486000000"), "http://qudt.org/vocab/currency/CNY"),
                   "roadLength": (Decimal("1166.5"), "http://qudt.org/vocab/unit/KiloM")}
    assert {str(r.start) for r in rows} == {"2016-01-01"}


def test_villages_of_each_township(ask):
    rows = ask("""SELECT ?t ?v WHERE {
      ?village a fp:AdministrativeVillage ; schema:containedInPlace ?town ; rdfs:label ?v .
      ?town rdfs:label ?t . FILTER(lang(?v) = "zh" && lang(?t) = "zh") }""")
    got = {}
    for r in rows:
        got.setdefault(str(r.t), set()).add(str(r.v))
    assert got == {"卡若镇": {"波妥村"}, "拉多乡": {"贡西村"}, "若巴乡": {"卡堆村"},
                   "柴维乡": {"加荣村"}, "约巴乡": {"马俑村"}}


def test_exit_figures(ask):
    rows = ask("""SELECT ?m ?v WHERE {
      ?o fp:subject/skos:prefLabel "脱贫退出"@zh ; qb:measureType ?m ; ?m ?v . }""")
    got = {str(r.m).rsplit("#", 1)[1]: Decimal(str(r.v)) for r in rows}
    assert got["villages"] == 157 and got["households"] == 3367 and got["persons"] == 15345
    assert got["povertyIncidence"] == 0


def test_income_and_growth_over_end_2015(ask):
    rows = ask("""SELECT ?v ?method WHERE {
      ?o qb:measureType fp:perCapitaNetIncome ; fp:perCapitaNetIncome ?v ; fp:method ?method }""")
    assert [(Decimal(str(r.v)), str(r.method).rsplit("#")[1]) for r in rows] == [
        (Decimal("7427.75"), "SampleSurvey")]
    rows = ask("""SELECT ?v ?base ?unit WHERE {
      ?o qb:measureType fp:growthOverBaseline ; fp:growthOverBaseline ?v ;
         sdmx-attribute:unitMeasure ?unit ; fp:baseline/time:inXSDDate ?base }""")
    assert [(int(r.v), str(r.base), str(r.unit)) for r in rows] == [
        (248, "2015-12-31", "http://qudt.org/vocab/unit/PERCENT")]


def test_training_centre_offers(ask):
    rows = ask("""SELECT ?m ?v ?unit WHERE {
      ?c a fp:TrainingCentre . ?o fp:aboutEntity ?c ; qb:measureType ?m ; ?m ?v ;
         sdmx-attribute:unitMeasure ?unit }""")
    got = {str(r.m).rsplit("#", 1)[1]: (int(r.v), str(r.unit).rsplit("/", 1)[1]) for r in rows}
    assert got == {"siteArea": (2600, "M2"), "trainingSpecialities": (27, "NUM")}
    courses = ask("""SELECT ?l WHERE { ?c a fp:TrainingCentre . ?x schema:provider ?c ;
      a fp:TrainingCourse ; rdfs:label ?l . FILTER(lang(?l) = "zh") }""")
    names = " ".join(str(r.l) for r in courses)
    assert "保洁" in names and "编织" in names


def test_who_moved_where(ask):
    rows = ask("""SELECT ?who ?from ?to ?when WHERE {
      ?p a schema:Person ; rdfs:label ?who ; fp:movedFrom/rdfs:label ?from ;
         fp:movedTo/rdfs:label ?to ; fp:movedDuring/rdfs:label ?when .
      FILTER(lang(?who) = "zh" && lang(?from) = "zh" && lang(?to) = "zh") }""")
    assert {(str(r.who), str(r["from"]), str(r.to), str(r.when)) for r in rows} == {
        ("仁青旺修", "马俑村", "明珠花园", "2019")}


def test_industry_funds_cumulative_over_five_years(ask):
    rows = ask("""SELECT ?v ?flow ?start ?end WHERE {
      ?o qb:measureType fp:fundsInvested ; fp:fundsInvested ?v ; fp:flowType ?flow ;
         fp:printedValue "5.53亿元"@zh ; sdmx-dimension:refPeriod ?p .
      ?p time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end }""")
    assert [(int(r.v), str(r.flow).rsplit("#")[1], str(r.start), str(r.end)) for r in rows] == [
        (553000000, "CumulativeFlow", "2016-04-06", "2021-04-06")]


def test_enclave_dividends_and_income_increase_qualifier(ask):
    rows = ask("""SELECT ?v WHERE { ?o fp:printedValue "920.91万元"@zh ; qb:measureType ?m ; ?m ?v }""")
    assert [int(r.v) for r in rows] == [9209100]
    rows = ask("""SELECT ?v ?q WHERE { ?o qb:measureType fp:incomeIncreasePerCapita ;
      fp:incomeIncreasePerCapita ?v ; fp:qualifier ?q }""")
    assert [(int(r.v), str(r.q).rsplit("#")[1]) for r in rows] == [(1700, "MoreThan")]


def test_drinking_water(ask):
    rows = ask("""SELECT ?m ?v WHERE { ?o fp:subject/skos:prefLabel "safe drinking water"@en ;
      qb:measureType ?m ; ?m ?v }""")
    got = {str(r.m).rsplit("#", 1)[1]: int(r.v) for r in rows}
    assert got == {"fundsInvested": 159000000, "facilities": 330, "facilitiesTested": 628}


def test_training_and_jobs(ask):
    rows = ask("""SELECT ?m ?v WHERE { ?o qb:measureType ?m ; ?m ?v .
      FILTER(?m IN (fp:trainingSessions, fp:trainees, fp:jobsCreated, fp:personsEmployed)) }""")
    got = {str(r.m).rsplit("#", 1)[1]: int(r.v) for r in rows}
    assert got == {"trainingSessions": 134, "trainees": 9163, "jobsCreated": 3011,
                   "personsEmployed": 7141}


def test_a_wage_has_no_area(ask):
    rows = ask("""SELECT ?v ?area WHERE { ?o qb:measureType fp:monthlyWage ; fp:monthlyWage ?v ;
      sdmx-dimension:refArea ?area }""")
    assert [(int(r.v), str(r.area)) for r in rows] == [
        (2600, "https://w3id.org/fupin/ontology#notStated")]


def test_recent_years_has_no_stated_start(ask):
    rows = ask("""SELECT ?p ?begin ?flag WHERE { ?p fp:expression "近年来"@zh .
      OPTIONAL { ?p time:hasBeginning ?begin } OPTIONAL { ?p fp:startNotStated ?flag } }""")
    assert rows and all(r.begin is None and r.flag.toPython() is True for r in rows)


def test_place_hierarchy_reaches_tibet(ask):
    rows = ask("""SELECT ?top WHERE { ?v rdfs:label "贡西村"@zh ;
      schema:containedInPlace+ ?top . ?top rdfs:label ?l . FILTER(lang(?l) = "zh") }
      """)
    assert len(rows) == 4  # 拉多乡, 卡若区, 昌都市, 西藏自治区
    rows = ask("""SELECT ?l WHERE { ?v rdfs:label "贡西村"@zh ;
      schema:containedInPlace+ ?top . ?top rdfs:label ?l . FILTER(lang(?l) = "zh") }""")
    assert {str(r.l) for r in rows} == {"拉多乡", "卡若区", "昌都市", "西藏自治区"}


def test_outside_identifiers_cite_their_source(ask):
    rows = ask("""SELECT ?wd ?src WHERE { ?t rdfs:label "西藏自治区"@zh ; skos:exactMatch ?wd ;
      dcterms:source ?src }""")
    assert {str(r.wd) for r in rows} == {"http://www.wikidata.org/entity/Q17269"}
    rows = ask("""SELECT ?code WHERE { ?k rdfs:label "卡若区"@zh ; skos:notation ?code }""")
    assert {str(r.code) for r in rows} == {"540302"}
    rows = ask("""SELECT ?en WHERE { ?q rdfs:label "昌都市"@zh , ?en . FILTER(lang(?en) = "en")
      FILTER NOT EXISTS { ?q fp:generatedLabel ?en } }""")
    assert {str(r.en) for r in rows} == {"Qamdo"}


def test_generated_labels_are_marked(ask):
    rows = ask("""SELECT ?en WHERE { ?g rdfs:label "贡西村"@zh ; fp:generatedLabel ?en }""")
    assert [str(r.en) for r in rows] == ["Gongxi Village"]
    rows = ask("""SELECT ?py WHERE { ?g rdfs:label "贡西村"@zh , ?py .
      FILTER(LCASE(lang(?py)) = "zh-latn-pinyin") }""")
    assert [str(r.py) for r in rows] == ["Gòngxī Cūn"]


def test_article(ask):
    rows = ask("""SELECT ?d ?pub WHERE { ?a a schema:NewsArticle ; schema:datePublished ?d ;
      schema:publisher/rdfs:label ?pub . FILTER(lang(?pub) = "zh") }""")
    assert [(str(r.d), str(r.pub)) for r in rows] == [("2021-04-06T15:32:22+08:00", "西藏自治区人民政府网")]


def test_official_english_policy_terms(ask):
    rows = ask("""SELECT ?en WHERE { ?c skos:prefLabel "六个精准"@zh , ?en .
      FILTER(lang(?en) = "en") }""")
    assert [str(r.en) for r in rows] == ["Targeted Efforts in Six Areas"]


def test_participants_of_the_botuo_dividend(ask):
    rows = ask("""SELECT ?who WHERE { ?e a fp:DividendDistribution ; schema:location/rdfs:label "波妥村"@zh .
      ?p fp:tookPartIn ?e ; rdfs:label ?who . FILTER(lang(?who) = "zh") }""")
    assert [str(r.who) for r in rows] == ["扎西平措"]


def test_spans_match_the_report(ask):
    """Every observation's annotation: the text at [start, end) is the exact quote,
    and the printed figure lies inside it."""
    text = KARUO_REPORT.read_bytes().decode("utf-8")
    rows = ask("""SELECT ?obs ?exact ?start ?end ?printed WHERE {
      ?obs a qb:Observation ; fp:printedValue ?printed .
      ?a oa:hasBody ?obs ; oa:hasTarget ?t . ?t oa:hasSelector ?q , ?pos .
      ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end }""")
    assert len(rows) == 35
    for r in rows:
        assert text[int(r.start):int(r.end)] == str(r.exact)
        assert str(r.printed) in str(r.exact)


def test_no_two_observations_share_all_dimensions(ask):
    """Data Cube IC-12."""
    rows = ask("""SELECT ?a ?b WHERE {
      ?a qb:dataSet ?ds ; qb:measureType ?m ; sdmx-dimension:refArea ?x ;
         sdmx-dimension:refPeriod ?p ; fp:subject ?s .
      ?b qb:dataSet ?ds ; qb:measureType ?m ; sdmx-dimension:refArea ?x ;
         sdmx-dimension:refPeriod ?p ; fp:subject ?s .
      FILTER(STR(?a) < STR(?b)) }""")
    assert rows == []


def test_inferred_types_in_their_own_graph(karuo_dataset):
    from rdflib import URIRef
    from rdflib.namespace import RDF
    fp = "https://w3id.org/fupin/ontology#"
    inferred = karuo_dataset.graph(URIRef("https://w3id.org/fupin/graph/inferred"))
    report = karuo_dataset.graph(URIRef("https://w3id.org/fupin/graph/report/karuo-2021-04-06"))
    gongxi = URIRef("https://w3id.org/fupin/id/place/xizang/qamdo/karuo-qu/laduo-xiang/gongxi-cun")
    assert (gongxi, RDF.type, URIRef(fp + "AdministrativeUnit")) in inferred
    assert (gongxi, RDF.type, URIRef(fp + "AdministrativeUnit")) not in report
    assert (gongxi, RDF.type, URIRef(fp + "AdministrativeVillage")) in report


def test_populations_say_whom_a_figure_counts(ask):
    rows = ask("""SELECT ?printed ?pop WHERE { ?o fp:printedValue ?printed ;
      fp:population/skos:prefLabel ?pop . FILTER(lang(?pop) = "en") }""")
    got = {str(r.printed): str(r.pop) for r in rows}
    assert got["358名"] == "registered poor people"
    assert got["7427.75元"] == "poor people" and got["1700余元"] == "poor people"
    assert got["3367户"] == "poor households"
    assert "7710人" not in got  # 涉迁: the report does not say they were all poor


def test_botuo_dividend_held_early_2021_for_2020(ask):
    rows = ask("""SELECT ?held ?covers WHERE { ?e a fp:DividendDistribution ;
      schema:location/rdfs:label "波妥村"@zh ; fp:period/rdfs:label ?held ;
      fp:coversPeriod/rdfs:label ?covers }""")
    assert [(str(r.held), str(r.covers)) for r in rows] == [("2021-01-01 – 2021-04-06", "2020")]


def test_training_modes(ask):
    rows = ask("""SELECT ?m WHERE { ?p fp:trainingMode/skos:prefLabel ?m . FILTER(lang(?m) = "zh") }""")
    assert {"定向式", "企业代包式", "以师带徒式"} <= {str(r.m).strip("“”") for r in rows}


def test_every_term_used_is_declared(karuo_dataset):
    """owlready2 drops undeclared terms silently: every predicate and class the
    build uses is declared in the ontology graph."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS
    onto = karuo_dataset.graph(URIRef("https://w3id.org/fupin/graph/ontology"))
    kinds = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    for name in ("report/karuo-2021-04-06", "inferred", "meta"):
        g = karuo_dataset.graph(URIRef(f"https://w3id.org/fupin/graph/{name}"))
        preds = {p for p in g.predicates() if p != RDF.type}
        assert not [p for p in preds if not set(onto.objects(p, RDF.type)) & kinds], name
        classes = set(g.objects(None, RDF.type))
        assert not [c for c in classes if (c, RDF.type, OWL.Class) not in onto
                    and (c, RDF.type, RDFS.Class) not in onto], name
