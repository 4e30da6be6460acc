"""OWL layer: owlready2 loads the ontology with the data, HermiT checks consistency,
and the types it entails (a village is also an administrative unit) are
returned for the inferred-types named graph.

owlready2 reads N-Triples (not Turtle), so both are handed over as one
N-Triples file; HermiT runs with ``--ignoreUnsupportedDatatypes`` because OWL 2
has no ``xsd:date``/``xsd:gYear`` (``ignore_unsupported_datatypes=True`` in
:func:`owlready2.sync_reasoner_hermit`). Needs Java on ``PATH``.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .checks import CheckReport, Problem


def reason(data: Graph, ontology: Graph) -> tuple[CheckReport, set[tuple]]:
    """Check ``data`` + ``ontology`` with HermiT.

    Returns the report and the entailed ``(individual, rdf:type, class)``
    triples not asserted in ``data`` (:func:`entailed_types`). An inconsistency is one problem, explained by the disjoint
    classes an individual falls into where that is the cause.
    """
    import owlready2

    rep = CheckReport("owl (owlready2 + HermiT)")
    if shutil.which(owlready2.JAVA_EXE) is None and shutil.which("java") is None:
        rep.problems.append(Problem("", None, "", "Java is not installed: HermiT needs it "
                                    "(install a JRE, or build with --no-reason)"))
        return rep, set()
    both = Graph()
    for t in ontology:
        both.add(t)
    for t in data:
        both.add(t)
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "all.nt"
        both.serialize(nt, format="nt", encoding="utf-8")
        try:
            # owlready2 prints warnings (a qb:MeasureProperty that is also an
            # owl:DatatypeProperty) straight to stderr; they are not problems.
            with contextlib.redirect_stderr(io.StringIO()):
                world.get_ontology(nt.as_uri()).load()
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                               ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            rep.problems.append(Problem("", None, "", "HermiT: the ontology and data are "
                                        "inconsistent. " + explain_inconsistency(both)))
            return rep, set()
        except owlready2.OwlReadyJavaError as e:
            rep.problems.append(Problem("", None, "", f"HermiT failed: {str(e)[:500]}"))
            return rep, set()
        world.close()
    inferred = entailed_types(data, ontology)
    rep.notes.append(f"consistent; {len(inferred)} entailed types")
    return rep, inferred


def entailed_types(data: Graph, ontology: Graph) -> set[tuple]:
    """``(x, rdf:type, C)`` for every named superclass C (``rdfs:subClassOf``
    closure, as HermiT classifies the ontology) of a type asserted for ``x`` in
    ``data``, minus what ``data`` asserts."""
    supers: dict = {}

    def ancestors(c):
        if c not in supers:
            supers[c] = set()
            for p in ontology.objects(c, RDFS.subClassOf):
                if isinstance(p, URIRef) and p != OWL.Thing:
                    supers[c] |= {p} | ancestors(p)
        return supers[c]

    out = set()
    for x, t in data.subject_objects(RDF.type):
        for c in ancestors(t):
            if (x, RDF.type, c) not in data:
                out.add((x, RDF.type, c))
    return out


def explain_inconsistency(g: Graph) -> str:
    """Name individuals typed (through rdfs:subClassOf) into disjoint classes."""
    supers: dict = {}

    def ancestors(c):
        if c not in supers:
            supers[c] = {c}
            for p in g.objects(c, RDFS.subClassOf):
                if isinstance(p, URIRef):
                    supers[c] |= ancestors(p)
        return supers[c]

    pairs = set()
    for a, b in g.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(g.items(g.value(node, OWL.members)))
        pairs |= {frozenset((x, y)) for x in members for y in members if x != y}
    found = []
    for ind in set(g.subjects(RDF.type, None)):
        types = set()
        for t in g.objects(ind, RDF.type):
            if isinstance(t, URIRef):
                types |= ancestors(t)
        for p in pairs:
            if p <= types:
                x, y = sorted(p)
                found.append(f"{ind} is both a {g.qname(x)} and a {g.qname(y)}, which are disjoint")
    return "; ".join(sorted(found)[:5]) or "(no single disjointness clash found; check domains, ranges and functional properties)"
