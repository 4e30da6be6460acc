"""Put the graph to serve into an on-disk Oxigraph store the workers can open
read-only.

Sources: the build (``data/build/fupin.nq``, all named graphs) and/or
``--data FILE[=GRAPH_IRI]`` files in any RDF format (quad formats keep their
graphs; ``=GRAPH_IRI`` names the graph of a triple format, else its triples
go to the default graph). ``.gz`` files are read through gzip.

The store directory records which sources it holds (``fupin-store.json``:
the identity, a SHA-256 over the build id and each file's path, size,
modification time and graph, and the database folder); a store whose
identity matches is reused as is, anything else is loaded into a fresh
folder renamed into place.

The store's default graph holds the RDF merge of every source (each distinct
triple once), so that a query without a dataset sees the union of all graphs
as SPARQL defines it. pyoxigraph's own union default graph
(``use_default_graph_as_union``) counts a triple once per graph holding it
(oxigraph/oxigraph#1919, fixed upstream after 0.5.13), which would inflate
COUNT and SUM as soon as two reports share a place. Named graphs stay as
loaded; the merge costs a second copy of each triple.
"""
from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fupin.graph import formats

MARKER = "fupin-store.json"
LAYOUT = "merged-default-graph/1"
"""Changes whenever what a store holds changes shape; older stores are reloaded."""


class SourceError(ValueError):
    """A data source cannot be served (missing file, unknown format, bad RDF)."""


@dataclass(frozen=True)
class Source:
    path: Path
    graph: str | None
    format: formats.Format

    @classmethod
    def parse(cls, spec: str, root: Path | None = None) -> "Source":
        """``FILE`` or ``FILE=GRAPH_IRI`` (the graph only for triple formats)."""
        path_s, graph = spec, None
        if "=" in spec:
            path_s, graph = spec.split("=", 1)
            graph = graph.strip() or None
        path = Path(path_s).expanduser()
        if root is not None and not path.is_absolute():
            path = root / path
        path = path.resolve()
        if not path.is_file():
            raise SourceError(f"--data {spec}: no such file {path}")
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        fmt = formats.by_extension(name, formats.GRAPH)
        if fmt is None:
            raise SourceError(f"--data {spec}: cannot tell the RDF format from the extension "
                              f"(use one of .ttl .nt .rdf .jsonld .trig .nq, optionally .gz)")
        if graph and fmt.kind == "dataset":
            raise SourceError(f"--data {spec}: {fmt.label} keeps its own graphs; =GRAPH_IRI is for triple formats")
        return cls(path, graph, fmt)

    def fingerprint(self) -> dict:
        st = self.path.stat()
        return {"path": str(self.path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                "graph": self.graph, "format": self.format.name}


def identity(sources: list[Source], build_id: str | None) -> str:
    """The identity of what a store holds (hex SHA-256); the build's own id
    when the build is the only source."""
    if build_id and len(sources) == 1 and sources[0].path.name == "fupin.nq":
        return build_id
    h = hashlib.sha256()
    h.update(json.dumps({"build": build_id, "sources": [s.fingerprint() for s in sources]},
                        sort_keys=True).encode())
    return h.hexdigest()


def read_build_id(build_dir: Path) -> str | None:
    """``build_id`` from ``BUILD`` (JSON) in ``build_dir``, else ``None``."""
    f = build_dir / "BUILD"
    try:
        return str(json.loads(f.read_text("utf-8"))["build_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_store(store_dir: Path, sources: list[Source], ident: str) -> tuple[Path, bool]:
    """Make sure an Oxigraph store holding ``sources`` exists in
    ``store_dir``; returns the database path for ``Store.read_only`` and
    whether it was (re)loaded.

    Each load goes to a new ``db-…`` folder (loaded under a temporary name,
    renamed into place, then recorded in ``fupin-store.json``), so workers
    reading the previous one are never disturbed; ``prune`` removes old ones.
    Raises ``SourceError`` for unreadable RDF.
    """
    import pyoxigraph as ox

    store_dir.mkdir(parents=True, exist_ok=True)
    marker = store_dir / MARKER
    try:
        held = json.loads(marker.read_text("utf-8"))
        held_db = store_dir / held["db"]
        if held["identity"] == ident and held.get("layout") == LAYOUT and held_db.is_dir():
            return held_db, False
    except (OSError, ValueError, KeyError, TypeError):
        pass
    tmp = Path(tempfile.mkdtemp(prefix="loading-", dir=store_dir))
    try:
        store = ox.Store(str(tmp))
        for s in sources:
            kw = {"format": s.format.to_oxigraph()}
            if s.graph:
                kw["to_graph"] = ox.NamedNode(s.graph)
            opener = gzip.open if s.path.name.endswith(".gz") else open
            try:
                with opener(s.path, "rb") as fh:
                    store.bulk_load(fh, **kw)
                if s.graph or s.format.kind == "dataset":  # also into the merge
                    with opener(s.path, "rb") as fh:
                        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                          for q in ox.parse(fh, format=kw["format"]))
            except (SyntaxError, ValueError) as e:
                raise SourceError(f"{s.path}: {e}") from None
        store.flush()
        store.optimize()
        del store
        gc.collect()
        db = store_dir / f"db-{ident[:16]}-{time.time_ns()}"
        tmp.rename(db)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    new_marker = store_dir / (MARKER + ".tmp")
    new_marker.write_text(json.dumps({"identity": ident, "layout": LAYOUT, "db": db.name,
                                      "sources": [s.fingerprint() for s in sources]}, indent=1), "utf-8")
    os.replace(new_marker, marker)
    return db, True


def prune(store_dir: Path, keep: Path) -> None:
    """Remove every database folder of ``store_dir`` but ``keep`` (and
    half-finished loads)."""
    for d in store_dir.iterdir():
        if d.is_dir() and d != keep and (d.name.startswith("db-") or d.name.startswith("loading-")):
            shutil.rmtree(d, ignore_errors=True)
