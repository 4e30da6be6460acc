"""A response cache in front of the app for repeated identical requests to
``/sparql`` (dashboards and pages ask the same queries again and again).

WSGI middleware: the key is the whole request as far as it can change the
answer (method, query string, body, Content-Type, Accept, host and forwarded
host/scheme) plus the store's build id, so a rebuild drops every entry. Only
responses the view marks cacheable (200 answers to queries and the service
description) are kept; a hit is answered without entering Flask, with its
own log line. Bounded by entries and bytes (LRU).
"""
from __future__ import annotations

import io
import logging
import threading
import time
from collections import OrderedDict
from typing import Callable

access_log = logging.getLogger("fupin.server.access")

MAX_KEY = 65536
"""Requests with longer bodies or query strings bypass the cache (keys are kept too)."""

CACHEABLE_HEADER = "X-Fupin-Cacheable"
"""Set by a view on a response that may be replayed; removed here from every
answer, kept or not, so it never reaches a client."""


class ResponseCache:
    def __init__(self, app: Callable, build_id: Callable[[], str], *, size: int, max_body: int,
                 max_bytes: int = 64 << 20, path: str = "/sparql"):
        self.app, self.build_id, self.size = app, build_id, size
        self.max_body, self.max_bytes, self.path = max_body, max_bytes, path
        self._d: OrderedDict[tuple, tuple[str, list, bytes, tuple[bytes, bytes]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def key(self, environ, body: bytes) -> tuple:
        """The cache key of a request (its WSGI environ and body)."""
        return (environ.get("REQUEST_METHOD"), environ.get("QUERY_STRING", ""), body,
                environ.get("CONTENT_TYPE", ""), environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_HOST", ""),
                environ.get("HTTP_X_FORWARDED_HOST", ""), environ.get("HTTP_X_FORWARDED_PROTO", ""),
                environ.get("wsgi.url_scheme", ""), environ.get("SCRIPT_NAME", ""), self.build_id())

    def get(self, key: tuple):
        """The cached ``(status, headers, body, rendered)`` for ``key``, or None."""
        with self._lock:
            hit = self._d.get(key)
            if hit is not None:
                self._d.move_to_end(key)
        return hit

    def log_hit(self, method: str, qs: str, status: str, t0: float, size: int) -> None:
        if access_log.isEnabledFor(logging.INFO):
            path = self.path + ("?" + qs if qs and len(qs) < 200 else "")
            access_log.info("%s %s %s %.1fms %dB cached-response", method, path, status.split()[0],
                            (time.perf_counter() - t0) * 1000, size)

    def _through(self, environ, start_response):
        """Pass a request the cache does not keep to the app, still removing
        the internal mark from its answer (cache disabled, other paths, HEAD,
        bodies too large to key)."""

        def strip(status, headers, exc_info=None):
            return start_response(status, [h for h in headers if h[0] != CACHEABLE_HEADER], exc_info)

        return self.app(environ, strip)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (self.size <= 0 or environ.get("PATH_INFO") != self.path or method not in ("GET", "POST")
                or len(environ.get("QUERY_STRING", "")) > MAX_KEY):
            return self._through(environ, start_response)
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return self._through(environ, start_response)
            if length > min(self.max_body, MAX_KEY) or (length == 0 and environ.get("HTTP_TRANSFER_ENCODING")):
                return self._through(environ, start_response)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
        t0 = time.perf_counter()
        key = self.key(environ, body)
        hit = self.get(key)
        if hit is not None:
            status, headers, data = hit[0], hit[1], hit[2]
            start_response(status, headers)
            self.log_hit(method, environ.get("QUERY_STRING", ""), status, t0, len(data))
            return [data]
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # the app returns its body; nothing writes

        result = self.app(environ, capture)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        status, headers = captured["status"], captured["headers"]
        cacheable = any(h[0] == CACHEABLE_HEADER for h in headers)
        headers = [h for h in headers if h[0] != CACHEABLE_HEADER]
        start_response(status, headers)
        if cacheable and status.startswith("200") and len(data) <= self.max_bytes // 8:
            with self._lock:
                if key not in self._d:
                    self._d[key] = (status, headers, data, _render_head(status, headers, len(data)))
                    self._bytes += len(data)
                while len(self._d) > self.size or self._bytes > self.max_bytes:
                    _, (_, _, old, _) = self._d.popitem(last=False)
                    self._bytes -= len(old)
        return [data]


# ---------------------------------------------------------------- waitress fast path
IDENT = "fupin"
"""The Server header (waitress's ``ident``), set by ``install``."""


def _render_head(status: str, headers: list, length: int) -> tuple[bytes, bytes]:
    """The HTTP/1.1 response head waitress would write for a keep-alive
    answer, split where its Date header goes: (before, after)."""
    hs = [("-".join(x.capitalize() for x in k.split("-")), v) for k, v in headers]
    names = {k for k, _ in hs}
    if "Content-Length" not in names:
        hs.append(("Content-Length", str(length)))
    hs.append(("Via", IDENT) if "Server" in names else ("Server", IDENT))
    hs.append(("Date", "\0"))
    lines = [f"HTTP/1.1 {status}"] + ["%s: %s" % hv for hv in sorted(hs, key=lambda x: x[0])]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    before, after = head.split(b"\0", 1)
    return before, after


_date = [0, b""]


def _http_date() -> bytes:
    now = int(time.time())
    if _date[0] != now:
        from waitress.utilities import build_http_date

        _date[1] = build_http_date(now).encode("latin-1")
        _date[0] = now
    return _date[1]


def install(server, cache: ResponseCache) -> bool:
    """Let waitress answer cache hits on its event-loop thread, before any
    task is queued: no hand-off to a worker thread, no WSGI environ, no
    Flask. Only plain keep-alive HTTP/1.1 requests (no Expect, no
    ``Connection: close``, no chunked body, no URL prefix, no proxy header
    such as X-Forwarded-Host, which waitress's proxy middleware would read)
    take this path; everything else, and every miss, goes the usual way.
    Returns whether the fast path was installed."""
    from waitress.server import BaseWSGIServer

    if not isinstance(server, BaseWSGIServer) or cache.size <= 0 or server.adj.url_prefix:
        return False
    global IDENT
    IDENT = server.adj.ident or "waitress"
    local = threading.local()
    base_channel = server.channel_class

    class Channel(base_channel):
        def received(self, data):
            local.channel = self  # add_task below runs inside this call, on the loop thread
            try:
                return super().received(data)
            finally:
                local.channel = None

    queue_task = server.add_task

    def add_task(channel):
        if getattr(local, "channel", None) is channel and _answer(channel, cache):
            return
        queue_task(channel)

    server.channel_class = Channel
    server.add_task = add_task
    return True


_PROXY_HEADERS = frozenset({"X_FORWARDED_FOR", "X_FORWARDED_HOST", "X_FORWARDED_PROTO", "X_FORWARDED_PORT",
                            "X_FORWARDED_BY", "FORWARDED"})
"""Request headers (waitress's spelling) that its proxy middleware may translate or clear."""


def _answer(ch, cache: ResponseCache) -> bool:
    """Answer ``ch``'s single pending request from the cache if it can;
    called with ``ch.requests_lock`` held and no task running."""
    if len(ch.requests) != 1:
        return False
    req = ch.requests[0]
    method = req.command.upper()
    if (req.error or req.version != "1.1" or req.expect_continue or req.chunked
            or method not in ("GET", "POST")):
        return False
    h = req.headers
    if h.get("CONNECTION", "").lower() == "close" or not _PROXY_HEADERS.isdisjoint(h):
        return False
    path = req.path
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if path != cache.path or len(req.query) > MAX_KEY:
        return False
    body = b""
    if method == "POST":
        n = req.content_length
        if n > min(cache.max_body, MAX_KEY):
            return False
        if n:
            body = req.body_rcv.getbuf().get()  # not consumed: a miss still reads it
            if len(body) != n:
                return False
    t0 = time.perf_counter()
    env = {"REQUEST_METHOD": method, "QUERY_STRING": req.query, "wsgi.url_scheme": req.url_scheme,
           "SCRIPT_NAME": ""}
    for name, var in (("CONTENT_TYPE", "CONTENT_TYPE"), ("ACCEPT", "HTTP_ACCEPT"), ("HOST", "HTTP_HOST")):
        if name in h:
            env[var] = h[name]
    hit = cache.get(cache.key(env, body))
    if hit is None:
        return False
    status, _, data, (before, after) = hit
    out = b"".join((before, _http_date(), after, data))
    with ch.outbuf_lock:
        if ch.current_outbuf_count >= ch.adj.outbuf_high_watermark:
            from waitress.buffers import OverflowableBuffer

            ch.outbufs.append(OverflowableBuffer(ch.adj.outbuf_overflow))
            ch.current_outbuf_count = 0
        ch.outbufs[-1].append(out)
        ch.current_outbuf_count += len(out)
        ch.total_outbufs_len += len(out)
        ch.requests.pop(0)
        req.close()
        ch._flush_exception(ch._flush_some)
    ch.last_activity = time.time()
    cache.log_hit(method, req.query, status, t0, len(data))
    return True
