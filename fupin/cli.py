"""The ``fupin`` command: a thin layer over plain functions.

Exit codes: 0 ok, 1 invalid input (a report explains), 2 usage error (click).
"""
from __future__ import annotations

import click
from pathlib import Path

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fupin")
def main() -> None:
    """fupin: poverty-alleviation reports as linked open data.

    \b
    fupin build      fact sheets -> validated RDF in data/build/
    fupin validate   every check, writes nothing
    fupin export     one format to a file or stdout
    fupin stats      counts by class and by measure
    fupin serve      SPARQL endpoint and linked-data pages
    """


def _register() -> None:
    try:
        from fupin.server.cli import serve
    except ImportError:  # the server is optional while it is being built
        return
    main.add_command(serve)


_register()


# --- build side --------------------------------------------------------------

def _progress(msg: str) -> None:
    click.echo(f"fupin: {msg}", err=True)


def _build_options(f):
    f = click.option("--sheets", type=click.Path(path_type=Path),
                     help="A fact sheet or a folder of them [data/sheets].")(f)
    f = click.option("--build-dir", type=click.Path(path_type=Path),
                     help="Where outputs go [data/build].")(f)
    f = click.option("--base-iri", help="Base of every instance IRI [https://w3id.org/fupin/].")(f)
    f = click.option("--people", type=click.Choice(["named", "pseudonymous"]),
                     help="Publish people as the report names them (default) or under "
                          "stable neutral labels with no names anywhere.")(f)
    f = click.option("--ontology", type=click.Path(exists=True, path_type=Path),
                     help="Check against this ontology file instead of the shipped one.")(f)
    f = click.option("--no-reason", "reason", flag_value=False, default=None,
                     help="Skip owlready2/HermiT (no Java needed; no inferred types).")(f)
    return f


def _settings(**flags):
    from pydantic import ValidationError

    from .config import load_build
    try:
        return load_build(**flags)
    except ValidationError as e:
        err = e.errors()[0]
        name = ".".join(str(x) for x in err["loc"])
        raise click.UsageError(
            f"setting {name!r} (flag --{name.replace('_', '-')}, env FUPIN_{name.upper()}, or "
            f"fupin.toml [build]): {err['msg']}") from None


def _write(output: str, data: bytes) -> None:
    try:
        with click.open_file(output, "wb") as f:
            f.write(data)
    except OSError as e:
        click.echo(f"fupin: cannot write {output}: {e.strerror or e}", err=True)
        raise SystemExit(1) from None


def _fail(err) -> None:
    from fupin.graph.build import BuildError
    if isinstance(err, BuildError):
        for r in err.reports:
            if not r.ok:
                click.echo(r.text(), err=True)
        click.echo("fupin: invalid input; nothing was written (the previous build is untouched)",
                   err=True)
    raise SystemExit(1)


@main.command()
@_build_options
def build(**flags) -> None:
    """Check the fact sheets and write the graph to data/build/.

    Runs every check (schema, grounding in the report, coverage, SHACL, OWL
    consistency) and writes Turtle, N-Triples, RDF/XML, JSON-LD, TriG,
    N-Quads (each also gzipped), observations.csv, void.ttl and the reports,
    atomically. Exit 1 on invalid input, with file, line and key path.
    """
    from fupin.graph.build import BuildError, build as run
    s = _settings(**flags)
    try:
        built = run(s, progress=_progress)
    except BuildError as e:
        _fail(e)
    for r in built.reports:
        click.echo(r.text())
    n = sum(len(g) for g in built.graphs.values())
    click.echo(f"fupin: wrote {s.path(s.build_dir)} ({n} quads in {len(built.graphs)} graphs)")


@main.command()
@_build_options
def validate(**flags) -> None:
    """Run every check of `fupin build` and write nothing."""
    from fupin.graph.build import BuildError, check
    s = _settings(**flags)
    try:
        built = check(s, progress=_progress)
    except BuildError as e:
        _fail(e)
    for r in built.reports:
        click.echo(r.text())
    click.echo("fupin: valid")


@main.command()
@_build_options
@click.option("--format", "fmt", required=True,
              type=click.Choice(["ttl", "nt", "rdfxml", "jsonld", "trig", "nq", "csv"]),
              help="Output format.")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              help="File to write [stdout].")
def export(fmt, output, **flags) -> None:
    """Build in memory and write one format to a file or stdout."""
    from fupin.graph.build import BuildError, check
    from fupin.graph.export import observations_csv, serialize
    s = _settings(**flags)
    try:
        built = check(s, progress=_progress)
    except BuildError as e:
        _fail(e)
    data = observations_csv(built) if fmt == "csv" else serialize(built, fmt)
    _write(output, data)


@main.command()
@_build_options
def stats(**flags) -> None:
    """Counts by class and by measure."""
    from collections import Counter

    from fupin.graph.build import BuildError, check
    from fupin.graph.vocab import QB, RDF
    s = _settings(**flags)
    try:
        built = check(s, progress=_progress)
    except BuildError as e:
        _fail(e)
    g = built.union()
    classes = Counter(g.qname(o) for o in g.objects(None, RDF.type))
    measures = Counter(g.qname(o) for o in g.objects(None, QB.measureType))
    click.echo(f"triples\t{len(g)}")
    click.echo("\nclass\tcount")
    for k, v in sorted(classes.items()):
        click.echo(f"{k}\t{v}")
    click.echo("\nmeasure\tobservations")
    for k, v in sorted(measures.items()):
        click.echo(f"{k}\t{v}")


@main.command("schema")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              help="File to write [stdout]; the project keeps data/factsheet.schema.json.")
def schema_cmd(output) -> None:
    """Print the fact-sheet JSON Schema (for editors' YAML checking)."""
    import json

    from fupin.graph.schema import json_schema
    text = json.dumps(json_schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    _write(output, text.encode("utf-8"))
