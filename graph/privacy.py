"""Pseudonymous builds: no person's name anywhere in the outputs.

People get IRIs ``…/person/{report}/person-N`` and labels ``人物N`` /
``Person N`` in the mapping; :func:`pseudonymise` then replaces every
occurrence of their names (Chinese and pinyin) in any literal, quotes
included, by that label. Character offsets in annotations still refer to the
original report.
"""
from __future__ import annotations

import unicodedata

from rdflib import Graph, Literal


def _plain(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def pseudonymise(g: Graph, people, new_graph) -> Graph:
    """A copy of ``g`` with each person's names replaced by ``人物N``."""
    names = []
    for n, p in enumerate(people, 1):
        for name in {p.zh, p.pinyin, _plain(p.pinyin)}:
            names.append((name, f"人物{n}"))
    names.sort(key=lambda x: -len(x[0]))
    from .vocab import OA
    out = new_graph()
    for s, p, o in sorted(g):
        if isinstance(o, Literal) and isinstance(o.value, str):
            text = str(o)
            for name, label in names:
                text = text.replace(name, label)
            # a quote's context may cut a name in two: 村民扎西|平措
            if p in (OA.prefix, OA.suffix):
                for name, label in names:
                    for k in range(len(name) - 1, 0, -1):
                        if text.endswith(name[:k]):
                            text = text[:-k] + label
                        if text.startswith(name[-k:]):
                            text = label + text[k:]
            if text != str(o):
                o = Literal(text, lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out
