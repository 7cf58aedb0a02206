"""Real production app servers on loopback for the deployment tests: gunicorn with config/gunicorn.conf.py,
debug off, against a database and a cache given by URL, plus a "hung" TCP service that accepts connections
and never answers. Every wait is bounded in time."""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "REDIS_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def manage(env, *args, timeout=180):
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class HungService:
    """Accepts TCP connections and never answers (a database or Redis that hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            with contextlib.suppress(OSError):
                conn, _ = self.sock.accept()
                self.held.append(conn)

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=2)
        for conn in self.held:
            conn.close()
        self.sock.close()


class AppServer:
    def __init__(self, env, log_path, *, workers=1, threads=4):
        self.port = free_port()
        self.log_path = log_path
        self.env = {**env, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_answering(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited ({self.proc.returncode}):\n{self.log_text()}")
            with contextlib.suppress(OSError):
                self.get("/robots.txt", timeout=2)
                return self
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def request(self, method, path, *, headers=None, body=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def timed_get(self, path, **kwargs):
        start = time.monotonic()
        status, headers, body = self.get(path, **kwargs)
        return status, body, time.monotonic() - start

    def log_text(self):
        self.log.flush()
        return Path(self.log_path).read_text()

    def stop(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.log.close()


@contextlib.contextmanager
def app_servers(env, tmp_path, count=1, **kwargs):
    servers = [AppServer(env, tmp_path / f"gunicorn-{n}.log", **kwargs) for n in range(count)]
    try:
        for server in servers:
            server.wait_until_answering()
        yield servers
    finally:
        for server in servers:
            server.stop()


class Browser:
    """Cookies and the CSRF token by hand (the __Host- cookies are Secure; this talks plain http)."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep_cookies(self, headers_list):
        for value in headers_list:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _send(self, method, path, data=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            body = urllib.parse.urlencode(data) if data is not None else None
            sent = self._headers({"Host": "127.0.0.1", **(headers or {})})
            if body is not None:
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
            return response.status, response.read().decode()
        finally:
            conn.close()

    def csrf_token(self):
        return next(v for k, v in self.cookies.items() if k.endswith("csrftoken"))

    def get(self, path, headers=None):
        return self._send("GET", path, headers=headers)

    def post(self, path, data, headers=None):
        return self._send("POST", path, {**data, "csrfmiddlewaretoken": self.csrf_token()}, headers=headers)

    def log_in(self, username, password, headers=None):
        self.get("/admin/login/", headers=headers)
        return self.post("/admin/login/", {"username": username, "password": password}, headers=headers)
