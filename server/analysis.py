"""Read what the server must know about a SPARQL request before the engine
sees it: query or update, the query form, the dataset clauses (FROM / FROM
NAMED) and every SERVICE endpoint.

A lexer, not a full parser: the grammar puts FROM only in a query's dataset
clause and SERVICE only before a graph pattern, so scanning the token stream
(strings, IRIs and comments skipped) finds them exactly. It runs in
microseconds, so every request can afford it. The engine (pyoxigraph) still
parses the query and reports grammar errors with line and column.

Safety: the SPARQL spec applies ``\\uXXXX``/``\\UXXXXXXXX`` escapes to the whole
text before parsing, and so does pyoxigraph, so ``\\u0053ERVICE`` or a
``\\u0022`` closing a string early would hide a SERVICE from a naive scan. The
text is scanned both as written and with escapes applied, and anything either
reading finds counts.

>>> a = analyse('PREFIX ex: <http://ex/> SELECT * FROM ex:g FROM NAMED <http://n> { SERVICE SILENT ex:s {} }')
>>> a.form, a.from_graphs, a.from_named, a.services
('SELECT', ('http://ex/g',), ('http://n',), ('http://ex/s',))
>>> analyse('select * { SERVICE ?where {} }').services
(None,)
>>> analyse('PREFIX x: <y> CLEAR ALL').is_update
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_PN_LOCAL_CHAR = r"(?:[\w\-:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              | '(?:[^'\\\n\r]|\\.)*'
              | "(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<bnode>_:[\w\-.]*)
  | (?P<pname>(?:[^\W\d_][\w\-.]*)?:(?:""" + _PN_LOCAL_CHAR + r"""(?:(?:""" + _PN_LOCAL_CHAR + r"""|\.)*""" + _PN_LOCAL_CHAR + r""")?)?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>[^\W\d][\w]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Analysis:
    """What a request's SPARQL text asks for.

    ``form``: ``SELECT``/``CONSTRUCT``/``DESCRIBE``/``ASK``, or ``None`` for an
    update or text with no recognisable form (the engine then reports the
    syntax error). ``from_graphs``/``from_named``: IRIs of the FROM / FROM
    NAMED clauses (resolved against PREFIX and BASE; a prefixed name whose
    prefix is undeclared is kept as written). ``services``: every SERVICE
    endpoint, ``None`` for a variable (which no allow-list can admit).
    """

    form: str | None
    is_update: bool
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    services: tuple[str | None, ...] = ()

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def unescape(text: str) -> str:
    r"""Apply SPARQL's codepoint escapes (``\u0053`` → ``S``) to the whole text.

    >>> unescape(r'\u0053ERVICE')
    'SERVICE'
    """
    def sub(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _UNICODE_ESCAPE.sub(sub, text)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append((kind, m.group()))
    return out


def _scan(text: str) -> Analysis:
    toks = _tokens(text)
    prefixes: dict[str, str] = {}
    base = ""

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            iri = value[1:-1]
            return urljoin(base, iri) if base else iri
        if kind == "pname":
            pfx, _, local = value.partition(":")
            local = re.sub(r"\\(.)", r"\1", local)
            return prefixes[pfx] + local if pfx in prefixes else value
        return None

    # prologue
    i = 0
    while i < len(toks):
        kind, val = toks[i]
        up = val.upper() if kind == "name" else ""
        if up == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = resolve("iri", toks[i + 1][1]) or base
            i += 2
        elif up == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1].rstrip(":").split(":")[0]] = resolve("iri", toks[i + 2][1]) or ""
            i += 3
        else:
            break
    first = toks[i][1].upper() if i < len(toks) and toks[i][0] == "name" else None
    form = first if first in QUERY_FORMS else None
    is_update = first in UPDATE_KEYWORDS

    # Updates may declare more prefixes between operations; queries cannot,
    # but tracking them everywhere is harmless and keeps one loop.
    from_graphs: list[str] = []
    from_named: list[str] = []
    services: list[str | None] = []
    for j in range(i, len(toks)):
        kind, val = toks[j]
        if kind != "name":
            continue
        up = val.upper()
        nxt = toks[j + 1] if j + 1 < len(toks) else ("", "")
        if up == "PREFIX" and nxt[0] == "pname" and j + 2 < len(toks) and toks[j + 2][0] == "iri":
            prefixes[nxt[1].split(":")[0]] = resolve("iri", toks[j + 2][1]) or ""
        elif up == "FROM":
            if nxt[0] == "name" and nxt[1].upper() == "NAMED":
                tgt = toks[j + 2] if j + 2 < len(toks) else ("", "")
                iri = resolve(*tgt)
                if iri is not None:
                    from_named.append(iri)
            else:
                iri = resolve(*nxt)
                if iri is not None:
                    from_graphs.append(iri)
        elif up == "SERVICE":
            k = j + 1
            if k < len(toks) and toks[k][0] == "name" and toks[k][1].upper() == "SILENT":
                k += 1
            tgt = toks[k] if k < len(toks) else ("", "")
            services.append(resolve(*tgt))  # None for a variable or anything odd
    return Analysis(form, is_update, tuple(from_graphs), tuple(from_named), tuple(services))


def analyse(text: str) -> Analysis:
    """Analyse a query or update text (see module docstring). Never raises.
    Memoised for texts up to 16 kB: the view and the store facade both ask,
    pages repeat queries."""
    return _analyse_cached(text) if len(text) <= 16384 else _analyse(text)


@lru_cache(maxsize=1024)
def _analyse_cached(text: str) -> Analysis:
    return _analyse(text)


def _analyse(text: str) -> Analysis:
    a = _scan(text)
    u = unescape(text)
    if u == text:
        return a
    b = _scan(u)
    services = tuple(dict.fromkeys(a.services + b.services))
    return Analysis(
        form=b.form or a.form,
        is_update=a.is_update or b.is_update,
        from_graphs=b.from_graphs,
        from_named=b.from_named,
        services=services,
    )
