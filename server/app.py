"""The Flask application factory.

``create_app(settings, test_config)`` opens the store facade once (kept in
``app.extensions["fupin.store"]``), registers the blueprints (``sparql`` now;
linked-data pages and site pages register beside it), and adds what every
response shares: one log line per request, plain-text errors that never show
a traceback.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from fupin.config import ServeSettings, load_serve

from .store import GraphStore, open_store

access_log = logging.getLogger("fupin.server.access")
log = logging.getLogger("fupin.server")


def create_app(settings: ServeSettings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app.

    ``settings``: serve settings (default: ``load_serve()``). ``test_config``:
    Flask config overrides applied last; the key ``STORE`` may hold a ready
    ``GraphStore`` (tests, embedding), else one is opened from ``settings``.
    """
    settings = settings or load_serve()
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body,
        JSON_AS_ASCII=False,
        FUPIN_SETTINGS=settings,
    )
    if test_config:
        app.config.update(test_config)
    store: GraphStore = app.config.pop("STORE", None) or open_store(settings)
    app.extensions["fupin.store"] = store
    app.extensions["fupin.settings"] = settings

    from . import sparql

    app.register_blueprint(sparql.bp)

    from .httpcache import ResponseCache

    app.wsgi_app = app.extensions["fupin.httpcache"] = ResponseCache(
        app.wsgi_app, lambda: store.build_id, size=settings.cache_size, max_body=settings.max_body)
    from . import pages, site  # linked-data and site pages (issue 4)
    app.register_blueprint(pages.bp); app.register_blueprint(site.bp)

    @app.before_request
    def _start() -> None:
        g.t0 = time.perf_counter()

    @app.after_request
    def _log(resp: Response) -> Response:
        if not access_log.isEnabledFor(logging.INFO):
            return resp
        ms = (time.perf_counter() - g.get("t0", time.perf_counter())) * 1000
        extra = g.get("log_extra", "")
        size = resp.calculate_content_length()
        access_log.info("%s %s %d %.1fms %sB%s", request.method, request.full_path.rstrip("?")
                        if len(request.full_path) < 200 else request.path, resp.status_code, ms,
                        "-" if size is None else size, extra)
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException) -> Response:
        resp = e.get_response()
        resp.set_data(f"{e.code} {e.name}: {e.description}\n")
        resp.mimetype = "text/plain"
        resp.charset = "utf-8"
        return resp

    @app.errorhandler(Exception)
    def _crash(e: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.path)
        return Response("500 Internal Server Error: the server failed to answer; the error is logged\n",
                        500, mimetype="text/plain")

    return app
