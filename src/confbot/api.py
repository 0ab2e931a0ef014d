"""The HTTP API: OpenAI's chat format (``GET /v1/models``, ``POST /v1/chat/completions``) and, with
``mcp=True``, an MCP server at ``/mcp`` with the tools ``ask`` and ``retrieve``.

:func:`create_api` builds a FastAPI app; :func:`confbot.server.build_app` mounts the Gradio app on
it, so one server serves both. Only :class:`~confbot.service.Service` and :mod:`confbot.render` are
used: no Gradio, no CLI, no store. Invariants:

* every ``/v1`` and ``/mcp`` request passes :class:`Guard` first (rate, key, size), in that order, so a
  client guessing keys is slowed down too;
* a request that fails is an OpenAI error JSON with a status a client can act on (400 bad request or
  confbot error, 401 key, 404 model, 413 size, 429 rate, 500 anything else, logged), never a traceback;
* a streamed answer is ``data:`` events of ``chat.completion.chunk`` and ends with ``data: [DONE]``.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confbot.errors import ConfbotError, InputError
from confbot.records import Answer
from confbot.render import openai_chunk, openai_completion, openai_error, openai_final_chunk, sse
from confbot.service import Service
from confbot.settings import Settings

log = logging.getLogger(__name__)

#: the one model this API serves
MODEL = "confbot"
#: paths the guard protects (the Gradio app beside them has its own limits)
GUARDED = ("/v1/", "/mcp")
#: client addresses the rate limiter remembers (least recently seen dropped first; ~100 bytes each)
MAX_CLIENTS = 10_000


class ApiError(Exception):
    """A request the API refuses: HTTP status, OpenAI error type and message."""

    def __init__(
        self, status: int, kind: str, message: str, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.code, self.headers = status, kind, code, headers

    def response(self) -> JSONResponse:
        return JSONResponse(openai_error(str(self), self.kind, self.code), self.status, headers=self.headers)


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests in a burst, refilled at ``per_minute`` a minute."""

    def __init__(self, per_minute: int, max_clients: int = MAX_CLIENTS) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, last time)
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        if self.capacity <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            ok = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if ok else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return ok


class Guard:
    """ASGI middleware for the API's paths: rate (429), bearer key (401), body size (413).

    The body of a guarded POST is read here, up to the limit, and handed on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.api_max_request_bytes
        key = settings.api_key.get_secret_value() if settings.api_key is not None else ""
        self.key = key.encode() or None
        self.rate = RateLimiter(settings.api_requests_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(GUARDED):
            await self.app(scope, receive, send)
            return
        try:
            self.check(scope)
            receive = await self.read_body(scope, receive)
        except ApiError as exc:
            await exc.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> None:
        client = scope.get("client")
        if not self.rate.allow(client[0] if client else "?"):
            per_minute = int(self.rate.capacity)
            wait = str(math.ceil(60 / per_minute))  # one token comes back in this many seconds
            raise ApiError(
                429,
                "rate_limit_error",
                f"over {per_minute} requests a minute; retry in {wait} s.",
                headers={"Retry-After": wait},
            )
        headers = dict(scope.get("headers") or [])
        if self.key is not None:
            scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self.key):
                raise ApiError(
                    401,
                    "authentication_error",
                    "missing or wrong API key: send Authorization: Bearer <CONFBOT_API_KEY>.",
                )
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            raise self.too_large()

    async def read_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read a POST body (at most ``limit`` bytes, whatever Content-Length says) and replay it."""
        if scope.get("method") != "POST":
            return receive
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return receive
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                raise self.too_large()
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def too_large(self) -> ApiError:
        return ApiError(413, "invalid_request_error", f"request over {self.limit} bytes; send a shorter conversation.")


# ---------------------------------------------------------------- the request
def _text(content: Any) -> str:
    """A message's content as text: a string, or OpenAI's list of parts (text parts joined)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def parse_request(raw: bytes) -> tuple[str, list[dict[str, str]], bool]:
    """``(question, history, stream)`` from a chat-completions body; :class:`ApiError` 400/404 when unusable.

    The last user message is the question; the user and assistant messages before it are the history;
    system, developer and tool messages are ignored.
    """
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_request_error", f"the body is not JSON ({exc}).") from exc
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise ApiError(400, "invalid_request_error", 'send a JSON object with "messages": [{"role", "content"}, ...].')
    model = body.get("model") or MODEL
    if model != MODEL:
        raise ApiError(404, "invalid_request_error", f'no model "{model}": use "{MODEL}".', "model_not_found")
    turns = [
        {"role": m["role"], "content": _text(m.get("content"))}
        for m in body["messages"]
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]
    last = max((i for i, t in enumerate(turns) if t["role"] == "user"), default=None)
    if last is None or not turns[last]["content"].strip():
        raise ApiError(400, "invalid_request_error", "no user message: the last user message is the question.")
    return turns[last]["content"], turns[:last], body.get("stream") is True


# ---------------------------------------------------------------- the app
def create_api(service: Service, *, mcp: bool = False, host: str = "127.0.0.1") -> FastAPI:
    """The API over ``service`` (no server is started): ``/v1`` routes, and ``/mcp`` when ``mcp``."""
    mcp_server = None
    if mcp:
        from confbot.mcp_tools import create_mcp

        mcp_server = create_mcp(service, host)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp_server.session_manager.run() if mcp_server is not None else contextlib.nullcontext():
            yield

    app = FastAPI(title="confbot API", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(Guard, settings=service.settings)
    if mcp_server is not None:
        app.router.routes.extend(mcp_server.streamable_http_app().routes)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(ConfbotError)
    async def confbot_error(_: Request, exc: ConfbotError) -> JSONResponse:
        return ApiError(400, "invalid_request_error", str(exc)).response()

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:  # 404, 405 from routing
        return ApiError(exc.status_code, "invalid_request_error", str(exc.detail)).response()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "confbot"}]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> JSONResponse | StreamingResponse:
        question, history, stream = parse_request(await request.body())
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not stream:
            answer = await _run(service.ask, question, history)
            return JSONResponse(openai_completion(answer, MODEL, created, completion_id))
        items = service.stream(question, history)
        first = await _run(next, items)  # a bad question fails here, as a 400, before any event
        events = _events(first, items, completion_id, created)
        return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return app


async def _run(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a worker thread; a failure that is not a :class:`ConfbotError` becomes a 500 error JSON
    (handled here, not by Starlette's last-resort handler, which re-raises and drops the connection)."""
    try:
        return await run_in_threadpool(fn, *args)
    except ConfbotError:
        raise
    except Exception as exc:
        log.exception("the API failed")
        raise ApiError(500, "server_error", f"confbot failed ({type(exc).__name__}); see the server's log.") from exc


def _events(first: str | Answer, items: Iterator[str | Answer], completion_id: str, created: int) -> Iterator[str]:
    """The server-sent events of one answer (run in a worker thread by Starlette)."""
    yield sse(openai_chunk(completion_id, MODEL, created, {"role": "assistant", "content": ""}))
    streamed = ""
    try:
        for item in _chain(first, items):
            if isinstance(item, str):
                streamed += item
                yield sse(openai_chunk(completion_id, MODEL, created, {"content": item}))
            else:
                yield sse(openai_final_chunk(item, streamed, completion_id, MODEL, created))
    except ConfbotError as exc:  # after the first event: the error travels as an event
        kind = "invalid_request_error" if isinstance(exc, InputError) else "server_error"
        yield sse(openai_error(str(exc), kind))
    except Exception as exc:
        log.exception("a streamed answer failed")
        yield sse(openai_error(f"confbot failed ({type(exc).__name__}); see the server's log.", "server_error"))
    yield sse("[DONE]")


def _chain(first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str | Answer]:
    yield first
    yield from rest
