"""The one table of formats: media type ↔ pyoxigraph/rdflib format ↔ file
extension ↔ ``format=`` short name, for RDF graphs/datasets and for SPARQL
query results.

Everything that reads or writes a serialisation asks this module: the builder's
exports pick a format by extension, the server negotiates ``Accept`` and
``format=`` against it. Pure: no Flask (``negotiate`` uses werkzeug's Accept
parser, a plain library).

>>> by_name("ttl").media_type
'text/turtle'
>>> by_extension("data.nq").name
'nq'
>>> by_media_type("application/sparql-results+json; charset=utf-8").name
'json'
>>> negotiate("text/csv;q=0.9, application/sparql-results+xml", RESULTS).name
'xml'
>>> negotiate("*/*", GRAPH).name
'ttl'
>>> override(["xml"], GRAPH).name, override(["xml"], RESULTS).name
('rdfxml', 'xml')
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from functools import lru_cache
from typing import Iterable, Literal

Kind = Literal["graph", "dataset", "results"]


@dataclass(frozen=True)
class Format:
    """One serialisation.

    ``name`` is the canonical short name (also accepted in ``format=``),
    ``aliases`` further short names, ``media_type`` the canonical media type,
    ``media_aliases`` other media types clients send for it, ``extension``
    the file extension (no dot), ``rdflib`` the rdflib parser/serialiser name,
    ``oxigraph`` the name of the pyoxigraph ``RdfFormat``/``QueryResultsFormat``
    member, ``kind`` what it carries (``graph`` triples, ``dataset`` quads,
    ``results`` SPARQL SELECT/ASK results).
    """

    name: str
    media_type: str
    extension: str
    kind: Kind
    rdflib: str
    oxigraph: str
    label: str
    aliases: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()
    boolean: bool = True
    """For results formats: whether an ASK result can be written in it."""
    w3c: str = ""
    """The format's IRI in http://www.w3.org/ns/formats/ (service descriptions)."""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` to send: the media type, with ``charset=utf-8``
        on textual types that define a charset parameter (``text/*``, ``*+xml``)."""
        mt = self.media_type
        if mt.startswith("text/") or mt.endswith("xml"):
            return mt + "; charset=utf-8"
        return mt

    @property
    def is_rdf(self) -> bool:
        return self.kind != "results"

    def to_oxigraph(self):
        """The pyoxigraph ``RdfFormat`` or ``QueryResultsFormat`` member."""
        import pyoxigraph

        enum = pyoxigraph.QueryResultsFormat if self.kind == "results" else pyoxigraph.RdfFormat
        return getattr(enum, self.oxigraph)


FORMATS: tuple[Format, ...] = (
    # SPARQL results (SELECT, ASK)
    Format("json", "application/sparql-results+json", "srj", "results", "json", "JSON",
           "SPARQL Results JSON", aliases=("srj", "sparql-results+json"),
           media_aliases=("application/json", "text/javascript", "application/javascript"),
           w3c="http://www.w3.org/ns/formats/SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "srx", "results", "xml", "XML",
           "SPARQL Results XML", aliases=("srx", "sparql-results+xml"),
           media_aliases=("application/xml", "text/xml"), w3c="http://www.w3.org/ns/formats/SPARQL_Results_XML"),
    Format("csv", "text/csv", "csv", "results", "csv", "CSV", "SPARQL Results CSV",
           boolean=False, w3c="http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", "tsv", "TSV",
           "SPARQL Results TSV", boolean=False, w3c="http://www.w3.org/ns/formats/SPARQL_Results_TSV"),
    # RDF graphs (CONSTRUCT, DESCRIBE, files)
    Format("ttl", "text/turtle", "ttl", "graph", "turtle", "TURTLE", "Turtle",
           aliases=("turtle", "n3"), media_aliases=("application/x-turtle", "application/turtle"), w3c="http://www.w3.org/ns/formats/Turtle"),
    Format("nt", "application/n-triples", "nt", "graph", "nt", "N_TRIPLES", "N-Triples",
           aliases=("ntriples", "n-triples"), media_aliases=("text/plain",), w3c="http://www.w3.org/ns/formats/N-Triples"),
    Format("rdfxml", "application/rdf+xml", "rdf", "graph", "xml", "RDF_XML", "RDF/XML",
           aliases=("xml", "rdf", "rdf+xml", "owl"), media_aliases=("application/xml", "text/xml"),
           w3c="http://www.w3.org/ns/formats/RDF_XML"),
    Format("jsonld", "application/ld+json", "jsonld", "graph", "json-ld", "JSON_LD", "JSON-LD",
           aliases=("json-ld", "json", "ld+json"), media_aliases=("application/json", "application/x-json+ld"),
           w3c="http://www.w3.org/ns/formats/JSON-LD"),
    # RDF datasets (quads); a graph result written in them sits in the default graph
    Format("trig", "application/trig", "trig", "dataset", "trig", "TRIG", "TriG", w3c="http://www.w3.org/ns/formats/TriG"),
    Format("nq", "application/n-quads", "nq", "dataset", "nquads", "N_QUADS", "N-Quads",
           aliases=("nquads", "n-quads"), media_aliases=("text/x-nquads",), w3c="http://www.w3.org/ns/formats/N-Quads"),
)

RESULTS: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind == "results")
"""Formats for SELECT results, in server preference order (JSON first)."""
BOOLEAN: tuple[Format, ...] = tuple(f for f in RESULTS if f.boolean)
"""Formats for ASK results. CSV/TSV define no boolean form (SPARQL 1.1 CSV/TSV §1)."""
GRAPH: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind != "results")
"""Formats for CONSTRUCT/DESCRIBE results, in preference order (Turtle first)."""
DATASET: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind == "dataset")

#: file extensions read as RDF beside the canonical ones
_EXTRA_EXTENSIONS = {"turtle": "ttl", "n3": "ttl", "ntriples": "nt", "owl": "rdfxml", "xml": "rdfxml",
                     "json": "jsonld", "nquads": "nq", "srj": "json", "srx": "xml"}


def for_query_form(form: str) -> tuple[Format, ...]:
    """Formats that fit a query form (``SELECT``, ``ASK``, ``CONSTRUCT``,
    ``DESCRIBE``; case-insensitive), in server preference order.

    >>> [f.name for f in for_query_form("ask")]
    ['json', 'xml']
    """
    form = form.upper()
    if form == "SELECT":
        return RESULTS
    if form == "ASK":
        return BOOLEAN
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH
    raise ValueError(f"unknown query form {form!r}")


def query_form_phrase(form: str | None) -> str:
    """``ASK`` → ``an ASK query``, ``SELECT`` → ``a SELECT query``: the
    query form with its article, for messages (``this query`` without one).

    >>> query_form_phrase("ask"), query_form_phrase("CONSTRUCT"), query_form_phrase(None)
    ('an ASK query', 'a CONSTRUCT query', 'this query')
    """
    if not form:
        return "this query"
    form = form.upper()
    return f"{'an' if form[0] in 'AEIOU' else 'a'} {form} query"


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def by_name(name: str, among: Iterable[Format] = FORMATS) -> Format | None:
    """The format a short name or media type denotes among ``among`` (first
    hit wins, so pass the formats that fit the context: ``xml`` is SPARQL XML
    among ``RESULTS`` and RDF/XML among ``GRAPH``). ``None`` if none."""
    key = name.strip().lower()
    among = tuple(among)
    for f in among:
        if key == f.name or key in f.aliases:
            return f
    return by_media_type(key, among)


def by_media_type(media_type: str, among: Iterable[Format] = FORMATS) -> Format | None:
    """The format for a media type (parameters such as ``charset`` ignored),
    canonical media types before aliases. ``None`` if unknown."""
    mt = _base(media_type)
    among = tuple(among)
    for f in among:
        if mt == f.media_type:
            return f
    for f in among:
        if mt in f.media_aliases:
            return f
    return None


def by_extension(path: str | PurePath, among: Iterable[Format] = FORMATS) -> Format | None:
    """The RDF or results format a file name's extension names (``.gz`` is not
    stripped: decompress first). ``None`` if unknown.

    >>> by_extension("x/fupin.rdf").label
    'RDF/XML'
    """
    ext = PurePath(path).suffix.lower().lstrip(".")
    among = tuple(among)
    for f in among:
        if ext == f.extension:
            return f
    alias = _EXTRA_EXTENSIONS.get(ext)
    return by_name(alias, among) if alias else None


def _ranges(accept: str) -> tuple[tuple[str, str, float], ...]:
    """``Accept`` as (type, subtype, q) triples, parameters other than q dropped
    (memoised up to 1 kB: clients send the same few headers over and over)."""
    return _ranges_cached(accept) if len(accept) <= 1024 else _parse_ranges(accept)


@lru_cache(maxsize=512)
def _ranges_cached(accept: str) -> tuple[tuple[str, str, float], ...]:
    return _parse_ranges(accept)


def _parse_ranges(accept: str) -> tuple[tuple[str, str, float], ...]:
    from werkzeug.http import parse_accept_header

    out = []
    for value, q in parse_accept_header(accept):
        main, _, sub = _base(value).partition("/")
        if main and sub:
            out.append((main, sub, q))
        elif main == "*":  # a lone "*" (old Java clients) means */*
            out.append(("*", "*", q))
    return tuple(out)


def accept_quality(accept: str | None, media_type: str) -> tuple[float, int]:
    """(q, specificity) that an ``Accept`` header gives a media type: the q of
    the most specific matching range (RFC 9110 §12.5.1), specificity 2 for an
    exact range, 1 for ``type/*``, 0 for ``*/*``; (0, -1) when nothing matches.
    A missing or empty header accepts everything.

    >>> accept_quality("text/*;q=0.5, text/csv;q=0, */*;q=0.1", "text/csv")
    (0.0, 2)
    >>> accept_quality("text/*;q=0.5, */*;q=0.1", "text/turtle")
    (0.5, 1)
    """
    if accept is None or not accept.strip():
        return (1.0, 0)
    main, _, sub = _base(media_type).partition("/")
    best: tuple[float, int] = (0.0, -1)
    for rmain, rsub, q in _ranges(accept):
        if rmain == main and rsub == sub:
            spec = 2
        elif rmain == main and rsub == "*":
            spec = 1
        elif rmain == "*" and rsub == "*":
            spec = 0
        else:
            continue
        if spec > best[1]:
            best = (q, spec)
    return best


def negotiate(accept: str | None, candidates: Iterable[Format]) -> Format | None:
    """Pick the format for an ``Accept`` header among ``candidates`` (server
    preference order; the first is the default when the header is missing or
    empty).

    RFC 9110 semantics over werkzeug's parser: q-values, ``type/*`` and
    ``*/*`` wildcards, ``q=0`` refusals (the most specific matching range
    decides an offer's q); parameters other than ``q`` (``charset=utf-8``)
    are ignored. Each format is offered under its canonical media type and
    its aliases (``application/json``, ``application/xml``; an alias counts
    only when the header names it exactly, not through a wildcard); the
    highest q wins, then the more specific range, then server preference.
    Returns ``None`` when nothing is acceptable (answer 406).
    """
    candidates = tuple(candidates)
    if not candidates:
        return None
    if accept is None or not accept.strip() or not _ranges(accept):
        return candidates[0]
    if len(accept) <= 1024:
        return _negotiate_cached(accept, candidates)
    return _negotiate(accept, candidates)


@lru_cache(maxsize=512)
def _negotiate_cached(accept: str, candidates: tuple[Format, ...]) -> Format | None:
    return _negotiate(accept, candidates)


def _negotiate(accept: str, candidates: tuple[Format, ...]) -> Format | None:
    best, best_key = None, (0.0, -1)
    for f in candidates:
        for mt in (f.media_type, *f.media_aliases):
            key = accept_quality(accept, mt)
            if mt != f.media_type and key[1] != 2:
                continue  # an alias counts only when named exactly
            if key[0] > 0 and key > best_key:
                best, best_key = f, key
    return best


def override(values: Iterable[str], candidates: Iterable[Format]) -> Format | None:
    """The first of ``values`` (``format=`` / ``output=`` / ``results=``
    parameter values: short names or media types) that names one of
    ``candidates``; ``None`` if none does.

    >>> override(["tsv", "text/tab-separated-values"], RESULTS).name
    'tsv'
    >>> override(["json"], GRAPH).name
    'jsonld'
    >>> override(["csv"], GRAPH) is None
    True
    """
    candidates = tuple(candidates)
    for v in values:
        if v and v.strip():
            f = by_name(v, candidates)
            if f is not None:
                return f
    return None


def names(candidates: Iterable[Format]) -> str:
    """Comma-separated short names and media types, for error messages."""
    return ", ".join(f"{f.name} ({f.media_type})" for f in candidates)
