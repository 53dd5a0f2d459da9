"""Log the emulator's requests that explain a failed deploy.

werkzeug logs every request as `"POST / HTTP/1.1" 400`, which names neither
the AWS action nor whether the client was retrying. A create that the SDK
sent twice (its first answer lost or failed) fails the second time with a
conflict (`PriorityInUse`, `Duplicate...`), and only the attempt number tells
that story. So, for every request that is a retry (the SDKs' `amz-sdk-request:
attempt=N` header, N > 1) or that fails with a 5xx, one line goes to stderr:

    emulator: CreateRule attempt=2 -> 400 (attempt 1: 200 in 0.031 s, 0.245 s before)
    emulator: DescribeServices attempt=1 -> 500

A retry names what its invocation's first attempt (same `amz-sdk-invocation-id`)
answered, how long that took and when it ended: a fast 200 means the answer was
lost on the way; a slow one, that the client gave up waiting.

Nothing about the request or the answer changes.
"""
import collections
import io
import re
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable

ATTEMPT = re.compile(r"attempt=(\d+)")
MAX_FORM_BYTES = 1 << 20
REMEMBERED_INVOCATIONS = 5000


def keep_form_body(environ: dict[str, Any]) -> bytes:
    """A query-protocol request's form body, read and put back for moto;
    b"" for any other request."""
    content_type = environ.get("CONTENT_TYPE", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not content_type.startswith("application/x-www-form-urlencoded") or not 0 < length <= MAX_FORM_BYTES:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def action_of(environ: dict[str, Any], form_body: bytes) -> str:
    """The AWS action: the JSON protocols' X-Amz-Target, the query protocol's
    `Action` (in the query or the form body), else the method and path (REST protocols)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    for fields in (environ.get("QUERY_STRING", ""), form_body.decode("utf-8", "replace")):
        action = urllib.parse.parse_qs(fields).get("Action")
        if action:
            return action[0]
    return f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}"


def log_retries_and_server_errors(app_class: type, write: Callable[[str], None] = sys.stderr.write) -> None:
    """Wrap `app_class.__call__` (moto's WSGI application) once."""
    if getattr(app_class.__call__, "_logs_retries", False):
        return
    original = app_class.__call__
    # invocation id -> (status, seconds taken, monotonic end) of its latest attempt
    answered: "collections.OrderedDict[str, tuple[str, float, float]]" = collections.OrderedDict()
    lock = threading.Lock()

    def earlier(invocation: str) -> str:
        with lock:
            seen = answered.get(invocation)
        if not seen:
            return ""
        code, took, ended = seen
        return f" (attempt before: {code} in {took:.3f} s, {time.monotonic() - ended:.3f} s before)"

    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.monotonic()
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
        match = ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        attempt = int(match.group(1)) if match else 1
        form_body = keep_form_body(environ)  # before moto reads it; parsed only for a line to log
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        try:
            result = original(self, environ, recording_start_response)
        except Exception as error:  # werkzeug answers it with a 500
            write(f"emulator: {action_of(environ, form_body)} attempt={attempt} -> 500 ({type(error).__name__}: {error})\n")
            raise
        code = status[-1] if status else "?"
        if attempt > 1 or code.startswith("5"):
            write(f"emulator: {action_of(environ, form_body)} attempt={attempt} -> {code}{earlier(invocation) if attempt > 1 else ''}\n")
        if invocation:
            with lock:
                answered[invocation] = (code, time.monotonic() - started, time.monotonic())
                while len(answered) > REMEMBERED_INVOCATIONS:
                    answered.popitem(last=False)
        return result

    call._logs_retries = True  # type: ignore[attr-defined]
    app_class.__call__ = call
