"""The build: fact sheets → checked, mapped, validated graph → ``data/build/``.

:func:`build` runs every layer (schema, grounding, mapping, SHACL, OWL) and,
unless ``write=False``, writes the outputs listed in ``docs/design.md``
("Build outputs") atomically: into a fresh folder beside the build folder,
swapped in only when everything succeeded, so a failed build leaves the
previous one untouched. Output is deterministic (sorted, no blank nodes, no
timestamps): two builds of the same input give the same bytes.

Raises :class:`BuildError` (carrying every :class:`~fupin.graph.checks.CheckReport`)
when any layer finds a problem.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph

from fupin.config import BuildSettings

from .checks import CheckedSheet, CheckReport, Problem, check_grounding, check_schema
from .mapping import Emitter, map_sheet
from .vocab import ontology_graph

Progress = Callable[[str], None]


class BuildError(Exception):
    """The build stopped; ``reports`` say why (at least one has problems)."""

    def __init__(self, reports: list[CheckReport]):
        self.reports = reports
        bad = [p for r in reports for p in r.problems]
        super().__init__(f"{len(bad)} problem(s): " + "; ".join(str(p) for p in bad[:3]))


@dataclass
class Built:
    """An in-memory build: ``graphs`` maps named-graph IRI → Graph."""

    settings: BuildSettings
    sheets: list[CheckedSheet]
    graphs: dict[URIRef, Graph]
    reports: list[CheckReport]
    emitters: list[Emitter] = field(default_factory=list)

    def graph_iri(self, name: str) -> URIRef:
        return URIRef(f"{self.settings.base_iri}graph/{name}")

    def union(self, *, ontology: bool = False) -> Graph:
        """All graphs merged (the ontology only if asked)."""
        g = new_graph()
        for name, gr in self.graphs.items():
            if ontology or name != self.graph_iri("ontology"):
                for t in gr:
                    g.add(t)
        return g


def new_graph() -> Graph:
    from .vocab import PREFIXES
    g = Graph(bind_namespaces="none")
    for k, v in PREFIXES.items():
        g.bind(k, v)
    return g


def sheet_files(settings: BuildSettings) -> list[Path]:
    """The sheets to build: ``settings.sheets`` itself, or its ``*.yaml``."""
    p = settings.path(settings.sheets)
    if p.is_file():
        return [p]
    return sorted(p.glob("*.yaml"))


def _say(progress: Progress | None, msg: str) -> None:
    if progress:
        progress(msg)


def check(settings: BuildSettings, progress: Progress | None = None) -> Built:
    """Run every layer in memory; raise :class:`BuildError` on any problem."""
    reports: list[CheckReport] = []
    checked: list[CheckedSheet] = []
    files = sheet_files(settings)
    if not files:
        r = CheckReport("sheets")
        r.problems.append(Problem(str(settings.path(settings.sheets)), None, "",
                                  "no fact sheets (*.yaml) found"))
        raise BuildError([r])
    for f in files:
        _say(progress, f"checking {f.name}")
        rep, parsed = check_schema(f)
        reports.append(rep)
        if parsed is None:
            continue
        rep2, ok = check_grounding(*parsed)
        reports.append(rep2)
        if ok:
            checked.append(ok)
    if any(not r.ok for r in reports):
        raise BuildError(reports)
    ids = [c.sheet.report.id for c in checked]
    if len(set(ids)) != len(ids):
        r = CheckReport("reports")
        r.problems.append(Problem("", None, "report.id", f"two sheets share a report id: {ids}"))
        raise BuildError(reports + [r])

    base = settings.base_iri
    graphs: dict[URIRef, Graph] = {}
    emitters = []
    for c in checked:
        em = Emitter(base, c.sheet, c.text, people=settings.people)
        map_sheet(em, c.spans)
        emitters.append(em)
        g = new_graph()
        for t in sorted(em.triples):
            g.add(t)
        graphs[URIRef(f"{base}graph/report/{c.sheet.report.id}")] = g
    shared = check_shared_labels(checked, emitters)
    if not shared.ok:
        raise BuildError(reports + [shared])
    if settings.people == "pseudonymous":
        from .privacy import pseudonymise
        graphs = {k: pseudonymise(g, [p for c in checked for p in c.sheet.people], new_graph)
                  for k, g in graphs.items()}
    built = Built(settings, checked, graphs, reports, emitters)

    _say(progress, "validating with SHACL")
    from .validate import check_shacl
    asserted = built.union()
    ontology = ontology_graph()
    if settings.ontology is not None:
        ontology = Graph().parse(settings.path(settings.ontology))
    reports.append(check_shacl(asserted, ontology))
    if settings.reason:
        _say(progress, "reasoning with HermiT")
        from .reason import reason
        rep, inferred = reason(asserted, ontology)
        reports.append(rep)
        g = new_graph()
        for t in sorted(inferred):
            g.add(t)
        graphs[built.graph_iri("inferred")] = g
    onto = new_graph()
    # the ontology's blank nodes (lists, component specifications) get
    # content-derived labels, so the dumps are the same bytes on every build
    for t in sorted(to_canonical_graph(ontology)):
        onto.add(t)
    graphs[built.graph_iri("ontology")] = onto
    if any(not r.ok for r in reports):
        raise BuildError(reports)
    from .meta import describe_dataset
    graphs[built.graph_iri("meta")] = describe_dataset(built)
    return built


SHARED_SECTIONS = ("places", "organisations", "concepts")


def check_shared_labels(checked: list[CheckedSheet], emitters: list[Emitter]) -> CheckReport:
    """A place, organisation or concept that several sheets declare is one IRI
    with one set of names: each sheet must give it the same ``zh``, ``en`` and
    ``pinyin`` (else the merged graph would carry two names per language)."""
    rep = CheckReport("shared entities across sheets")
    first: dict[URIRef, tuple] = {}
    for c, em in zip(checked, emitters):
        for sec, n, e in c.sheet.entities():
            if sec not in SHARED_SECTIONS:
                continue
            iri = em.iri(e.id)
            names = (e.zh, e.en, getattr(e, "pinyin", None))
            if iri not in first:
                first[iri] = (names, c.raw.file, c.raw.line((sec, n, "zh")))
                continue
            names0, file0, line0 = first[iri]
            if names != names0:
                rep.problems.append(Problem(
                    str(c.raw.file), c.raw.line((sec, n, "zh")), f"{sec}[{n}]",
                    f"{iri} is also declared in {file0}:{line0} with other names "
                    f"({' / '.join(x or '-' for x in names0)} there, "
                    f"{' / '.join(x or '-' for x in names)} here); a shared entity needs "
                    "the same zh, en and pinyin in every sheet"))
    return rep


def build(settings: BuildSettings, progress: Progress | None = None) -> Built:
    """Check everything, then write ``settings.build_dir`` atomically.

    Returns the in-memory build. Raises :class:`BuildError`; on any error the
    previous build folder is left exactly as it was."""
    t0 = time.monotonic()
    out = settings.path(settings.build_dir)
    _check_target(out)
    built = check(settings, progress)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a build is for publishing
    except OSError as e:
        raise BuildError([_target_problem(out, f"cannot write there: {e.strerror or e}")]) from None
    try:
        _say(progress, f"writing {out}")
        from .export import write_all
        write_all(built, tmp)
        _swap(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError([_target_problem(out, f"cannot write the build: {e}")]) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _say(progress, f"built in {time.monotonic() - t0:.1f} s")
    return built


def _target_problem(out: Path, msg: str) -> CheckReport:
    r = CheckReport("build folder")
    r.problems.append(Problem(str(out), None, "", msg))
    return r


def _check_target(out: Path) -> None:
    """Refuse a build folder that is a file, or a folder fupin did not write
    (it would be replaced whole)."""
    if out.exists() and not out.is_dir():
        raise BuildError([_target_problem(out, "is a file, not a build folder")])
    if out.is_dir() and any(out.iterdir()) and not (out / "BUILD").is_file():
        raise BuildError([_target_problem(
            out, "holds files fupin did not write (no BUILD file); a build replaces the whole "
                 "folder, so choose an empty or new folder")])


def _swap(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new``: two renames, the old build removed last."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
