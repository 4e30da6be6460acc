"""The response cache's fast path on waitress's loop thread
(``server.httpcache.install``): hits byte-identical to waitress's own
answers, and every request that could differ goes the usual way."""
from __future__ import annotations

import socket
import threading

import pytest
import waitress
from waitress import wasyncore

from fupin.server import httpcache


def _serve(size: int):
    """A waitress server with the cache (``size`` entries) in front of an
    app that marks every answer cacheable: (server, calls)."""
    calls = []

    def app(environ, start_response):
        calls.append((environ["REQUEST_METHOD"], environ.get("HTTP_HOST"), environ["wsgi.url_scheme"]))
        body = f"{environ.get('HTTP_HOST')} {environ['wsgi.url_scheme']} {len(calls)}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                                  ("Vary", "Accept"), (httpcache.CACHEABLE_HEADER, "1")])
        return [body]

    cache = httpcache.ResponseCache(app, lambda: "build", size=size, max_body=1000)
    server = waitress.create_server(cache, host="127.0.0.1", port=0, ident="fupin", trusted_proxy="127.0.0.1",
                                    trusted_proxy_count=1,
                                    trusted_proxy_headers={"x-forwarded-host", "x-forwarded-proto"},
                                    clear_untrusted_proxy_headers=True)
    assert httpcache.install(server, cache) == (size > 0)
    stop = threading.Event()

    def loop():  # server.run() with a way out, so closing never races select()
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    def close():
        stop.set()
        thread.join(5)
        server.close()
    return server, calls, close


@pytest.fixture()
def served():
    server, calls, close = _serve(16)
    yield server.effective_port, calls
    close()


@pytest.fixture()
def served_uncached():
    server, calls, close = _serve(0)
    yield server.effective_port, calls
    close()


def _exchange(port, requests: list[bytes]) -> list[tuple[bytes, bytes]]:
    """Send raw requests on one keep-alive connection (pipelined), read the answers."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"".join(requests))
    out, data = [], b""
    while len(out) < len(requests):
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, _, data = data.partition(b"\r\n\r\n")
        n = int([ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")][0].split(b":")[1])
        while len(data) < n:
            data += s.recv(65536)
        out.append((head, data[:n]))
        data = data[n:]
    s.close()
    return out


def _post(body: bytes, extra: bytes = b"", version: bytes = b"1.1") -> bytes:
    return (b"POST /sparql HTTP/" + version + b"\r\nHost: example.org\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def _no_date(head: bytes) -> bytes:
    return b"\r\n".join(ln for ln in head.split(b"\r\n") if not ln.startswith(b"Date:"))


def test_hit_is_byte_identical(served):
    port, calls = served
    (h1, b1), (h2, b2), (h3, b3) = _exchange(port, [_post(b"query=a"), _post(b"query=a"), _post(b"query=b")])
    assert len(calls) == 2  # the repeat never reached the app
    assert (_no_date(h1), b1) == (_no_date(h2), b2)
    assert b3.endswith(b" 2")


def test_forwarded_and_close_requests_go_the_usual_way(served):
    port, calls = served
    _exchange(port, [_post(b"query=c")])
    (h, b), = _exchange(port, [_post(b"query=c", b"X-Forwarded-Host: other.example\r\n")])
    assert b.startswith(b"other.example ") and len(calls) == 2
    (h, b), = _exchange(port, [_post(b"query=c", b"Connection: close\r\n")])
    assert b"Connection: close" in h and b.startswith(b"example.org ")
    (h, b), = _exchange(port, [_post(b"query=c", b"Connection: keep-alive\r\n", b"1.0")])
    assert b.startswith(b"example.org ")


def _get(path: bytes, method: bytes = b"GET") -> bytes:
    return method + b" " + path + b" HTTP/1.1\r\nHost: example.org\r\n\r\n"


def test_mark_never_reaches_the_client_with_the_cache_disabled(served_uncached):
    # regression: with --cache-size 0 every request went through untouched, mark and all
    port, calls = served_uncached
    answers = _exchange(port, [_post(b"query=a"), _post(b"query=a"), _get(b"/sparql?query=a")])
    assert len(calls) == 3  # nothing kept
    for head, _ in answers:
        assert httpcache.CACHEABLE_HEADER.lower().encode() not in head.lower()
        assert b"Vary: Accept" in head


def test_mark_never_reaches_the_client_on_requests_the_cache_passes_by(served):
    port, calls = served
    big = b"query=" + b"x" * 2000  # longer than max_body: not keyed
    answers = _exchange(port, [_get(b"/other"), _post(big), _get(b"/sparql?query=a", b"DELETE")])
    assert len(calls) == 3
    for head, _ in answers:
        assert httpcache.CACHEABLE_HEADER.lower().encode() not in head.lower()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)  # HEAD: a head and no body
    s.sendall(_get(b"/sparql?query=a", b"HEAD"))
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    s.close()
    assert data.startswith(b"HTTP/1.1 200") and httpcache.CACHEABLE_HEADER.lower().encode() not in data.lower()


def test_serve_with_cache_size_0_sends_no_mark(start_server):
    import urllib.request

    from conftest import FIXTURES

    server = start_server("--data", str(FIXTURES / "karuo-mini.trig"), "--cache-size", "0", "--watch", "0")
    for method in ("GET", "GET", "HEAD"):
        req = urllib.request.Request(server.url + "?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", method=method,
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200
            assert httpcache.CACHEABLE_HEADER not in r.headers
            assert r.headers["Vary"] == "Accept"
