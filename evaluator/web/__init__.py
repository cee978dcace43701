"""The web front door: a Flask app factory, its security settings, and the production server.

``create_app(config=None)`` builds the app from the blueprint modules in :data:`BLUEPRINTS`
(each exposes ``bp``; it may also expose ``OPENAPI_PATHS`` for the API document,
``NAV_LINK = (label, endpoint)`` for the site navigation, ``CSRF_EXEMPT = True`` for a
JSON-only blueprint and ``init_app(app)`` to put its per-app state in ``app.extensions``; a
single view is exempted with ``evaluator.web.csrf.exempt``).
Every response carries a strict Content-Security-Policy (no inline script or style), frame
denial, ``nosniff`` and a same-origin referrer policy; every HTML form is CSRF-protected, its
token valid for ``OPPEVAL_CSRF_TIME_LIMIT`` seconds; the session cookie is ``Secure`` when
``OPPEVAL_SECURE_COOKIES`` is set (behind a TLS proxy); the secret key comes from
``OPPEVAL_SECRET_KEY`` or is generated once into the instance folder (``secret_key``,
readable by its owner only) and reused after a restart. A form, multipart or url-encoded, sends
at most :data:`MAX_FORM_PARTS` inputs. ``serve`` runs the app under waitress, never the debug
server.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from flask import Flask, Request, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from evaluator import ENGINE_VERSION
from evaluator.errors import FieldError, InputError, error_body
from evaluator.resources import data_dir
from evaluator.web.service import PDF_CACHE_BYTES

BLUEPRINTS: list[str] = [
    "evaluator.web.quick",
    "evaluator.web.form",
    "evaluator.web.downloads",
    "evaluator.web.advocates",
    "evaluator.web.api",
    "evaluator.web.batch",
    "evaluator.web.reports",
    "evaluator.web.compare",
]
"""Blueprint modules, registered in this order."""

MAX_CONTENT_LENGTH = 2 * 1024 * 1024
"""Largest request body the web app reads, in bytes (a plan is at most 1 MB)."""

MAX_FORM_PARTS = 4_000
"""Most inputs a form may send, multipart or url-encoded: room for the schema's largest plan
(200 products, 20 of each other list), typed by hand."""

CSRF_TIME_LIMIT = 8 * 3600
"""Seconds a form's CSRF token stays valid (``OPPEVAL_CSRF_TIME_LIMIT`` changes it): a working
day to fill in a form, after which a stolen token is useless."""

_FLAGS = {"1": True, "true": True, "yes": True, "on": True,
          "0": False, "false": False, "no": False, "off": False, "": False}

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

csrf = CSRFProtect()


SECRET_KEY_FILE = "secret_key"
"""The file in the app's instance folder that keeps the generated secret key across restarts."""


def _secret_key(instance_path: str) -> str:
    """``OPPEVAL_SECRET_KEY``, else the key kept in the instance folder (created once, 0600).

    Report links are signed with this key, so it must outlive a restart; a new random key is
    written only when the file does not exist yet (two processes starting together agree: the
    file appears whole, by a hard link, or not at all).
    """
    from_env = os.environ.get("OPPEVAL_SECRET_KEY")
    if from_env:
        return from_env
    folder = Path(instance_path)
    path = folder / SECRET_KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = folder / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process wrote it first: use it
            os.link(draft, path)
    finally:
        draft.unlink()
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text("ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"the secret key file {path} holds fewer than 32 characters; "
                           "delete it to have a new key made, or set OPPEVAL_SECRET_KEY")
    return key


def _flag_setting(name: str, default: bool = False) -> bool:
    """The yes/no environment variable ``name`` (unset: ``default``); anything else is refused."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    if raw.strip().lower() not in _FLAGS:
        raise InputError([FieldError(name, f"{raw!r} is not one of 1, 0, true, false, yes, no",
                                     raw)])
    return _FLAGS[raw.strip().lower()]


def _seconds_setting(name: str, default: int) -> int:
    """The whole number of seconds (above 0) in environment variable ``name``, or ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) > 0):
        raise InputError([FieldError(name, f"{raw!r} is not a whole number of seconds above 0",
                                     raw)])
    return int(raw)


def _bytes_setting(name: str, default: int) -> int:
    """The whole number of bytes (0 or more) in environment variable ``name``, or ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise InputError([FieldError(name, f"{raw!r} is not a whole number of bytes (0 or more)",
                                     raw)])
    return int(raw)


class _FormParser(FormDataParser):
    """Werkzeug's form parser, with ``max_form_parts`` applied to url-encoded bodies as well.

    Werkzeug applies it to multipart bodies only.
    """

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None,
              ) -> tuple[IO[bytes], MultiDict[str, str], MultiDict[str, FileStorage]]:
        """Parse as werkzeug does, but refuse with 413 a url-encoded body of too many inputs.

        Too many is more than ``max_form_parts``, counted by its ``&`` separators, before any is
        decoded.
        """
        if mimetype == "application/x-www-form-urlencoded" and self.max_form_parts is not None:
            data = stream.read()
            if data.count(b"&") + 1 > self.max_form_parts:
                raise RequestEntityTooLarge()
            stream = io.BytesIO(data)
        return super().parse(stream, mimetype, content_length, options)


class _Request(Request):
    """Flask's request, reading forms with :class:`_FormParser`."""

    form_data_parser_class = _FormParser


def blueprint_modules() -> list[ModuleType]:
    """The blueprint modules of :data:`BLUEPRINTS`, imported."""
    return [importlib.import_module(name) for name in BLUEPRINTS]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app; ``config`` overrides settings (tests pass a small simulation)."""
    app = Flask(
        __name__,
        template_folder=str(data_dir("templates")),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.request_class = _Request
    testing = bool((config or {}).get("TESTING"))
    app.config.update(
        SECRET_KEY=(config or {}).get("SECRET_KEY") or _secret_key(app.instance_path),
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_MEMORY_SIZE=MAX_CONTENT_LENGTH,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=_flag_setting("OPPEVAL_SECURE_COOKIES"),
        WTF_CSRF_TIME_LIMIT=_seconds_setting("OPPEVAL_CSRF_TIME_LIMIT", CSRF_TIME_LIMIT),
        OPPEVAL_PDF_CACHE_BYTES=_bytes_setting("OPPEVAL_PDF_CACHE_BYTES", PDF_CACHE_BYTES),
        OPPEVAL_PDF_AHEAD=_flag_setting("OPPEVAL_PDF_AHEAD", default=not testing),
        DEBUG=False,
        OPPEVAL_DEFAULT_OVERRIDES={},
    )
    if config:
        app.config.update(config)
    app.debug = False
    csrf.init_app(app)
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    modules = blueprint_modules()
    for module in modules:
        app.register_blueprint(module.bp)
        if getattr(module, "CSRF_EXEMPT", False):
            csrf.exempt(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.extensions["oppeval_openapi_paths"] = {
        path: spec
        for module in modules
        for path, spec in getattr(module, "OPENAPI_PATHS", {}).items()
    }
    nav_links = [m.NAV_LINK for m in modules if hasattr(m, "NAV_LINK")]
    app.jinja_env.globals.update(engine_version=ENGINE_VERSION, nav_links=nav_links)
    app.after_request(_security_headers)
    from evaluator.web.service import release_memory

    app.teardown_request(release_memory)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def wants_json() -> bool:
    """Whether the request is an API call (errors are JSON there, HTML elsewhere)."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def _http_error(exc: HTTPException) -> tuple[Any, int, list[tuple[str, str]]]:
    code = exc.code or 500
    message = _plain_message(exc)
    # keep what the exception adds (such as a 405's Allow header), not its content type
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return jsonify(error_body([FieldError("", message)])), code, headers
    return render_template("web/error.html", title=exc.name, message=message), code, headers


def _plain_message(exc: HTTPException) -> str:
    if exc.code == 413:
        size = request.content_length
        if size is not None and size <= MAX_CONTENT_LENGTH:
            return (
                f"the form sends more than the limit of {MAX_FORM_PARTS:,} inputs; "
                "upload the plan as a JSON file instead"
            )
        return (
            f"the request is larger than the limit of {MAX_CONTENT_LENGTH // (1024 * 1024)} MB; "
            "a plan file is at most 1 MB"
        )
    if exc.code == 404:
        return "there is no page at this address"
    if exc.code == 405:
        return f"this address does not accept {request.method} requests"
    return str(exc.description or exc.name)


def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return (
        render_template(
            "web/error.html",
            title="The form has expired",
            message=(
                "The form's security token is missing or no longer valid ("
                + str(exc.description).rstrip(".")
                + "). Go back, reload the page and send the form again."
            ),
        ),
        400,
    )


SERVER_THREADS = 32
"""Waitress threads. Heavy work waits for one of a few slots (``service.heavy_work``), so most
threads may be waiting at a busy moment; enough threads remain for the cheap pages to answer
at once. Memory is bounded by the slots, not by the threads."""

CONNECTION_LIMIT = 1000
"""Most connections the server holds open at once (setting ``OPPEVAL_CONNECTION_LIMIT``;
waitress's default, 100, let 110 slow connections make it unreachable); past it, new
connections wait in the listen queue. The server waits on them with ``poll``, which has no
1,024-descriptor ceiling."""

CHANNEL_TIMEOUT = 30
"""Seconds a connection may stay idle (no byte read or written, no request under way) before
the server closes it (setting ``OPPEVAL_CHANNEL_TIMEOUT``; waitress's default is 120)."""

CLEANUP_INTERVAL = 10
"""Seconds between the server's checks for idle connections."""


def serve(host: str = "127.0.0.1", port: int = 8000, threads: int = SERVER_THREADS,
          connection_limit: int | None = None, channel_timeout: int | None = None) -> None:
    """Run the app under waitress (a production WSGI server) until SIGTERM or SIGINT.

    The report library is opened (its schema created or upgraded, expired reports purged), and
    the samples, the bundled rubrics and the whole pipeline are loaded before the first request,
    and each evaluation's Monte-Carlo runs are shared over the cores by worker processes
    (:func:`evaluator.parallel.share_runs_over_cores`), started now. On SIGTERM or SIGINT the
    server stops listening and stops every worker process before it returns; workers also end
    by themselves if the server is killed outright. ``connection_limit`` and ``channel_timeout``
    default to the settings ``OPPEVAL_CONNECTION_LIMIT`` and ``OPPEVAL_CHANNEL_TIMEOUT``, else
    :data:`CONNECTION_LIMIT` and :data:`CHANNEL_TIMEOUT`; a bad setting is an InputError naming it.
    The server and its workers use at most ``service.MALLOC_ARENAS`` malloc arenas
    (``MALLOC_ARENA_MAX``; :func:`evaluator.web.service.limit_malloc_arenas`).
    """
    import signal
    import threading

    from waitress import serve as waitress_serve

    from evaluator import evaluation, parallel, report
    from evaluator.library import LibraryUnavailable
    from evaluator.web import service

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)  # waitress closes its sockets and returns; then the workers stop

    connection_limit = connection_limit or parallel.count_from_env("OPPEVAL_CONNECTION_LIMIT",
                                                                   CONNECTION_LIMIT)
    channel_timeout = channel_timeout or parallel.count_from_env("OPPEVAL_CHANNEL_TIMEOUT",
                                                                 CHANNEL_TIMEOUT)
    service.limit_malloc_arenas()  # before the server's threads and worker processes start
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        app = create_app()
        try:
            app.extensions["oppeval_library"].ensure_ready()  # create or migrate, purge expired
        except LibraryUnavailable as exc:
            print(f"warning: saved reports are unavailable: {exc}", file=sys.stderr, flush=True)
        service.samples()
        service.bundled_rubrics()
        parallel.share_runs_over_cores()
        report.preload()
        del evaluation  # imported now (like the report's charts and PDF) so no visitor waits
        print(f"Opportunity Evaluator listening on http://{host}:{port}/", flush=True)
        waitress_serve(app, host=host, port=port, threads=threads, ident="oppeval",
                       connection_limit=connection_limit, channel_timeout=channel_timeout,
                       cleanup_interval=min(CLEANUP_INTERVAL, channel_timeout),
                       asyncore_use_poll=True)
    finally:
        parallel.stop_workers()
        if main:
            signal.signal(signal.SIGTERM, before)
