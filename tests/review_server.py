"""Serve the review app on a real local port for tests, and log raters in over HTTP."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread; yields its base URL and stops it afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # as `dialogic review` runs it without --proxy: X-Forwarded-For is not trusted
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("review app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(base_url: str, rater: str, password: str) -> tuple[httpx.Client, str]:
    """A client holding a logged-in session, and that session's CSRF token."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    form = client.get("/login")
    response = client.post("/login", data={"rater": rater, "password": password, "csrf_token": csrf_token(form.text)})
    assert response.status_code == 303, response.text
    queue = client.get("/queue")
    assert queue.status_code == 200
    return client, csrf_token(queue.text)
