"""Bad input: each case gives a clear error (file, line, what is wrong), exit 1,
and leaves the previous build exactly as it was.

The cases mutate a copy of the small invented report's sheet
(tests/cases/two-reports), so they run in a second or two each.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main

CASE = Path(__file__).parent / "cases" / "two-reports"
SHEET = "shili-2021-05-10.yaml"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    """A good build of the invented report, the 'previous build' every bad
    build must leave alone."""
    out = tmp_path_factory.mktemp("prev") / "build"
    r = CliRunner().invoke(main, ["build", "--no-reason", "--sheets", str(CASE / "sheets" / SHEET),
                                  "--build-dir", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture
def sheet(tmp_path) -> Path:
    shutil.copytree(CASE, tmp_path / "case")
    return tmp_path / "case" / "sheets" / SHEET


def run_bad(sheet: Path, build_dir: Path, *extra: str):
    before = snapshot(build_dir)
    r = CliRunner().invoke(main, ["build", "--no-reason", "--sheets", str(sheet),
                                  "--build-dir", str(build_dir), *extra])
    assert r.exit_code == 1, r.output
    assert snapshot(build_dir) == before, "a failed build changed the previous build"
    assert "Traceback" not in r.output
    return r.output


def edit(sheet: Path, old: str, new: str) -> int:
    text = sheet.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    sheet.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_quote_not_in_report(sheet, previous_build):
    line = edit(sheet, "quote: 发放分红资金12.5万元", "quote: 发放分红资金15万元")
    out = run_bad(sheet, previous_build)
    assert f"{SHEET}:{line}" in out
    assert "observations[0].quote" in out and "does not occur" in out


def test_value_disagrees_with_quote(sheet, previous_build):
    line = edit(sheet, 'value: "125000"', 'value: "12500"')
    out = run_bad(sheet, previous_build)
    assert f"{SHEET}:{line}" in out
    assert "value 12500 disagrees" in out and "reads 125000" in out


def test_qualifier_kept(sheet, previous_build):
    edit(sheet, "    qualifier: more-than\n", "")
    out = run_bad(sheet, previous_build)
    assert "qualifier 'exact' disagrees with '3000余万元', which reads 'more-than'" in out


def test_missing_unit(sheet, previous_build):
    edit(sheet, "    unit: cny\n    figure: 12.5万元", "    figure: 12.5万元")
    out = run_bad(sheet, previous_build)
    assert "observations[0]" in out and "missing required key 'unit'" in out


def test_unknown_key(sheet, previous_build):
    line = edit(sheet, "    flow: flow\n", "    flow: flow\n    colour: red\n")
    out = run_bad(sheet, previous_build)
    assert f"{SHEET}:{line + 1}" in out
    assert "unknown key 'colour'" in out and "allowed here:" in out and "qualifier" in out


def test_period_outside_report_range(sheet, previous_build):
    edit(sheet, "    end: 2021-05-10\nobservations", "    end: 2022-01-01\nobservations")
    out = run_bad(sheet, previous_build)
    assert "outside the report's range" in out and "2022-01-01" in out


def test_period_resolution_checked(sheet, previous_build):
    edit(sheet, "    start: 2021-01-01\n", "    start: 2020-01-01\n")
    out = run_bad(sheet, previous_build)
    assert "'今年年初' resolves to 2021-01-01 – 2021-05-10" in out


def test_broken_yaml(sheet, previous_build):
    line = edit(sheet, "  - id: industry ", "  - id: industry\n   scheme: [unclosed\n")
    out = run_bad(sheet, previous_build)
    assert "YAML syntax error" in out
    # the parser stops within a couple of lines of the bad one
    reported = int(re.search(rf"{SHEET}:(\d+):", out).group(1))
    assert line <= reported <= line + 3, (line, reported)


def test_duplicate_id(sheet, previous_build):
    edit(sheet, "  - id: industry ", "  - id: dividends ")
    out = run_bad(sheet, previous_build)
    assert "duplicate id 'dividends'" in out


def test_dangling_reference(sheet, previous_build):
    edit(sheet, "    area: shili-qu\n", "    area: nowhere-qu\n")
    out = run_bad(sheet, previous_build)
    assert "'nowhere-qu' is not an id in this sheet" in out and "observations[1].area" in out


def test_uncovered_number(sheet, previous_build):
    report = sheet.parent.parent / "reports" / "shili-2021-05-10.txt"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "共建产业园,", "共建产业园8个,"), encoding="utf-8")
    out = run_bad(sheet, previous_build)
    assert "number '8'" in out and "in no fact's quote" in out


def test_inconsistent_ontology_change(sheet, previous_build, tmp_path):
    """A person typed as a place: the ontology says a person is a place, and
    the disjointness axioms make that inconsistent for HermiT."""
    from fupin.ontology import ONTOLOGY
    onto = tmp_path / "bad.ttl"
    onto.write_text(ONTOLOGY.read_text(encoding="utf-8") + "\n<https://schema.org/Person> "
                    "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                    "<https://w3id.org/fupin/ontology#Place> .\n", encoding="utf-8")
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("organisations:\n", """people:
  - id: xinfeng-villager
    zh: 新丰村
    pinyin: Xīnfēng Cūn
    quote: 示例镇新丰村
organisations:
""", 1), encoding="utf-8")
    before = snapshot(previous_build)
    r = CliRunner().invoke(main, ["build", "--sheets", str(sheet), "--build-dir",
                                  str(previous_build), "--ontology", str(onto)])
    assert r.exit_code == 1, r.output
    assert "inconsistent" in r.output
    assert "is both a" in r.output and "schema:Person" in r.output
    assert snapshot(previous_build) == before


def test_usage_error_exit_2():
    r = CliRunner().invoke(main, ["export", "--format", "docx"])
    assert r.exit_code == 2
