"""Query workers: processes that each open the on-disk store read-only and
answer one query at a time; the parent kills a worker whose query passes its
deadline and starts a fresh one.

pyoxigraph cannot cancel a running query and ignores signals while it runs,
so isolation in a process is the only real stop. Each worker is a plain
``python -m fupin.server.worker FD STORE`` subprocess talking over a Unix
socket pair (no multiprocessing start-method magic: safe with the server's
threads, never re-imports the caller's ``__main__``).

Protocol on the socket: pickled messages, each preceded by its length (8
bytes, big-endian). The worker sends ``("ready", pid)`` once the store is
open (or ``("fatal", message)``), then answers each job dict with
``("ok", body, count, truncated, form, format)``, ``("syntax", message)`` or
``("error", message)``. The parent reads an answer with the deadline as the
socket's timeout (one poll inside each ``recv``, no selector per call).
"""
from __future__ import annotations

import logging
import os
import pickle
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("fupin.server")


class QueryTimeout(Exception):
    """The query ran past its deadline; its worker was killed."""

    def __init__(self, timeout: float, pid: int | None):
        self.timeout, self.pid = timeout, pid
        super().__init__(f"the query ran longer than {timeout:g} s and was stopped")


class WorkerFailure(Exception):
    """A worker died or could not start."""


_HEAD = struct.Struct("!Q")


class _Deadline(Exception):
    pass


class _Conn:
    """One end of the socket pair: length-prefixed pickles."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def send(self, obj) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) < 65536:
            self.sock.sendall(_HEAD.pack(len(data)) + data)
        else:
            self.sock.sendall(_HEAD.pack(len(data)))
            self.sock.sendall(data)

    def recv(self, deadline: float | None = None):
        """The next message; ``_Deadline`` past ``deadline`` (monotonic),
        ``EOFError`` when the other end is gone."""
        buf = self._read(65536, deadline, exact=False)
        n = _HEAD.unpack_from(buf)[0]
        if len(buf) - 8 < n:
            buf += self._read(n - (len(buf) - 8), deadline, exact=True)
        return pickle.loads(memoryview(buf)[8:8 + n])

    def _read(self, n: int, deadline: float | None, exact: bool) -> bytes:
        out = bytearray()
        while True:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Deadline
                self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(n - len(out) if exact else n)
            except socket.timeout:
                raise _Deadline from None
            if not chunk:
                raise EOFError("the worker closed its socket")
            out += chunk
            if (len(out) >= n) if exact else (len(out) >= 8):
                return bytes(out)

    def close(self) -> None:
        self.sock.close()


def _serve(conn: _Conn, store_path: str) -> None:
    """Worker main loop (runs in the child)."""
    try:
        import pyoxigraph as ox

        from fupin.graph import formats
        from fupin.server.results import encode

        store = ox.Store.read_only(store_path)
    except BaseException as e:  # noqa: BLE001 - report anything to the parent
        conn.send(("fatal", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            return
        if job is None:
            return
        try:
            kw: dict[str, Any] = {}
            if job.get("base_iri"):
                kw["base_iri"] = job["base_iri"]
            if job.get("default_graph") is not None:
                kw["default_graph"] = [ox.NamedNode(g) for g in job["default_graph"]]
            if job.get("named_graphs") is not None:
                kw["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
            result = store.query(job["query"], **kw)
            if isinstance(result, ox.QueryBoolean):
                form = "ASK"
            elif isinstance(result, ox.QuerySolutions):
                form = "SELECT"
            else:
                form = "CONSTRUCT"
            fmt = formats.by_name(job["format"]) if job.get("format") else None
            if fmt is None or fmt not in formats.for_query_form(form):
                fmt = formats.for_query_form(form)[0]
            limit = job["limit_rows"] if form == "SELECT" else job["limit_triples"]
            enc = encode(result, fmt, limit)
            conn.send(("ok", enc.body, enc.count, enc.truncated, form, fmt.name))
        except SyntaxError as e:
            conn.send(("syntax", str(e)))
        except BaseException as e:  # noqa: BLE001
            conn.send(("error", f"{type(e).__name__}: {e}"))


@dataclass
class _Worker:
    proc: Any
    conn: Any
    pid: int


class WorkerPool:
    """``size`` worker processes over the store at ``store_path``.

    ``run(job, timeout)`` waits for an idle worker and for its answer, both
    within ``timeout`` seconds; past it the worker is killed (SIGKILL) and a
    replacement starts in the background, and ``QueryTimeout`` is raised.
    """

    def __init__(self, store_path: str, size: int = 2, start_timeout: float = 60.0):
        self.store_path = str(store_path)
        self.size = max(1, int(size))
        self.start_timeout = start_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: dict[int, _Worker] = {}
        self._closed = False
        threads = [threading.Thread(target=self._add) for _ in range(self.size)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self._idle.qsize() == 0:
            raise WorkerFailure(self._last_error or "no query worker could start")

    _last_error: str | None = None

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return sorted(self._workers)

    def _add(self) -> None:
        ps, cs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        parent = _Conn(ps)
        fd = cs.fileno()
        proc = subprocess.Popen([sys.executable, "-m", "fupin.server.worker", str(fd), self.store_path],
                                pass_fds=[fd], stdin=subprocess.DEVNULL, close_fds=True)
        cs.close()
        try:
            try:
                msg = parent.recv(time.monotonic() + self.start_timeout)
            except _Deadline:
                raise WorkerFailure("query worker did not start in time") from None
            if msg[0] != "ready":
                raise WorkerFailure(f"query worker failed: {msg[1]}")
        except (WorkerFailure, EOFError, OSError, pickle.UnpicklingError) as e:
            self._last_error = str(e)
            log.error("%s", e)
            proc.kill()
            proc.wait()
            return
        w = _Worker(proc, parent, msg[1])
        with self._lock:
            if self._closed:
                self._stop(w)
                return
            self._workers[w.pid] = w
        self._idle.put(w)

    def _stop(self, w: _Worker) -> None:
        try:
            w.proc.kill()
            w.proc.wait(5)
        finally:
            w.conn.close()

    def _replace(self, w: _Worker) -> None:
        with self._lock:
            self._workers.pop(w.pid, None)
        self._stop(w)
        if not self._closed:
            threading.Thread(target=self._add, daemon=True).start()

    def run(self, job: dict, timeout: float) -> tuple:
        """Run one job; returns the worker's reply tuple.

        Raises ``QueryTimeout`` (deadline passed, waiting or running) and
        ``WorkerFailure`` (the worker died).
        """
        deadline = time.monotonic() + timeout
        try:
            w = self._idle.get(timeout=max(0.0, timeout))
        except queue.Empty:
            raise QueryTimeout(timeout, None) from None
        try:
            if deadline <= time.monotonic():
                raise _Deadline
            w.conn.sock.settimeout(max(0.001, deadline - time.monotonic()))
            w.conn.send(job)
            reply = w.conn.recv(deadline)
        except (_Deadline, socket.timeout):
            log.warning("query passed its %g s deadline; killing worker %d", timeout, w.pid)
            self._replace(w)
            raise QueryTimeout(timeout, w.pid) from None
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            self._replace(w)
            raise WorkerFailure(f"query worker {w.pid} died: {e}") from None
        self._idle.put(w)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for w in workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in workers:
            try:
                w.proc.wait(2)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
            w.conn.close()


def main(argv: list[str]) -> None:
    """Entry point of a worker subprocess: ``FD STORE_PATH``."""
    _serve(_Conn(socket.socket(fileno=int(argv[0]))), argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
