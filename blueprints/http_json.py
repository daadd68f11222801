"""JSON over HTTP for the Launchpad and Gerrit syncs: ``urllib`` only, no Django.

One GET, done carefully:

- a timeout on every request, and a bounded number of retries with exponential backoff on
  the failures that pass (5xx other than 501/505, 429, refused or reset connections,
  timeouts); ``Retry-After`` is honoured when it asks for longer. The sleep is injectable so
  tests never wait.
- conditional requests: an ETag seen with a body is remembered (per URL, in a mapping the
  caller may persist) and sent back as ``If-None-Match``; a 304 answers with the remembered
  body and says so (``not_modified``). Launchpad sends ETags on entries, not on collection
  pages (lazr.restful ``EntryResource.do_GET`` handles conditional GETs,
  ``CollectionResource.do_GET`` does not).
- redirects are followed only within the same scheme, host and port: an API answer must not
  send the client (and its headers) elsewhere.
- a cap on the response size and on the JSON's nesting depth, and UTF-8 JSON only; Gerrit's
  anti-XSSI prefix line ``)]}'`` ("must be stripped before feeding the rest of the response
  body to a JSON parser", Gerrit REST API, Output Format) is removed on request.
- every failure is a ``FetchError`` whose message names the URL and what went wrong.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPException
from typing import Any, Protocol

from core import jsonsafe

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_BACKOFF = 30.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
USER_AGENT = "cycle-planner (blueprint sync)"
GERRIT_XSSI_PREFIX = ")]}'"
# 501 Not Implemented and 505 HTTP Version Not Supported will not get better by asking again.
PERMANENT_SERVER_ERRORS = frozenset({501, 505})
EXCERPT_CHARS = 200

Params = Mapping[str, str | int | Sequence[str | int]]


class FetchError(Exception):
    """A GET that did not give usable JSON; the message names the URL and the reason."""

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, attempts: int = 1
    ) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts
        after = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"GET {url}: {reason}{after}")


@dataclass(frozen=True)
class CachedResponse:
    """What is remembered of a response that carried an ETag."""

    etag: str
    data: Any


@dataclass(frozen=True)
class JsonResponse:
    url: str  # the URL asked for (same-origin redirects are followed silently)
    status: int  # 200…299, or 304 when the remembered body is still current
    data: Any
    etag: str | None
    attempts: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class JsonGetter(Protocol):
    """What the fetchers need of a client: ``JsonClient``, or a canned stand-in in tests."""

    def get(
        self, url: str, *, params: Params | None = None, xssi: bool = False
    ) -> JsonResponse: ...


class _Retryable(Exception):
    def __init__(self, reason: str, *, status: int | None = None, wait: float = 0.0) -> None:
        super().__init__(reason)
        self.reason, self.status, self.wait = reason, status, wait


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports made explicit, for same-origin checks."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        if origin(newurl) != origin(req.full_url):
            raise FetchError(
                req.full_url, f"HTTP {code} redirects to another host ({newurl}): not followed"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def with_params(url: str, params: Params | None) -> str:
    """``url`` with ``params`` appended to its query (sequences repeat the key, as ``o=`` does
    for Gerrit's query options)."""
    if not params:
        return url
    query = urllib.parse.urlencode(params, doseq=True)
    return f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"


def strip_xssi_prefix(text: str) -> str:
    """Remove Gerrit's ``)]}'`` first line if it is there."""
    if text.startswith(GERRIT_XSSI_PREFIX):
        text = text[len(GERRIT_XSSI_PREFIX) :]
        if text.startswith("\r\n"):
            return text[2:]
        if text.startswith("\n"):
            return text[1:]
    return text


def _excerpt(body: bytes) -> str:
    text = body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _retry_after(headers: Message | None) -> float:
    value = (headers or {}).get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 0.0  # an HTTP date: fall back to our own backoff


class JsonClient:
    """A small JSON GET client; one instance per sync (it counts its requests).

    ``etags`` maps a URL to the ``CachedResponse`` last seen with an ETag; pass a persistent
    mapping to keep conditional requests across runs. ``proxies`` is urllib's: ``None``
    reads the environment, ``{}`` goes direct.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        max_bytes: int = DEFAULT_MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        etags: MutableMapping[str, CachedResponse] | None = None,
        proxies: Mapping[str, str] | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if retries < 0 or timeout <= 0 or max_bytes <= 0:
            raise ValueError("retries must be >= 0, timeout and max_bytes > 0")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.etags: MutableMapping[str, CachedResponse] = {} if etags is None else etags
        self.user_agent = user_agent
        handlers: list[urllib.request.BaseHandler] = [_SameOriginRedirects()]
        if proxies is not None:
            handlers.append(urllib.request.ProxyHandler(dict(proxies)))
        self._opener = urllib.request.build_opener(*handlers)
        self.requests = 0  # HTTP requests sent, retries included
        self.not_modified = 0  # of which answered 304

    def get_json(self, url: str, *, params: Params | None = None, xssi: bool = False) -> Any:
        return self.get(url, params=params, xssi=xssi).data

    def get(self, url: str, *, params: Params | None = None, xssi: bool = False) -> JsonResponse:
        """GET ``url`` (plus ``params``) and parse its JSON; ``xssi`` strips Gerrit's prefix.

        Raises ``FetchError`` once the retries are spent, or at once for answers that will not
        change by asking again (4xx, not JSON, too large, a redirect to another host).
        """
        url = with_params(url, params)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(url, "only http and https URLs are fetched")
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._once(url, xssi=xssi, attempt=attempt)
            except _Retryable as failure:
                if attempt == attempts:
                    raise FetchError(
                        url, failure.reason, status=failure.status, attempts=attempt
                    ) from None
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                self.sleep(min(self.max_backoff, max(delay, failure.wait)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, *, xssi: bool, attempt: int) -> JsonResponse:
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        cached = self.etags.get(url)
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        request = urllib.request.Request(url, headers=headers, method="GET")
        self.requests += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                etag = response.headers.get("ETag")
                content_type = response.headers.get("Content-Type", "")
                body = self._read(url, response)
        except urllib.error.HTTPError as error:
            with error:
                if error.code == 304 and cached is not None:
                    self.not_modified += 1
                    return JsonResponse(url, 304, cached.data, cached.etag, attempt)
                body = error.read(EXCERPT_CHARS * 4) if error.fp else b""
                reason = f"HTTP {error.code} {error.reason}"
                if body:
                    reason += f": {_excerpt(body)}"
                if error.code == 429 or (
                    500 <= error.code < 600 and error.code not in PERMANENT_SERVER_ERRORS
                ):
                    raise _Retryable(
                        reason, status=error.code, wait=_retry_after(error.headers)
                    ) from None
                raise FetchError(url, reason, status=error.code, attempts=attempt) from None
        except TimeoutError:
            raise _Retryable(f"timed out after {self.timeout:g} s") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise _Retryable(f"timed out after {self.timeout:g} s") from None
            raise _Retryable(f"connection failed: {error.reason}") from None
        except (ConnectionError, HTTPException) as error:
            raise _Retryable(f"connection failed: {error!r}") from None
        data = self._decode(url, body, content_type=content_type, xssi=xssi, attempt=attempt)
        if etag:
            self.etags[url] = CachedResponse(etag=etag, data=data)
        return JsonResponse(url, status, data, etag, attempt)

    def _read(self, url: str, response: Any) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(url, f"response of {length} bytes is over the {self.max_bytes} cap")
        body = response.read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            raise FetchError(url, f"response is over the {self.max_bytes}-byte cap")
        return body

    def _decode(self, url: str, body: bytes, *, content_type: str, xssi: bool, attempt: int) -> Any:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FetchError(url, f"not UTF-8: {error}", attempts=attempt) from None
        if xssi:
            text = strip_xssi_prefix(text)
        try:
            return jsonsafe.loads(text)
        except jsonsafe.JSONTooDeep as error:
            raise FetchError(url, str(error), attempts=attempt) from None
        except json.JSONDecodeError as error:
            kind = content_type.split(";")[0] or "no content type"
            raise FetchError(
                url, f"not JSON ({kind}): {error}; body starts {_excerpt(body)!r}", attempts=attempt
            ) from None
