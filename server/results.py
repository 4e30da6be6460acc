"""Write query results, capped: SELECT rows, CONSTRUCT/DESCRIBE triples.

pyoxigraph serialises a whole result or nothing, so SELECT results are written
here (SPARQL 1.1 Query Results JSON, XML, CSV and TSV), after taking at most
``limit`` rows; booleans and graphs go through pyoxigraph's own writers. Used by
the query workers and by the remote store, so both give the same bytes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from fupin.graph.formats import Format

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "fp": "https://w3id.org/fupin/ontology#",
}
"""Prefixes offered to Turtle/TriG/RDF-XML writers for graph results."""


@dataclass(frozen=True)
class Encoded:
    body: bytes
    count: int
    """Rows (SELECT), triples (graphs), or -1 (ASK)."""
    truncated: bool


def _json_term(t: Any) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject),
                                             "predicate": _json_term(t.predicate),
                                             "object": _json_term(t.object)}}
    raise TypeError(f"not an RDF term: {t!r}")


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return ("<triple>" + "".join(f"<{k}>{_xml_term(getattr(t, k))}</{k}>"
                                      for k in ("subject", "predicate", "object")) + "</triple>")
    raise TypeError(f"not an RDF term: {t!r}")


def _csv_field(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        s = "_:" + t.value
    elif isinstance(t, (ox.NamedNode, ox.Literal)):
        s = t.value
    else:
        s = str(t)
    if any(c in s for c in '",\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def write_solutions(variables: list[str], rows: Iterable[Any], fmt: Format) -> bytes:
    """Serialise SELECT rows (pyoxigraph ``QuerySolution``s, or anything
    indexable by variable name returning a term or ``None``) in ``fmt``."""
    name = fmt.name
    if name == "json":
        bindings = []
        for r in rows:
            b = {}
            for v in variables:
                t = r[v]
                if t is not None:
                    b[v] = _json_term(t)
            bindings.append(b)
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if name == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for r in rows:
            parts.append("<result>")
            for v in variables:
                t = r[v]
                if t is not None:
                    parts.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if name == "csv":
        lines = [",".join(_csv_field_name(v) for v in variables)]
        lines += [",".join(_csv_field(r[v]) for v in variables) for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if name == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if r[v] is None else str(r[v]) for v in variables) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"{fmt.label} is not a SPARQL results format")


def _csv_field_name(v: str) -> str:
    return v


def encode(result: Any, fmt: Format, limit: int) -> Encoded:
    """Serialise a pyoxigraph query result (``QueryBoolean``,
    ``QuerySolutions`` or an iterable of ``Triple``) in ``fmt``, keeping at
    most ``limit`` rows or triples (``truncated`` tells whether more existed).

    Raises ``ValueError`` when ``fmt`` does not fit the result's kind.
    """
    if isinstance(result, (bool, ox.QueryBoolean)):
        if fmt.kind != "results":
            raise ValueError(f"an ASK result cannot be written as {fmt.label}")
        value = bool(result)
        if fmt.name == "json":
            body = b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
        elif fmt.name == "xml":
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head></head><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
        else:
            body = b"true\n" if value else b"false\n"
        return Encoded(body, -1, False)
    if isinstance(result, ox.QuerySolutions):
        if fmt.kind != "results":
            raise ValueError(f"SELECT results cannot be written as {fmt.label}")
        variables = [v.value for v in result.variables]
        rows = list(islice(result, limit + 1))
        truncated = len(rows) > limit
        if truncated:
            rows = rows[:limit]
        return Encoded(write_solutions(variables, rows, fmt), len(rows), truncated)
    # a graph: QueryTriples or any iterable of triples
    if fmt.kind == "results":
        raise ValueError(f"a graph cannot be written as {fmt.label}")
    triples = list(islice(result, limit + 1))
    truncated = len(triples) > limit
    if truncated:
        triples = triples[:limit]
    prefixes = PREFIXES if fmt.name in ("ttl", "trig", "rdfxml") else None
    body = ox.serialize(triples, format=fmt.to_oxigraph(), prefixes=prefixes) or b""
    return Encoded(body, len(triples), truncated)
