"""Settings: one typed object per side, defaults in one place.

Layers, later wins: the defaults below, then ``fupin.toml`` at the project root
(tables ``[build]`` and ``[serve]``), then environment variables
``FUPIN_<FIELD>`` (e.g. ``FUPIN_BASE_IRI``, ``FUPIN_PEOPLE``,
``FUPIN_TIMEOUT``), then command-line flags. The base IRI is defined here and
nowhere else.

The project root is where relative paths resolve: ``$FUPIN_ROOT``, else the
nearest ancestor of the working directory holding ``data/sheets``, else the
checkout this package was installed from (editable installs), else the working
directory.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_BASE_IRI = "https://w3id.org/fupin/"
"""Canonical base of every instance IRI (docs/design.md, "IRI layout")."""

ONTOLOGY_IRI = "https://w3id.org/fupin/ontology"
"""The ontology's IRI; its terms live in ``ONTOLOGY_IRI + '#'``."""


def find_root(start: Path | None = None) -> Path:
    """Return the project root (see module docstring). Never raises."""
    env = os.environ.get("FUPIN_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "data" / "sheets").is_dir():
            return d
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "data" / "sheets").is_dir():
        return checkout
    return here


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    root: Path = Field(default_factory=find_root)

    def path(self, p: Path | str) -> Path:
        """Resolve ``p`` against the project root (absolute paths pass through)."""
        p = Path(p)
        return p if p.is_absolute() else (self.root / p)


class BuildSettings(_Settings):
    """What ``fupin build`` / ``validate`` / ``export`` read."""

    base_iri: str = DEFAULT_BASE_IRI
    sheets: Path = Path("data/sheets")
    """A folder of fact sheets (``*.yaml``) or one sheet."""
    build_dir: Path = Path("data/build")
    people: Literal["named", "pseudonymous"] = "named"
    """``named`` publishes people as the report names them; ``pseudonymous``
    gives them stable neutral labels and IRIs and drops their names."""
    ontology: Path | None = None
    """An ontology file to check against instead of the shipped
    ``ontology/fupin.ttl`` (for trying an ontology change)."""
    reason: bool = True
    """Run owlready2/HermiT (needs Java); its inferred types go to the
    inferred-types named graph."""


class ServeSettings(_Settings):
    """What ``fupin serve`` reads."""

    base_iri: str = DEFAULT_BASE_IRI
    build_dir: Path = Path("data/build")
    host: str = "127.0.0.1"
    port: int = 5000
    timeout: float = 10.0
    """Default query timeout in seconds."""
    timeout_max: float = 60.0
    """Upper bound for a per-request ``timeout`` parameter, in seconds."""
    max_rows: int = 10_000
    max_triples: int = 100_000
    max_body: int = 1_000_000
    """Largest accepted request body, in bytes (413 past it)."""
    workers: int = 2
    threads: int = 4
    """HTTP threads (waitress). Each waits while its query runs, so keep a
    couple more than ``workers``; more threads contend for the GIL."""
    cache_size: int = 256
    service_allow: list[str] = []
    """SERVICE endpoints a query may call; empty means none."""
    store: Path | None = None
    endpoint: str | None = None
    data: list[str] = []
    """Extra RDF files, ``FILE`` or ``FILE=GRAPH_IRI``."""
    include_build: bool | None = None
    """Serve the build (``build_dir/fupin.nq``) too; ``None``: only when no
    ``data`` files are given."""
    cache_ttl: float = 300.0
    """Seconds a cached answer from a remote ``endpoint`` stays valid (local
    answers stay valid until the build changes)."""
    watch: float = 2.0
    """Seconds between checks for a changed build or ``data`` file, reloaded
    without a restart (0: never)."""
    trusted_proxy: str | None = "127.0.0.1"
    """Address of a reverse proxy whose ``X-Forwarded-Host``/``-Proto``/``-For``
    headers are trusted (``*`` for any, ``None`` for none)."""


def _file_layer(root: Path, table: str) -> dict[str, Any]:
    f = root / "fupin.toml"
    if not f.is_file():
        return {}
    with f.open("rb") as fh:
        return dict(tomllib.load(fh).get(table, {}))


def _env_layer(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        raw = os.environ.get(f"FUPIN_{name.upper()}")
        if raw is None:
            continue
        ann = str(field.annotation)
        out[name] = [s for s in raw.split(",") if s] if ann.startswith("list") else raw
    return out


def load_build(**flags: Any) -> BuildSettings:
    """Build settings from defaults, ``fupin.toml [build]``, env, then ``flags``
    (``None`` values are ignored). Raises ``pydantic.ValidationError``."""
    return _load(BuildSettings, "build", flags)


def load_serve(**flags: Any) -> ServeSettings:
    """Serve settings from defaults, ``fupin.toml [serve]``, env, then ``flags``."""
    return _load(ServeSettings, "serve", flags)


def _load(model, table, flags):
    root = Path(flags.get("root") or find_root())
    merged = {"root": root, **_file_layer(root, table), **_env_layer(model)}
    merged.update({k: v for k, v in flags.items() if v is not None and v != ()})
    merged.pop("root", None)
    return model(root=root, **merged)
