"""SHACL layer: pyshacl validates the mapped data against ``ontology/shapes.ttl``.

RDFS inference over the ontology is on, so a shape targeting ``fp:Place``
also reaches villages and townships.
"""
from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import SH

from fupin.ontology import SHAPES

from .checks import CheckReport, Problem


def check_shacl(data: Graph, ontology: Graph) -> CheckReport:
    """Validate ``data``; each violation becomes a problem naming the focus
    node, the path and the shape's message."""
    import pyshacl

    rep = CheckReport("shacl (ontology/shapes.ttl)")
    shapes = Graph().parse(SHAPES.read_bytes(), format="turtle")
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs",
        advanced=True, allow_warnings=True)
    if conforms:
        rep.notes.append("conforms")
        return rep
    for r in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        rep.problems.append(Problem("", None, str(focus), f"{path}: {msg}" if path else str(msg)))
    rep.problems.sort(key=lambda p: (p.keypath, p.message))
    return rep
