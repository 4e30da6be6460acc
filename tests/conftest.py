"""Shared fixtures. Expensive things (the Karuo build) are session-scoped."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parent.parent
KARUO_REPORT = ROOT / "data" / "reports" / "karuo-2021-04-06.txt"


@pytest.fixture(scope="session")
def karuo_build(tmp_path_factory):
    """The Karuo sheet built (with HermiT) into a temporary folder.
    Returns ``(built, out_dir)``."""
    from fupin.config import load_build
    from fupin.graph.build import build

    out = tmp_path_factory.mktemp("karuo") / "build"
    settings = load_build(build_dir=out)
    return build(settings), out


@pytest.fixture(scope="session")
def karuo_dataset(karuo_build) -> Dataset:
    """The build's N-Quads, parsed back: every named graph."""
    ds = Dataset()
    ds.parse(karuo_build[1] / "fupin.nq", format="nquads")
    return ds
