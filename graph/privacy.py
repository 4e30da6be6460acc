"""Pseudonymous builds: no person's name anywhere in the outputs.

People get IRIs ``…/person/{report}/person-N`` and labels ``人物N`` /
``Person N`` in the mapping; :func:`pseudonymise` then replaces every
occurrence of their names (Chinese, pinyin with and without tone marks) in any
literal, quotes included, by that label, and :func:`redact` does the same for
plain text (the CSV). Character offsets in annotations still refer to the
original report.
"""
from __future__ import annotations

import unicodedata

from rdflib import Graph, Literal

from .mapping import toneless
from .vocab import OA


def _plain(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def names(people) -> list[tuple[str, str]]:
    """``(name, pseudonym)`` for every written form of every person's name,
    longest first, N by order of ``people``."""
    out = []
    for n, p in enumerate(people, 1):
        for name in {p.zh, p.pinyin, toneless(p.pinyin), _plain(p.pinyin)}:
            out.append((name, f"人物{n}"))
    return sorted(out, key=lambda x: -len(x[0]))


def redact(text: str, table: list[tuple[str, str]]) -> str:
    """``text`` with every name in ``table`` replaced by its pseudonym."""
    for name, label in table:
        text = text.replace(name, label)
    return text


def _redact_context(text: str, table) -> str:
    """A quote's context window may cut a name in two (村民扎西|平措): replace a
    name's head at the end and its tail at the start too."""
    for name, label in table:
        for k in range(len(name) - 1, 0, -1):
            if text.endswith(name[:k]):
                text = text[:-k] + label
            if text.startswith(name[-k:]):
                text = label + text[k:]
    return text


def pseudonymise(g: Graph, people, new_graph) -> Graph:
    """A copy of ``g`` with each person's names replaced by ``人物N``."""
    table = names(people)
    out = new_graph()
    for s, p, o in sorted(g):
        if isinstance(o, Literal) and isinstance(o.value, str):
            text = redact(str(o), table)
            if p in (OA.prefix, OA.suffix):
                text = _redact_context(text, table)
            if text != str(o):
                o = Literal(text, lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out
