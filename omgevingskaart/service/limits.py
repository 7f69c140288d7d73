"""Request limits as ASGI middleware: body size (413), failed-key rate (429), security headers.

* A request whose ``Content-Length`` exceeds the limit is refused before the application sees its
  body. Bodies without a length (chunked transfer) are read up to the limit and refused as soon as
  they pass it, so the service never holds more than ``max_body_bytes`` of one request in memory.
  The body read here is replayed to the application unchanged.
* Before answering a refusal the rest of the request body is read and discarded (up to
  :data:`DRAIN_LIMIT_BYTES` and :data:`DRAIN_SECONDS`). Closing a connection while the client is
  still sending makes the kernel answer with a TCP reset, which destroys the 413 on its way: the
  client saw "connection reset" instead of the answer. A drained connection stays open for the
  next request; only a body beyond the drain bounds still gets ``Connection: close``.
* :class:`AuthFailureLimiter`: a client (IP address) that keeps sending invalid API keys gets 429
  with ``Retry-After`` for requests carrying a key, before any key is checked; requests without a
  key (public data) are still served. A token bucket per client: :data:`AUTH_FAILURES` failures,
  refilled over :data:`AUTH_WINDOW_SECONDS` (``OMGEVINGSKAART_AUTH_FAILURES`` overrides the
  number). The counts live in each worker process.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1_000_000
#: read (and discard) at most this much of a refused body, for at most this long, before answering
DRAIN_LIMIT_BYTES = 128 * 1024 * 1024
DRAIN_SECONDS = 10.0
AUTH_FAILURES = 10
AUTH_WINDOW_SECONDS = 60.0
AUTH_ENV = "OMGEVINGSKAART_AUTH_FAILURES"
_MAX_CLIENTS = 10_000
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


async def _drain(receive: Receive, *, more: bool = True) -> bool:
    """Read and discard the rest of the request body; True when it all arrived in the bounds."""
    if not more:
        return True
    size = 0
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            message = await asyncio.wait_for(receive(), timeout=left)
        except TimeoutError:
            return False
        if message["type"] == "http.disconnect":
            return False
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
        if size > DRAIN_LIMIT_BYTES:
            return False


def _expects_continue(scope: Scope) -> bool:
    return any(n == b"expect" and v.lower() == b"100-continue" for n, v in scope.get("headers", []))


async def refuse(scope: Scope, send: Send, receive: Receive, status: int, code: str, message: str, *,
                 headers: Sequence[tuple[bytes, bytes]] = (), body_pending: bool = True) -> None:
    """Answer ``status`` with the service's JSON error body after draining the request body.

    A client that sent ``Expect: 100-continue`` (curl does for large bodies) has not sent its body
    yet and will not once it sees the answer: it is answered at once, without the ``100 Continue``
    that reading would trigger, and the connection is closed.
    """
    if body_pending and _expects_continue(scope):
        drained = False
    else:
        drained = await _drain(receive, more=body_pending)
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            *headers, *_SECURITY_HEADERS]
    if not drained:
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        self.app = app
        self.max = int(max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_SECURITY_HEADERS]}
            await send(message)

        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
                break
        limit_text = f"the request body is larger than the limit of {self.max} bytes"
        if length is not None and length > self.max:
            await refuse(scope, send, receive, 413, "payload_too_large", f"{limit_text} (Content-Length {length})")
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send_with_headers)
            return

        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > self.max:
                await refuse(scope, send, receive, 413, "payload_too_large", limit_text, body_pending=more)
                return
            chunks.append(chunk)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)


class AuthFailureLimiter:
    """Failed-authentication budget per client: a token bucket of ``failures`` refilled over
    ``window`` seconds; thread-safe, at most ``max_clients`` clients remembered (oldest dropped).

    >>> clock = [0.0]
    >>> lim = AuthFailureLimiter(failures=2, window=60, clock=lambda: clock[0])
    >>> lim.record_failure("10.0.0.1"); lim.record_failure("10.0.0.1")
    >>> round(lim.retry_after("10.0.0.1"))     # the budget is spent: wait for one token
    30
    >>> clock[0] = 30.0
    >>> lim.retry_after("10.0.0.1"), lim.retry_after("10.0.0.2")
    (0.0, 0.0)
    """

    def __init__(self, failures: int | None = None, window: float = AUTH_WINDOW_SECONDS, *,
                 max_clients: int = _MAX_CLIENTS, clock: Callable[[], float] = time.monotonic):
        if failures is None:
            env = os.environ.get(AUTH_ENV, "").strip()
            failures = int(env) if env.isdigit() and int(env) > 0 else AUTH_FAILURES
        self.capacity = float(failures)
        self.rate = failures / window
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, then = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - then) * self.rate)

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try a key again (0.0: now)."""
        with self._lock:
            if client not in self._buckets:
                return 0.0
            tokens = self._tokens(client, self.clock())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def record_failure(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._buckets[client] = (self._tokens(client, now) - 1.0, now)
            self._buckets.move_to_end(client)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)


def client_of(scope: Scope) -> str:
    """The client's address as uvicorn reports it (the proxy's, behind a reverse proxy)."""
    client = scope.get("client")
    return str(client[0]) if client else "?"


class AuthRateLimitMiddleware:
    """429 with ``Retry-After`` for requests carrying an API key from a client whose failed-key
    budget (:class:`AuthFailureLimiter`) is spent; the error handlers record the failures."""

    def __init__(self, app: ASGIApp, limiter: AuthFailureLimiter, header: str = "x-api-key"):
        self.app = app
        self.limiter = limiter
        self.header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(n == self.header for n, _ in scope.get("headers", [])):
            wait = self.limiter.retry_after(client_of(scope))
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await refuse(scope, send, receive, 429, "too_many_requests",
                             f"too many requests with an invalid API key from this client; try again in "
                             f"{seconds} s", headers=[(b"retry-after", str(seconds).encode())],
                             body_pending=scope.get("method") not in ("GET", "HEAD", "OPTIONS"))
                return
        await self.app(scope, receive, send)
