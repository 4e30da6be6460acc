"""``fupin serve``: the SPARQL endpoint (and, later, the pages) under waitress.

A thin layer: flags → ``ServeSettings`` → ``create_app`` → waitress. Prints
``fupin: serving http://HOST:PORT/sparql`` once listening (``--port 0`` picks
a free port, which that line tells).
"""
from __future__ import annotations

import logging
import signal
import sys

import click


@click.command("serve")
@click.option("--host", default=None, help="Interface to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [5000]; 0 picks a free one.")
@click.option("--timeout", type=float, default=None, help="Default query timeout in seconds [10].")
@click.option("--timeout-max", type=float, default=None, help="Largest per-request timeout parameter [60].")
@click.option("--store", type=click.Path(file_okay=False), default=None,
              help="Keep the Oxigraph store in DIR between runs (reloaded when the build changes).")
@click.option("--data", "data", multiple=True, metavar="FILE[=GRAPH_IRI]",
              help="Serve an RDF file (repeatable); =GRAPH_IRI names the graph of a triple format.")
@click.option("--build-dir", type=click.Path(file_okay=False), default=None,
              help="Where the build is [data/build].")
@click.option("--build/--no-build", "include_build", default=None,
              help="Serve the build too (default: only when no --data is given).")
@click.option("--watch", type=float, default=None,
              help="Seconds between checks for a changed build or --data file [2]; 0 never reloads.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Answer from this SPARQL 1.1 endpoint instead of a local store.")
@click.option("--workers", type=int, default=None, help="Query worker processes [2].")
@click.option("--threads", type=int, default=None, help="HTTP threads [4].")
@click.option("--max-rows", type=int, default=None, help="Cap on SELECT rows [10000].")
@click.option("--max-triples", type=int, default=None, help="Cap on CONSTRUCT/DESCRIBE triples [100000].")
@click.option("--max-body", type=int, default=None, help="Largest request body in bytes [1000000].")
@click.option("--cache-size", type=int, default=None, help="Cached answers [256]; 0 disables the cache.")
@click.option("--allow-service", "service_allow", multiple=True, metavar="URL",
              help="Allow SERVICE calls to this endpoint (repeatable; none by default).")
@click.option("--base-iri", default=None, help="Base IRI of the dataset.")
@click.option("--quiet", is_flag=True, help="No per-request log lines.")
def serve(quiet: bool, **flags) -> None:
    """Serve the graph over the SPARQL 1.1 Protocol at /sparql."""
    import waitress

    from fupin.config import load_serve

    from .app import create_app
    from .loader import SourceError
    from .store import BuildMissing

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if quiet:
        logging.getLogger("fupin.server.access").setLevel(logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    flags["data"] = list(flags["data"]) or None
    flags["service_allow"] = list(flags["service_allow"]) or None
    try:
        settings = load_serve(**flags)
        app = create_app(settings)
    except (BuildMissing, SourceError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    server = waitress.create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                                    max_request_body_size=max(settings.max_body * 4, 1 << 20),
                                    ident="fupin", **_proxy_options(settings.trusted_proxy))
    from .httpcache import install

    install(server, app.extensions["fupin.httpcache"])  # cache hits answered on waitress's loop thread
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    click.echo(f"fupin: serving http://{host}:{server.effective_port}/sparql", err=False)
    sys.stdout.flush()

    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    # stop cleanly (workers, temporary store) on SIGTERM and on SIGINT, even
    # when started in the background, where SIGINT is ignored by default
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["fupin.store"].close()


def _proxy_options(trusted: str | None) -> dict:
    if not trusted:
        return {}
    return {"trusted_proxy": trusted, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-host", "x-forwarded-proto", "x-forwarded-for"},
            "clear_untrusted_proxy_headers": True}
