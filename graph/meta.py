"""The dataset description (VoID and DCAT) for the ``meta`` named graph and ``void.ttl``.

Counts (triples per named graph, entities per class) come from the build; the
dumps are listed as distributions. Byte sizes are added only to ``void.ttl``
(:func:`add_byte_sizes`), since a dump cannot state its own size.
"""
from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef

from .vocab import DCAT, DCTERMS, PROV, RDF, RDFS, SCHEMA, VOID, XSD

IANA = "https://www.iana.org/assignments/media-types/"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")

DUMPS = ["ttl", "nt", "rdfxml", "jsonld", "trig", "nq"]
"""Short names (``fupin.graph.formats``) of the RDF dumps; each also gzipped."""


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}id/dataset")


def describe_dataset(built) -> Graph:
    """VoID/DCAT description of ``built`` (a :class:`~fupin.graph.build.Built`)."""
    from .build import new_graph
    from .formats import by_name

    base = built.settings.base_iri
    g = new_graph()
    d = dataset_iri(base)
    add = g.add
    add((d, RDF.type, VOID.Dataset))
    add((d, RDF.type, DCAT.Dataset))
    for lang, title in (("zh", "扶贫知识图谱（fupin）"), ("en", "fupin poverty-alleviation knowledge graph")):
        add((d, DCTERMS.title, Literal(title, lang=lang)))
        add((d, RDFS.label, Literal(title, lang=lang)))
    add((d, DCTERMS.description, Literal(
        "Facts from Chinese local governments' poverty-alleviation reports (脱贫攻坚工作综述), "
        "each tied to the exact span of the report it comes from.", lang="en")))
    add((d, DCTERMS.description, Literal(
        "来自地方政府脱贫攻坚工作综述的事实，每条都链接到原文中的确切语句。", lang="zh")))
    add((d, DCTERMS.license, LICENCE))
    add((d, VOID.uriSpace, Literal(f"{base}id/")))
    add((d, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    add((d, VOID.rootResource, URIRef(f"{base}id/dataset")))
    total = 0
    classes: Counter = Counter()
    for name, gr in sorted(built.graphs.items()):
        if name == built.graph_iri("meta"):
            continue
        sub = URIRef(f"{d}/graph/{str(name).rsplit('graph/', 1)[1]}")
        add((d, VOID.subset, sub))
        add((sub, RDF.type, VOID.Dataset))
        add((sub, SCHEMA.url, name))
        add((sub, VOID.triples, Literal(len(gr), datatype=XSD.integer)))
        total += len(gr)
        if name != built.graph_iri("ontology"):
            classes.update(o for o in gr.objects(None, RDF.type))
    add((d, VOID.triples, Literal(total, datatype=XSD.integer)))
    for n, (cls, count) in enumerate(sorted(classes.items())):
        part = URIRef(f"{d}/class/{n}")
        add((d, VOID.classPartition, part))
        add((part, VOID["class"], cls))
        add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for c in built.sheets:
        art = URIRef(f"{base}id/report/{c.sheet.report.id}")
        add((d, DCTERMS.source, art))
        add((d, PROV.wasDerivedFrom, art))
        add((d, DCTERMS.bibliographicCitation, Literal(
            f"{c.sheet.report.title}. 来源：{c.text.text[slice(*_span(c, 'publisher_quote'))]}"
            f", {c.sheet.report.published.date().isoformat()}.", lang="zh")))
    for short in DUMPS + ["csv"]:
        f = by_name(short)
        for gz in (False, True):
            fname = f"fupin.{f.extension}" if short != "csv" else "observations.csv"
            fname += ".gz" if gz else ""
            dist = URIRef(f"{base}download/{fname}")
            add((d, DCAT.distribution, dist))
            add((dist, RDF.type, DCAT.Distribution))
            add((dist, DCAT.downloadURL, dist))
            add((dist, DCAT.mediaType, URIRef(IANA + f.media_type)))
            if gz:
                add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
            label = "Observations, one row per figure (CSV)" if short == "csv" else f.label
            add((dist, DCTERMS.title, Literal(f"{label}{' (gzip)' if gz else ''}", lang="en")))
            add((dist, DCTERMS.license, LICENCE))
    return g


def _span(c, key):
    sp = c.spans[("report", 0, key)]
    return sp.start, sp.end


def add_byte_sizes(g: Graph, base: str, sizes: dict[str, int]) -> None:
    """Add ``dcat:byteSize`` to each distribution named in ``sizes``."""
    for fname, size in sizes.items():
        g.add((URIRef(f"{base}download/{fname}"), DCAT.byteSize,
               Literal(size, datatype=XSD.nonNegativeInteger)))
