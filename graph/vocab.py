"""Namespaces, and the ontology's own terms as a closed namespace.

``FP`` is built from the terms ``ontology/fupin.ttl`` declares, so a misspelt
term (``FP.housholds``) raises ``AttributeError`` where it is written, not a
silent new IRI in the output.
"""
from __future__ import annotations

from functools import cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD,
                              ClosedNamespace)

from fupin.config import ONTOLOGY_IRI
from fupin.ontology import ONTOLOGY

FP_NS = ONTOLOGY_IRI + "#"
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATT = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")
WD = Namespace("http://www.wikidata.org/entity/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, str] = {
    "fp": FP_NS, "qb": str(QB), "sdmx-dimension": str(SDMX_DIM),
    "sdmx-attribute": str(SDMX_ATT), "oa": str(OA), "org": str(ORG), "schema": str(SCHEMA),
    "unit": str(UNIT), "cur": str(CUR), "wd": str(WD), "prov": str(PROV), "skos": str(SKOS),
    "time": str(TIME), "dcat": str(DCAT), "dcterms": str(DCTERMS), "void": str(VOID),
    "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
}
"""Prefixes used in every serialisation and by the server's example queries."""


@cache
def ontology_graph() -> Graph:
    """The ontology as an rdflib Graph (parsed once per process)."""
    g = Graph()
    g.parse(ONTOLOGY.read_bytes(), format="turtle")
    return g


def _declared_terms() -> list[str]:
    g = ontology_graph()
    return sorted({str(s)[len(FP_NS):] for s in g.subjects()
                   if isinstance(s, URIRef) and str(s).startswith(FP_NS)})


FP = ClosedNamespace(FP_NS, _declared_terms())

__all__ = ["FP", "FP_NS", "QB", "SDMX_DIM", "SDMX_ATT", "OA", "ORG", "SCHEMA", "UNIT", "CUR",
           "WD", "SD", "PROV", "SKOS", "TIME", "DCAT", "DCTERMS", "VOID", "RDF", "RDFS",
           "OWL", "XSD", "PREFIXES", "ontology_graph"]
