"""Shared fixtures. Expensive things (the Karuo build) are session-scoped."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parent.parent
KARUO_REPORT = ROOT / "data" / "reports" / "karuo-2021-04-06.txt"


@pytest.fixture(scope="session")
def karuo_build(tmp_path_factory):
    """The Karuo sheet built (with HermiT) into a temporary folder.
    Returns ``(built, out_dir)``."""
    from fupin.config import load_build
    from fupin.graph.build import build

    out = tmp_path_factory.mktemp("karuo") / "build"
    settings = load_build(build_dir=out)
    return build(settings), out


@pytest.fixture(scope="session")
def karuo_dataset(karuo_build) -> Dataset:
    """The build's N-Quads, parsed back: every named graph."""
    ds = Dataset()
    ds.parse(karuo_build[1] / "fupin.nq", format="nquads")
    return ds


# ---------------------------------------------------------------- servers
import os
import shutil
import signal
import subprocess
import sys
import time

W3C_DIR = ROOT / "tests" / "w3c"
FIXTURES = ROOT / "tests" / "fixtures"
KASEI = "http://kasei.us/2009/09/sparql/data/"
W3C_DATA = [f"{W3C_DIR / f'data{i}.nt'}={KASEI}data{i}.rdf" for i in (1, 2, 3)]
"""``--data`` arguments loading the W3C protocol tests' graphs under their names."""


def fupin_command() -> list[str]:
    """How to run the ``fupin`` command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("fupin")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from fupin.cli import main; main()"]


class ServerProcess:
    """A real ``fupin serve`` on an ephemeral port, as a subprocess.

    ``url`` is the endpoint (``http://127.0.0.1:PORT/sparql``), ``base`` the
    server root, ``log`` the file collecting its stderr (one line per
    request). Use as a context manager or call ``stop()``.
    """

    def __init__(self, *args: str, log_dir: Path, env: dict | None = None, timeout: float = 60):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = log_dir / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log_fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            [*fupin_command(), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=self._log_fh, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, cwd=ROOT, start_new_session=True)
        line = self._read_line(timeout)
        if "serving" not in line:
            self.stop()
            raise RuntimeError(f"fupin serve did not start: {line!r}\n{self.log.read_text()}")
        self.url = line.split()[-1]
        self.base = self.url.rsplit("/sparql", 1)[0]
        self.port = int(self.base.rsplit(":", 1)[1])

    def _read_line(self, timeout: float) -> str:
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return ""
        return self.proc.stdout.readline().decode("utf-8", "replace").strip()

    def log_text(self) -> str:
        if not self._log_fh.closed:
            self._log_fh.flush()
        return self.log.read_text("utf-8", "replace")

    def stop(self) -> None:
        if self._log_fh.closed:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log_fh.close()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """Factory: ``start_server(*serve_args)`` → a running ``ServerProcess``,
    stopped at the end of the session."""
    started: list[ServerProcess] = []
    log_dir = tmp_path_factory.mktemp("server-logs")

    def start(*args: str, env: dict | None = None) -> ServerProcess:
        s = ServerProcess(*args, log_dir=log_dir, env=env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def sparql_server(start_server) -> ServerProcess:
    """One server for the protocol tests: the W3C graphs plus
    ``fixtures/karuo-mini.trig``, small caps (50 rows/triples, 20 kB bodies)
    and timeouts (5 s default, 10 s max)."""
    return start_server(*[a for d in W3C_DATA for a in ("--data", d)],
                        "--data", str(FIXTURES / "karuo-mini.trig"),
                        "--max-rows", "50", "--max-triples", "50", "--max-body", "20000",
                        "--timeout", "5", "--timeout-max", "10", "--workers", "2")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, or skip."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("chromium is not installed")
    return path


CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
