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
"""Set by a view on a response that may be replayed; removed before sending."""


class ResponseCache:
    def __init__(self, app: Callable, build_id: Callable[[], str], *, size: int, max_body: int,
                 max_bytes: int = 64 << 20, path: str = "/sparql"):
        self.app, self.build_id, self.size = app, build_id, size
        self.max_body, self.max_bytes, self.path = max_body, max_bytes, path
        self._d: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (self.size <= 0 or environ.get("PATH_INFO") != self.path or method not in ("GET", "POST")
                or len(environ.get("QUERY_STRING", "")) > MAX_KEY):
            return self.app(environ, start_response)
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return self.app(environ, start_response)
            if length > min(self.max_body, MAX_KEY) or (length == 0 and environ.get("HTTP_TRANSFER_ENCODING")):
                return self.app(environ, start_response)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
        t0 = time.perf_counter()
        key = (method, environ.get("QUERY_STRING", ""), body, environ.get("CONTENT_TYPE", ""),
               environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_HOST", ""),
               environ.get("HTTP_X_FORWARDED_HOST", ""), environ.get("HTTP_X_FORWARDED_PROTO", ""),
               environ.get("wsgi.url_scheme", ""), environ.get("SCRIPT_NAME", ""), self.build_id())
        with self._lock:
            hit = self._d.get(key)
            if hit is not None:
                self._d.move_to_end(key)
        if hit is not None:
            status, headers, data = hit
            start_response(status, headers)
            if access_log.isEnabledFor(logging.INFO):
                qs = environ.get("QUERY_STRING", "")
                path = self.path + ("?" + qs if qs and len(qs) < 200 else "")
                access_log.info("%s %s %s %.1fms %dB cached-response", method, path, status.split()[0],
                                (time.perf_counter() - t0) * 1000, len(data))
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
                    self._d[key] = (status, headers, data)
                    self._bytes += len(data)
                while len(self._d) > self.size or self._bytes > self.max_bytes:
                    _, (_, _, old) = self._d.popitem(last=False)
                    self._bytes -= len(old)
        return [data]
