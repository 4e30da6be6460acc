"""Builder cases: each ``tests/cases/<case>/sheets/<report>.yaml`` maps to the
report graph in ``tests/cases/<case>/expected/<report>.ttl`` (compared by
graph isomorphism).

After a deliberate mapping change, regenerate and review the diff:
``FUPIN_REGENERATE=1 pytest tests/test_mapping_cases.py`` then ``git diff tests/cases``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from fupin.config import load_build
from fupin.graph.build import check

CASES = sorted(Path(__file__).parent.glob("cases/*/expected/*.ttl"))


@pytest.mark.parametrize("expected", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_sheet_maps_to_expected_graph(expected: Path):
    sheet = expected.parent.parent / "sheets" / f"{expected.stem}.yaml"
    built = check(load_build(sheets=sheet, reason=False))
    got = built.graphs[URIRef(f"https://w3id.org/fupin/graph/report/{expected.stem}")]
    if os.environ.get("FUPIN_REGENERATE"):
        expected.write_bytes(got.serialize(format="turtle", encoding="utf-8"))
    want = Graph().parse(expected)
    if to_isomorphic(got) != to_isomorphic(want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        extra = sorted(t.n3() for t in only_got)[:10]
        missing = sorted(t.n3() for t in only_want)[:10]
        pytest.fail(f"mapping changed.\nnew triples: {extra}\nmissing triples: {missing}")


def test_there_are_cases():
    assert CASES
