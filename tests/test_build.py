"""The Karuo build as a whole: determinism, round trips, exports, the schema
file, several reports, pseudonymous builds, and the README's promises."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from fupin.cli import main
from fupin.config import load_build
from fupin.graph.build import build

ROOT = Path(__file__).resolve().parent.parent
CASE = Path(__file__).parent / "cases" / "two-reports"


def test_two_builds_give_identical_bytes(karuo_build, tmp_path):
    _, first = karuo_build
    second = tmp_path / "again"
    build(load_build(build_dir=second))
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(second)) for p in second.rglob("*") if p.is_file())
    assert {"fupin.ttl", "fupin.nq.gz", "observations.csv", "void.ttl", "BUILD",
            "reports/karuo-2021-04-06.txt"} <= set(names)
    for n in names:
        assert (first / n).read_bytes() == (second / n).read_bytes(), n


@pytest.mark.parametrize("name,fmt", [("fupin.ttl", "turtle"), ("fupin.nt", "nt"),
                                      ("fupin.rdf", "xml"), ("fupin.jsonld", "json-ld")])
def test_triple_exports_round_trip(karuo_build, name, fmt):
    built, out = karuo_build
    g = Graph().parse(out / name, format=fmt)
    assert isomorphic(g, built.union()), name
    gz = Graph().parse(data=gzip.decompress((out / f"{name}.gz").read_bytes()), format=fmt)
    assert isomorphic(gz, g)


@pytest.mark.parametrize("name,fmt", [("fupin.trig", "trig"), ("fupin.nq", "nquads")])
def test_quad_exports_keep_named_graphs(karuo_build, name, fmt):
    built, out = karuo_build
    ds = Dataset()
    ds.parse(out / name, format=fmt)
    for iri, g in built.graphs.items():
        assert isomorphic(ds.graph(iri), g), (name, iri)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert "https://w3id.org/fupin/graph/report/karuo-2021-04-06" in names
    assert "https://w3id.org/fupin/graph/inferred" in names


def test_literals_are_plain_and_utf8(karuo_build):
    _, out = karuo_build
    ttl = (out / "fupin.ttl").read_text(encoding="utf-8")
    assert "9486000000" in ttl and not re.search(r'"[0-9.]+[eE][+-]?[0-9]+"', ttl)
    assert "xsd:int>" not in ttl and "#int>" not in (out / "fupin.nt").read_text()
    jsonld = (out / "fupin.jsonld").read_text(encoding="utf-8")
    assert "卡若区" in jsonld and "\\u5361" not in jsonld
    doc = json.loads(jsonld)
    assert doc["@context"]["fp"] == "https://w3id.org/fupin/ontology#"


def test_jsonld_expands_with_pyld(karuo_build):
    from pyld import jsonld
    _, out = karuo_build
    doc = json.loads((out / "fupin.jsonld").read_text(encoding="utf-8"))
    expanded = jsonld.expand(doc)
    assert len(expanded) > 100
    ids = {n["@id"] for n in expanded}
    assert "https://w3id.org/fupin/id/place/xizang/qamdo/karuo-qu" in ids


def test_turtle_passes_rapper(karuo_build):
    _, out = karuo_build
    assert shutil.which("rapper"), "install raptor2-utils (scripts/setup-system.sh)"
    r = subprocess.run(["rapper", "-i", "turtle", "-c", str(out / "fupin.ttl")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    n = int(re.search(r"returned (\d+) triples", r.stderr).group(1))
    assert n == len(Graph().parse(out / "fupin.ttl"))


def test_csv_has_one_row_per_figure(karuo_build):
    import csv
    import io
    _, out = karuo_build
    text = (out / "observations.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 35
    gongxi = [r for r in rows if r["area_zh"] == "贡西村" and r["measure"] == "fp:dividendsPaid"]
    assert gongxi[0]["value"] == "599600" and gongxi[0]["printed"] == "59.96万元"
    assert gongxi[0]["unit"] == "cur:CNY" and "59.96万元" in gongxi[0]["quote"]


def test_void_counts_and_distributions(karuo_build):
    from rdflib.namespace import DCAT, VOID
    _, out = karuo_build
    g = Graph().parse(out / "void.ttl")
    ds = URIRef("https://w3id.org/fupin/id/dataset")
    assert int(g.value(ds, VOID.triples)) > 1000
    sizes = {str(d).rsplit("/", 1)[1]: int(g.value(d, DCAT.byteSize))
             for d in g.objects(ds, DCAT.distribution)}
    assert sizes["fupin.ttl"] == (out / "fupin.ttl").stat().st_size
    assert sizes["observations.csv.gz"] == (out / "observations.csv.gz").stat().st_size


def test_build_carries_the_report_text(karuo_build):
    _, out = karuo_build
    info = json.loads((out / "BUILD").read_text())
    rep = info["reports"]["karuo-2021-04-06"]
    text = (out / rep["text"]).read_bytes()
    assert text == (ROOT / "data" / "reports" / "karuo-2021-04-06.txt").read_bytes()
    start, end = rep["body"]
    assert text.decode("utf-8")[start:end].startswith("今年年初")


def test_coverage_report_lists_nothing_unexplained(karuo_build):
    _, out = karuo_build
    cov = (out / "coverage.txt").read_text(encoding="utf-8")
    assert "every number in the body is covered" in cov
    assert "uncovered" not in cov


def test_json_schema_is_current_and_validates_the_sheets():
    import jsonschema

    from fupin.graph.schema import json_schema
    shipped = json.loads((ROOT / "data" / "factsheet.schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(json_schema())), "run: fupin schema -o data/factsheet.schema.json"

    class Yaml12(yaml.SafeLoader):  # what editors see: no YAML 1.1 timestamps
        pass
    Yaml12.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    for sheet in [*sorted((ROOT / "data" / "sheets").glob("*.yaml")), CASE / "sheets" / "shili-2021-05-10.yaml"]:
        jsonschema.validate(yaml.load(sheet.read_text(encoding="utf-8"), Loader=Yaml12), shipped)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"report": {"id": "x"}, "colour": 1}, shipped)


def test_two_reports_share_places_and_keep_their_graphs(tmp_path):
    sheets = tmp_path / "sheets"
    shutil.copytree(CASE / "reports", tmp_path / "reports")
    sheets.mkdir()
    shutil.copy(CASE / "sheets" / "shili-2021-05-10.yaml", sheets)
    karuo = (ROOT / "data" / "sheets" / "karuo-2021-04-06.yaml").read_text(encoding="utf-8")
    shutil.copy(ROOT / "data" / "reports" / "karuo-2021-04-06.txt", tmp_path / "reports")
    (sheets / "karuo-2021-04-06.yaml").write_text(karuo, encoding="utf-8")
    built = build(load_build(sheets=sheets, build_dir=tmp_path / "build", reason=False))
    g1 = built.graphs[URIRef("https://w3id.org/fupin/graph/report/karuo-2021-04-06")]
    g2 = built.graphs[URIRef("https://w3id.org/fupin/graph/report/shili-2021-05-10")]
    karuo_qu = URIRef("https://w3id.org/fupin/id/place/xizang/qamdo/karuo-qu")
    assert (karuo_qu, None, None) in g1 and (karuo_qu, None, None) in g2
    shili = URIRef("https://w3id.org/fupin/id/place/xizang/qamdo/shili-qu")
    assert (shili, None, None) in g2 and (shili, None, None) not in g1
    # each report's figures stay in its own graph and its own qb:DataSet
    q = """PREFIX qb: <http://purl.org/linked-data/cube#>
           SELECT (COUNT(?o) AS ?n) WHERE { ?o a qb:Observation }"""
    assert int(list(g1.query(q))[0].n) == 35 and int(list(g2.query(q))[0].n) == 2
    # the union has one Karuo District, with one Chinese label
    from rdflib.namespace import RDFS
    u = built.union()
    assert [str(o) for o in u.objects(karuo_qu, RDFS.label) if o.language == "zh"] == ["卡若区"]


def test_shared_entity_with_other_names_is_refused(tmp_path):
    sheets = tmp_path / "sheets"
    shutil.copytree(CASE / "reports", tmp_path / "reports")
    shutil.copy(ROOT / "data" / "reports" / "karuo-2021-04-06.txt", tmp_path / "reports")
    sheets.mkdir()
    shili = (CASE / "sheets" / "shili-2021-05-10.yaml").read_text(encoding="utf-8")
    (sheets / "shili-2021-05-10.yaml").write_text(
        shili.replace("en: Karuo District", "en: Karub District"), encoding="utf-8")
    shutil.copy(ROOT / "data" / "sheets" / "karuo-2021-04-06.yaml", sheets)
    r = CliRunner().invoke(main, ["validate", "--no-reason", "--sheets", str(sheets)])
    assert r.exit_code == 1
    assert "shili-2021-05-10.yaml:" in r.output and "karuo-2021-04-06.yaml:" in r.output
    assert "id/place/xizang/qamdo/karuo-qu is also declared" in r.output
    assert "Karub District" in r.output


def test_pseudonymous_build_names_nobody(tmp_path):
    r = CliRunner().invoke(main, ["build", "--no-reason", "--people", "pseudonymous",
                                  "--build-dir", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    # whole names, and the halves a quote's context window could cut off
    names = ["扎西平措", "仁青旺修", "仁青永宗", "扎西", "平措", "仁青", "旺修", "永宗",
             "Zhaxi", "Renqing", "zhaxi", "renqing"]
    for f in (p for p in (tmp_path / "b").rglob("*") if p.is_file()):
        data = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        text = data.decode("utf-8", errors="replace")
        for n in names:
            assert n not in text, (f.name, n)
    original = (ROOT / "data" / "reports" / "karuo-2021-04-06.txt").read_text(encoding="utf-8")
    shown = (tmp_path / "b" / "reports" / "karuo-2021-04-06.txt").read_text(encoding="utf-8")
    assert len(shown) == len(original) and "某某某某" in shown  # offsets still hold
    ttl = (tmp_path / "b" / "fupin.ttl").read_text(encoding="utf-8")
    assert "人物1" in ttl and "/person/karuo-2021-04-06/person-1" in ttl


def test_cli_stats_and_export(tmp_path):
    r = CliRunner().invoke(main, ["stats", "--no-reason"])
    assert r.exit_code == 0, r.output
    assert re.search(r"qb:Observation\t35", r.output)
    assert re.search(r"fp:fundsInvested\t3", r.output)
    out = tmp_path / "x.ttl"
    r = CliRunner().invoke(main, ["export", "--no-reason", "--format", "ttl", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(Graph().parse(out)) > 1000


def test_validate_writes_nothing(tmp_path):
    r = CliRunner().invoke(main, ["validate", "--no-reason", "--build-dir", str(tmp_path / "none")])
    assert r.exit_code == 0, r.output
    assert "valid" in r.output and not (tmp_path / "none").exists()


# --- the README keeps its promises -----------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    m = re.search(rf"<!-- {marker} -->\n```\w*\n(.*?)```\n<!-- /{marker} -->", README, re.S)
    assert m, marker
    return m.group(1)


def test_readme_example_sheet_is_the_tested_sheet():
    example = yaml.safe_load(block("example-sheet"))
    tested = yaml.safe_load((CASE / "sheets" / "shili-2021-05-10.yaml").read_text(encoding="utf-8"))
    assert example == tested


def test_readme_example_query_answers(karuo_dataset):
    q = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
    karuo_dataset.default_union = True
    rows = list(karuo_dataset.query(q))
    values = {int(float(r.value)) for r in rows}
    assert {599600, 5, 120000} <= values


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci
    assert "pytest" in block("test-command")


def test_build_dir_that_is_not_a_build_is_refused(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    r = CliRunner().invoke(main, ["build", "--no-reason", "--build-dir", str(mine)])
    assert r.exit_code == 1 and "fupin did not write" in r.output
    assert (mine / "notes.txt").read_text() == "keep me"
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = CliRunner().invoke(main, ["build", "--no-reason", "--build-dir", str(afile)])
    assert r.exit_code == 1 and "is a file" in r.output and afile.read_text() == "x"


def test_bad_setting_and_unwritable_output_are_clean_errors(tmp_path, monkeypatch):
    r = CliRunner().invoke(main, ["export", "--no-reason", "--format", "ttl", "-o",
                                  str(tmp_path / "no" / "such" / "dir.ttl")])
    assert r.exit_code == 1 and "cannot write" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("FUPIN_PEOPLE", "bogus")
    r = CliRunner().invoke(main, ["validate", "--no-reason"])
    assert r.exit_code == 2 and "FUPIN_PEOPLE" in r.output and "named" in r.output


def test_console_script(tmp_path):
    """The installed `fupin` command itself (not the in-process runner)."""
    import sys
    exe = Path(sys.executable).parent / "fupin"
    assert exe.exists(), "pip install -e . provides the fupin command"
    r = subprocess.run([str(exe), "build", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--people" in r.stdout
    r = subprocess.run([str(exe), "validate", "--no-reason", "--sheets", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "no fact sheets" in r.stderr
    r = subprocess.run([str(exe), "nosuchcommand"], capture_output=True, text=True)
    assert r.returncode == 2
