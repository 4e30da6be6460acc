"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, its service description
and its query UI (YASGUI).

Protocol (https://www.w3.org/TR/sparql11-protocol/): query by GET, by POST
``application/x-www-form-urlencoded`` (URL and body parameters merged) and by
POST ``application/sparql-query``; ``default-graph-uri``/``named-graph-uri``
define the dataset. Content negotiation and the ``format``/``output``/
``results`` override go through ``fupin.graph.formats``; the query runs
through the store facade. Read-only: updates get 403 (400 by GET).

Without a query, GET answers the service description in an RDF format, or,
for a browser (``text/html`` preferred), the query UI. ``/sparql?query=…``
opened in a browser shows the UI with that query filled in and run (the link
the pages use); ``/sparql#query=…`` works too (YASGUI's own share links).
The UI's own chrome (site header, heading, intro, example titles and
descriptions) follows the reader's language like the other pages
(``?lang=``, else ``Accept-Language``); YASGUI's widgets stay English.
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph as ox
import yaml
from flask import Blueprint, Response, current_app, g, render_template, request

from fupin.graph import formats

from .analysis import analyse
from .httpcache import CACHEABLE_HEADER
from .pages import chrome, sparql_link, ui_lang
from .store import GraphStore, QuerySyntaxError, StoreError, UpdateRefused

bp = Blueprint("sparql", __name__, template_folder="templates")

EXAMPLES_FILE = Path(__file__).with_name("examples.yaml")
ALLOWED = ("GET", "HEAD", "POST", "OPTIONS")
ALLOWED_METHODS = ", ".join(ALLOWED)
"""The ``Allow`` header of ``/sparql``: on OPTIONS, on a 405, in CORS preflights."""
SD = "http://www.w3.org/ns/sparql-service-description#"
TRUNCATED_HEADER = "Fupin-Truncated"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _store() -> GraphStore:
    return current_app.extensions["fupin.store"]


def _text(status: int, message: str) -> Response:
    return Response(message.rstrip("\n") + "\n", status, mimetype="text/plain")


def load_examples() -> list[dict]:
    """The example queries shown in the UI (``server/examples.yaml``): a list
    of ``{id, title, description, title_zh, description_zh, query}``."""
    with EXAMPLES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["examples"]


def examples_in(lang: str) -> list[dict]:
    """The examples as the UI shows them: ``{id, title, description, query}``
    with title and description in ``lang`` (``zh``; else English), the
    English ones where a Chinese one is missing."""
    out = []
    for ex in load_examples():
        title, desc = ex["title"], ex["description"]
        if lang == "zh":
            title, desc = ex.get("title_zh") or title, ex.get("description_zh") or desc
        out.append({"id": ex["id"], "title": title, "description": desc, "query": ex["query"]})
    return out


# ---------------------------------------------------------------- params
def _decode_pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("ascii", "strict") if raw.isascii() else raw.decode("utf-8", "strict"),
                         keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {what} is not valid UTF-8") from None


def _charset_ok() -> None:
    cs = request.mimetype_params.get("charset")
    if cs is not None and cs.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset={cs} is not supported: send the request body in UTF-8")


def _collect() -> tuple[list[tuple[str, str]], bool]:
    """All protocol parameters as (name, value) pairs, and whether the body
    was a direct query. Raises ``ProtocolError``."""
    url = _decode_pairs(request.query_string, "query string")
    if _by_get():
        return url, False
    mt = request.mimetype
    if not mt:
        raise ProtocolError(400, "a POST needs a Content-Type: application/x-www-form-urlencoded "
                                 "or application/sparql-query")
    if mt == "application/x-www-form-urlencoded":
        _charset_ok()
        return url + _decode_pairs(request.get_data(cache=False), "request body"), False
    if mt == "application/sparql-query":
        _charset_ok()
        try:
            text = request.get_data(cache=False).decode("utf-8", "strict")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the query is not valid UTF-8") from None
        if any(k == "query" for k, _ in url):
            raise ProtocolError(400, "the query is both in the body and in the URL: send one query")
        return url + [("query", text)], True
    if mt == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are not allowed")
    raise ProtocolError(415, f"Content-Type {mt} is not supported: use application/x-www-form-urlencoded "
                             f"or application/sparql-query")


def _by_get() -> bool:
    """GET, or HEAD (answered as GET without the body)."""
    return request.method in ("GET", "HEAD")


def _values(pairs, name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


# ---------------------------------------------------------------- views
@bp.route("/sparql", methods=list(ALLOWED))
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ALLOWED_METHODS})
    try:
        return _answer()
    except ProtocolError as e:
        return _text(e.status, str(e))
    except StoreError as e:
        return _text(e.status, str(e))


def _answer() -> Response:
    pairs, _direct = _collect()
    updates = _values(pairs, "update")
    if updates:
        if _by_get():
            raise ProtocolError(400, "updates cannot be sent by GET (and this endpoint is read-only)")
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are not allowed")
    queries = _values(pairs, "query")
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} query parameters: send exactly one")
    accept = request.headers.get("Accept")
    if not queries:
        if request.method == "POST":
            raise ProtocolError(400, "missing the query parameter")
        return _no_query(accept)
    query = queries[0]
    a = analyse(query)
    if a.is_update:
        if _by_get():
            raise ProtocolError(400, "updates cannot be sent by GET (and this endpoint is read-only)")
        raise UpdateRefused()
    overrides = _values(pairs, "format") + _values(pairs, "output") + _values(pairs, "results")
    fmt = None
    if a.form:
        fits = formats.for_query_form(a.form)
        if overrides:
            fmt = formats.override(overrides, fits)
            if fmt is None:
                raise ProtocolError(406, f"format={overrides[0]} does not fit {formats.query_form_phrase(a.form)}; "
                                         f"use one of {formats.names(fits)}")
        else:
            fmt = formats.negotiate(accept, fits)
            if fmt is None:
                raise ProtocolError(406, f"none of the acceptable types (Accept: {accept}) fits "
                                         f"{formats.query_form_phrase(a.form)}; this endpoint offers "
                                         f"{formats.names(fits)}")
            if _by_get() and _prefers_html(accept, fmt):
                return _ui(query)
    t_values = _values(pairs, "timeout")
    timeout = parse_timeout(t_values[0]) if t_values else None
    dg = _values(pairs, "default-graph-uri")
    ng = _values(pairs, "named-graph-uri")
    try:
        res = _store().query(query, format=fmt, default_graph_uris=dg or None, named_graph_uris=ng or None,
                             timeout=timeout, base_iri=endpoint_url())
    except QuerySyntaxError as e:
        raise ProtocolError(e.status, point_at(str(e), query)) from None
    except ValueError as e:
        raise ProtocolError(406, str(e)) from None
    headers = _cacheable({"Vary": "Accept"})
    if res.truncated:
        unit = "rows" if res.form == "SELECT" else "triples"
        headers[TRUNCATED_HEADER] = f"{res.limit} {unit}"
    g.log_extra = (f" {res.form} {res.format.name} n={res.count}"
                   f"{' truncated' if res.truncated else ''}{' cached' if res.cached else ''}")
    return Response(res.body, 200, headers=headers, content_type=res.format.content_type)


_SECONDS = re.compile(r"\s*\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def parse_timeout(raw: str) -> float | None:
    """The ``timeout`` parameter in seconds (``None`` when empty: the
    default). A positive, finite decimal number; above the configured
    maximum it is capped by the store. Anything else is a 400 that says
    what is allowed."""
    if not raw.strip():
        return None
    value = float(raw) if _SECONDS.fullmatch(raw) else math.nan
    if not (math.isfinite(value) and value > 0):
        tmax = current_app.extensions["fupin.settings"].timeout_max
        raise ProtocolError(400, f"timeout={raw!r} is not allowed: give a positive number of seconds, such as "
                                 f"timeout=2.5; at most {tmax:g} s is used (larger values are capped to it)")
    return value


def point_at(message: str, query: str, width: int = 72) -> str:
    r"""A syntax error ``message`` that names ``line N, column M`` (the
    engine's 1-based line and code-point column), with that line of
    ``query`` and a caret under the column added beneath; ``message``
    unchanged when it names no position in ``query``. Lines longer than
    ``width`` are cut around the column; the caret allows for tabs and
    wide (CJK) characters.

    >>> print(point_at("syntax error at line 1, column 6: expected [_]", "SELEC"))
    syntax error at line 1, column 6: expected [_]
      SELEC
           ^
    >>> print(point_at("syntax error at line 2, column 11: x", 'ASK {\n  "贡西" ?p }'))
    syntax error at line 2, column 11: x
        "贡西" ?p }
                  ^
    """
    m = re.search(r"\bline (\d+), column (\d+)\b", message)
    lines = query.split("\n")  # the engine counts lines by \n alone
    if not m or not 1 <= int(m.group(1)) <= len(lines):
        return message
    line = lines[int(m.group(1)) - 1].rstrip("\r")
    col = min(max(int(m.group(2)), 1), len(line) + 1) - 1  # 0-based, at most just past the end
    start = max(0, min(col - width // 2, len(line) - width))
    end = start + width
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    shown = "".join(c if c == "\t" or c.isprintable() else " " for c in shown)
    pad = "".join("\t" if c == "\t" else "  " if unicodedata.east_asian_width(c) in "WF"
                  else "" if unicodedata.combining(c) else " "
                  for c in ("…" if start else "") + line[start:col])
    return f"{message}\n  {shown}\n  {pad}^"


def _prefers_html(accept: str | None, fmt: formats.Format) -> bool:
    """A browser: ``text/html`` named explicitly and preferred over ``fmt``."""
    q_html, spec = formats.accept_quality(accept, "text/html")
    if spec != 2 or q_html <= 0:
        return False
    q_fmt = max(formats.accept_quality(accept, m)[0] for m in (fmt.media_type, *fmt.media_aliases))
    return q_html > q_fmt


def _no_query(accept: str | None) -> Response:
    rdf = formats.negotiate(accept, formats.GRAPH)
    if rdf is None or _prefers_html(accept, rdf):
        if formats.accept_quality(accept, "text/html")[0] > 0:
            return _ui(None)
        raise ProtocolError(406, f"no query given, and the service description is offered only as "
                                 f"{formats.names(formats.GRAPH)} (or the query UI as text/html)")
    body = ox.serialize(_service_description(), format=rdf.to_oxigraph(),
                        prefixes={"sd": SD, "formats": "http://www.w3.org/ns/formats/",
                                  "dcterms": "http://purl.org/dc/terms/",
                                  "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
                        if rdf.name in ("ttl", "trig") else None)
    g.log_extra = " service-description"
    return Response(body, 200, headers=_cacheable({"Vary": "Accept"}), content_type=rdf.content_type)


def _cacheable(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with the mark that lets the response cache keep the
    answer (the cache removes it from every answer it passes on, kept or
    not: HEAD, a disabled cache)."""
    headers[CACHEABLE_HEADER] = "1"
    return headers


def endpoint_url() -> str:
    """This endpoint's public URL, honouring ``X-Forwarded-Proto``/``-Host``."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    if proto not in ("http", "https"):
        proto = request.scheme
    if any(c in host for c in '<>"{}|^`\\ /'):
        host = request.host
    return f"{proto}://{host}{request.script_root}/sparql"


def _service_description() -> list[ox.Triple]:
    N, L = ox.NamedNode, ox.Literal
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    comment = N("http://www.w3.org/2000/01/rdf-schema#comment")
    me = N(endpoint_url())
    sd = lambda t: N(SD + t)  # noqa: E731
    store = _store()
    settings = current_app.extensions["fupin.settings"]
    t = [ox.Triple(me, rdf_type, sd("Service")),
         ox.Triple(me, sd("endpoint"), me),
         ox.Triple(me, sd("supportedLanguage"), sd("SPARQL11Query")),
         ox.Triple(me, sd("feature"), sd("UnionDefaultGraph")),
         ox.Triple(me, N("http://purl.org/dc/terms/title"), L("fupin SPARQL endpoint", language="en")),
         ox.Triple(me, comment, L(
             "Read-only SPARQL 1.1 Protocol endpoint. Without default-graph-uri/named-graph-uri or FROM/FROM "
             "NAMED, the default graph is the union of all named graphs and every named graph is available. "
             f"Queries time out after {settings.timeout:g} s (timeout parameter up to {settings.timeout_max:g} s); "
             f"results are capped at {settings.max_rows} rows / {settings.max_triples} triples "
             f"(header {TRUNCATED_HEADER} when cut). SERVICE is refused unless allow-listed.",
             language="en"))]
    if settings.service_allow:
        t.append(ox.Triple(me, sd("feature"), sd("BasicFederatedQuery")))
    for f in formats.FORMATS:
        t.append(ox.Triple(me, sd("resultFormat"), N(f.w3c)))
    ds = ox.BlankNode("dataset")
    dflt = ox.BlankNode("default")
    t += [ox.Triple(me, sd("defaultDataset"), ds), ox.Triple(ds, rdf_type, sd("Dataset")),
          ox.Triple(ds, sd("defaultGraph"), dflt), ox.Triple(dflt, rdf_type, sd("Graph")),
          ox.Triple(dflt, comment, L("the union of all named graphs", language="en"))]
    try:
        rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g", limit=1000)
    except StoreError:
        rows = []
    for i, r in enumerate(rows):
        if isinstance(r.get("g"), ox.NamedNode):
            b = ox.BlankNode(f"graph{i}")
            t += [ox.Triple(ds, sd("namedGraph"), b), ox.Triple(b, rdf_type, sd("NamedGraph")),
                  ox.Triple(b, sd("name"), r["g"])]
    return t


def _ui(query: str | None) -> Response:
    g.log_extra = " ui"
    ctx = chrome()
    html = render_template("sparql/ui.html", examples=examples_in(ui_lang()), query=query,
                           endpoint=endpoint_url(), title=ctx["ui"]["sparql"],
                           sample_link=sparql_link("SELECT * WHERE { ?s ?p ?o } LIMIT 10"), **ctx)
    return Response(html, 200, headers={"Vary": "Accept, Accept-Language"},
                    content_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- CORS
@bp.after_app_request
def _cors(resp: Response) -> Response:
    """CORS on /sparql, errors included (any origin: the data is public and
    the endpoint read-only, no credentials); a 405 lists the same methods
    as OPTIONS (routing's own list is unordered)."""
    if request.path.rstrip("/") == "/sparql":
        if resp.status_code == 405:
            resp.headers["Allow"] = ALLOWED_METHODS
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, Content-Type, Vary"
        if request.method == "OPTIONS":
            resp.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            asked = request.headers.get("Access-Control-Request-Headers")
            resp.headers["Access-Control-Allow-Headers"] = asked or "Accept, Content-Type"
            resp.headers["Access-Control-Max-Age"] = "86400"
    return resp
