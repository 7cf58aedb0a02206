#!/usr/bin/env python3
"""Benchmark and load-test the production stack on loopback.

    scripts/bench.py [bench]   throughput, latency, SQL queries and first-visit bytes per page (make bench)
    scripts/bench.py load      bounded load on every valid page; exit 1 on any error or non-2xx (make load-test)

Each run starts its own stack: a throwaway SQLite database in a temporary directory (or DATABASE_URL /
--database-url), `migrate` + `load_content` + `collectstatic`, then gunicorn with config/gunicorn.conf.py,
debug off, on 127.0.0.1:--port. Load comes from wrk (apt-get install wrk; ../shared/tools/install.sh)
or, without it, a small threaded Python client. Every run is bounded: --seconds per URL (default 10,
at most 30), --connections (default 64, at most 256), loopback only. Pages that do not answer 200 are
reported as missing and skipped, so the script works while pages are still being built.

Each page is measured in slices that alternate with slices of the static file (5 of each), and its ratio
is to the static file's rate in those same slices. Then the stack is restarted with the page cache off
(DJANGO_PAGE_CACHE_SECONDS=0, its own cache key prefix, so nothing stored by the first stack is read back)
and the comparison pages are measured the same way: every request renders the page, as for a patient whose
request misses the cache. Their ratios are printed beside the cached ones ("nocache x").
Targets printed at the end: cached pages >= 0.85x the static file's requests/s, the uncached comparison
>= 0.08x, the same number of SQL queries with 2 and with 20 treatments, and every page < 40 KB on a first
visit (compressed HTML and its CSS/JS, headers included).
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
HTMX = {"HX-Request": "true"}
ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}  # what a browser sends over https
# (label, path, extra headers) -- the planned patient pages; missing ones are skipped.
PAGES = [
    ("home", "/", {}),
    ("comparison", "/compare/mesotherapy-vs-prp/", {}),
    ("faq", "/faq/", {}),
    ("htmx fragment", "/compare/mesotherapy-vs-prp/?concern=hair-loss", HTMX),
    ("treatments", "/treatments/", {}),
]
LOAD_EXTRA = [
    ("treatment", "/treatments/prp/", {}),
    ("references", "/references/", {}),
    ("about", "/about/", {}),
    ("faq search", "/faq/?q=pain", {}),
    ("health", "/healthz", {}),
]
# Measured again with the page cache off (DJANGO_PAGE_CACHE_SECONDS=0): every request renders the page.
FOUR_OPTIONS = "/compare/mesotherapy-vs-prp/?concern=hair-loss" + "".join(
    f"&treatments={slug}" for slug in ("mesotherapy", "prp", "minoxidil", "no-treatment")
)
UNCACHED_PAGES = [
    ("comparison", "/compare/mesotherapy-vs-prp/", {}),
    ("4 options", FOUR_OPTIONS, {}),
]
KB_BUDGET = 40 * 1024
STATIC_RATIO_TARGET = 0.85
UNCACHED_RATIO_TARGET = 0.08
UNCACHED_CONNECTIONS = 8
UNCACHED_ROUNDS = 3

WRK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format("WRKSUMMARY requests=%d duration_us=%d non2xx=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, n, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- the stack --------------------------------------------------------------------------------------------


def stack_env(args, tmp):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain http on loopback
        DATABASE_URL=args.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
        PORT=str(args.port),
        WEB_CONCURRENCY=str(args.workers or os.environ.get("WEB_CONCURRENCY") or ""),
        PYTHONUNBUFFERED="1",
    )
    if not env["WEB_CONCURRENCY"]:
        del env["WEB_CONCURRENCY"]
    return env


def manage(env, *cmd):
    result = subprocess.run([PY, "manage.py", *cmd], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")


def prepare_database(env):
    log("preparing the database (migrate, load_content, collectstatic)")
    manage(env, "migrate", "--noinput")
    try:
        manage(env, "load_content")
    except SystemExit as exc:  # content may still be arriving; measure what exists
        log(f"warning: {str(exc).strip().splitlines()[-1]}")
    manage(env, "collectstatic", "--noinput", "-v", "0")


@contextlib.contextmanager
def gunicorn(env, port, tmp, log_name="gunicorn.log"):
    # Another stack on the port (a second bench, `make serve`) would answer /healthz for ours, and be measured.
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"something already listens on 127.0.0.1:{port}: pass another --port")
    logfile = open(tmp / log_name, "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({proc.returncode}); see its log:\n{(tmp / log_name).read_text()}")
            with contextlib.suppress(OSError):
                if fetch(port, "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.3)
        log(f"gunicorn up on 127.0.0.1:{port} (pid {proc.pid})")
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        logfile.close()


# --- HTTP helpers -------------------------------------------------------------------------------------------


def fetch(port, path, headers=None):
    """(status, header bytes, body as sent (still compressed), lower-cased response headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        resp = conn.getresponse()
        body = resp.read()
        status_line = f"HTTP/1.1 {resp.status} {resp.reason}\r\n"
        header_bytes = len(status_line) + sum(len(f"{k}: {v}\r\n") for k, v in resp.getheaders()) + 2
        return resp.status, header_bytes, body, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def decode(body, encoding):
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif (
            tag == "link"
            and a.get("href")
            and {"stylesheet", "icon", "preload", "modulepreload"} & set((a.get("rel") or "").split())
        ):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.urls.append(a["src"])


def first_visit_bytes(port, path, headers):
    """Bytes on the wire for a first visit: the page plus its same-origin CSS/JS/icons/images."""
    status, head, body, resp_headers = fetch(port, path, {**ACCEPT, **headers})
    total, html_bytes = head + len(body), head + len(body)
    parser = Assets()
    parser.feed(decode(body, resp_headers.get("content-encoding", "")).decode("utf-8", "replace"))
    for url in dict.fromkeys(parser.urls):
        parts = urllib.parse.urlsplit(url)
        if parts.netloc and parts.netloc not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            continue
        _, h, b, _ = fetch(port, parts.path + (f"?{parts.query}" if parts.query else ""), ACCEPT)
        total += h + len(b)
    return html_bytes, total, len(parser.urls)


# --- load ------------------------------------------------------------------------------------------------------


def run_wrk(url, headers, seconds, connections, timeout=5):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
    cmd = ["wrk", "-t", str(min(connections, os.cpu_count() or 1)), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["--timeout", f"{timeout}s", "-s", f.name]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    try:
        out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30)
    finally:
        os.unlink(f.name)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKSUMMARY ")), None)
    if not line:
        raise SystemExit(f"wrk failed: {out.stderr or out.stdout}")
    kv = {k: int(v) for k, v in (x.split("=") for x in line.split()[1:])}
    return {
        "rps": kv["requests"] / (kv["duration_us"] / 1e6),
        "requests": kv["requests"],
        "p50_ms": kv["p50_us"] / 1000,
        "p99_ms": kv["p99_us"] / 1000,
        "non2xx": kv["non2xx"],
        "errors": kv["errors"],
    }


def run_python_load(port, path, headers, seconds, connections, timeout=5):
    """Fallback without wrk: keep-alive connections in threads (the client costs CPU too: compare ratios)."""
    latencies, counts = [], {"non2xx": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn, mine, non2xx, errors = None, [], 0, 0
        while time.monotonic() < stop:
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                t0 = time.perf_counter()
                conn.request("GET", path, headers={**ACCEPT, **headers})
                resp = conn.getresponse()
                resp.read()
                mine.append(time.perf_counter() - t0)
                non2xx += not 200 <= resp.status < 300
            except (OSError, http.client.HTTPException):
                errors += 1
                conn = None
        with lock:
            latencies.extend(mine)
            counts["non2xx"] += non2xx
            counts["errors"] += errors

    threads = [threading.Thread(target=worker) for _ in range(min(connections, 32))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)

    def pct(p):
        return latencies[min(n - 1, int(n * p))] * 1000 if n else 0.0

    return {"rps": n / seconds, "requests": n, "p50_ms": pct(0.5), "p99_ms": pct(0.99), **counts}


INTERLEAVED_ROUNDS = 5


def combined(runs):
    """One result from several slices of load: total requests over total time, the worst tail latency."""
    seconds = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
    requests = sum(run["requests"] for run in runs)
    return {
        "rps": requests / seconds if seconds else 0.0,
        "requests": requests,
        "p50_ms": sorted(run["p50_ms"] for run in runs)[len(runs) // 2],
        "p99_ms": max(run["p99_ms"] for run in runs),
        "non2xx": sum(run["non2xx"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
    }


def load(port, path, headers, seconds, connections, timeout=5):
    if shutil.which("wrk"):
        return run_wrk(f"http://127.0.0.1:{port}{path}", {**ACCEPT, **headers}, seconds, connections, timeout)
    return run_python_load(port, path, headers, seconds, connections, timeout)


# --- SQL queries, in process -------------------------------------------------------------------------------


def clone_treatments(count):
    """Add `count` copies of the published treatments, with their parts, references and comparison columns."""
    from django.db import IntegrityError, models, transaction

    from treatments.models import Status, Treatment

    sources = list(Treatment.objects.filter(status=Status.PUBLISHED)) or list(Treatment.objects.all())
    if not sources:
        return 0
    made = 0
    for i in range(count):
        source = sources[i % len(sources)]
        related = {
            rel: list(getattr(source, rel.get_accessor_name()).all())
            for rel in Treatment._meta.related_objects
            if rel.one_to_many
        }
        clone = Treatment.objects.get(pk=source.pk)
        clone.pk = clone.id = None
        clone.name = f"{source.name} (bench copy {i + 1})"[:100]
        clone.slug = f"bench-{i + 1}-{source.slug}"[:60]
        clone.save()
        made += 1
        for rel, rows in related.items():
            for row in rows:
                m2m = {f.name: list(getattr(row, f.name).all()) for f in row._meta.many_to_many}
                row.pk = row.id = None
                setattr(row, rel.field.name, clone)
                for field in row._meta.fields:
                    if field.unique and not field.primary_key and isinstance(field, models.CharField):
                        setattr(row, field.attname, f"b{i + 1}-{getattr(row, field.attname)}"[: field.max_length])
                    if field.name in ("position", "order", "sort_order") and isinstance(field, models.IntegerField):
                        setattr(row, field.attname, (getattr(row, field.attname) or 0) + 100 * (i + 1))
                try:
                    with transaction.atomic():
                        row.save()
                        for name, values in m2m.items():
                            getattr(row, name).set(values)
                except IntegrityError:
                    pass
    return made


def count_queries(pages):
    """SQL queries per page (cold page cache, nothing kept) with the loaded treatments and with 18 more."""
    import django

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from treatments.models import Status, Treatment

    client = Client(HTTP_HOST="127.0.0.1")

    def measure():
        counts = {}
        for label, path, headers in pages:
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(path, headers=headers).status_code
            counts[label] = len(ctx.captured_queries) if status == 200 else None
        return counts

    before_n = Treatment.objects.filter(status=Status.PUBLISHED).count()
    # Both counts inside a transaction, so neither reuses rendered parts (workflow/templatetags/kept.py): the
    # queries of a page rendered from nothing, as on the first request after a content change.
    with transaction.atomic():
        before = measure()
        transaction.set_rollback(True)
    with transaction.atomic():
        clone_treatments(max(0, 20 - before_n))
        after_n = Treatment.objects.filter(status=Status.PUBLISHED).count()
        after = measure()
        transaction.set_rollback(True)
    cache.clear()
    return before_n, before, after_n, after


# --- commands -------------------------------------------------------------------------------------------------


def static_css(port):
    manifest = json.loads((BASE_DIR / "staticfiles" / "staticfiles.json").read_text())["paths"]
    css = sorted(k for k in manifest if k.endswith(".css"))
    # The site's own stylesheet: the static file every patient page loads (not a tiny admin one).
    pick = "css/site.css" if "css/site.css" in manifest else next((k for k in css if not k.startswith("admin")), css[0])
    return "/static/" + manifest[pick]


def available(port, pages):
    ok, missing = [], []
    for label, path, headers in pages:
        status = fetch(port, path, {**ACCEPT, **headers})[0]
        (ok if status == 200 else missing).append((label, path, headers, status))
    return ok, missing


def measure(port, rows, static, args, connections=None, timeout=5, rounds=INTERLEAVED_ROUNDS, seconds=None):
    """Each page in slices alternating with slices of the static file; ratios use the same slices."""
    connections = connections or args.connections
    seconds = seconds or max(1, round(args.seconds / rounds))
    results, static_runs = {}, []
    load(port, static, {}, 1, min(args.connections, 8))  # warm each worker
    for row in rows:
        label, path, headers = row["label"], row["path"], row["headers"]
        log(f"load: {label} {path} ({rounds * seconds}s against as much of the static file, interleaved)")
        load(port, path, headers, 1, min(args.connections, 8))  # warm the page cache (and each worker)
        # Slices of the page and of the static file, alternating, so both see the same background load
        # (other jobs on a shared machine come and go): the ratio compares like with like.
        page_slices, static_slices = [], []
        for _ in range(rounds):
            static_slices.append(load(port, static, {}, seconds, connections, timeout))
            page_slices.append(load(port, path, headers, seconds, connections, timeout))
        results[label] = combined(page_slices)
        results[label]["static_rps"] = combined(static_slices)["rps"]
        static_runs.extend(static_slices)
    if static_runs:
        results["static css"] = combined(static_runs)
    return results


def ratio(result):
    return result["rps"] / result["static_rps"] if result and result.get("static_rps") else 0.0


def cmd_bench(args, env, tmp):
    os.environ.update(env, DJANGO_LOG_LEVEL="WARNING")  # in-process query counting: no request lines
    uncached_only = [page for page in UNCACHED_PAGES if page[0] not in {label for label, _, _ in PAGES}]
    before_n, q_before, after_n, q_after = count_queries(PAGES + uncached_only)
    results, rows, missing = {}, [], []
    static = "/static/css/site.css"
    if not args.uncached_only:
        with gunicorn(env, args.port, tmp):
            ok, missing = available(args.port, PAGES)
            static = static_css(args.port)
            for label, path, headers, _ in ok:
                html, total, assets = first_visit_bytes(args.port, path, headers)
                rows.append({"label": label, "path": path, "headers": headers, "html": html, "total": total})
            results = measure(args.port, rows, static, args)

    # The same stack with the page cache off: a patient whose request misses the cache.
    uncached_env = dict(
        env,
        DJANGO_PAGE_CACHE_SECONDS="0",
        DJANGO_CACHE_KEY_PREFIX=f"{env.get('DJANGO_CACHE_KEY_PREFIX') or 'treatments'}-bench-nocache-{secrets.token_hex(4)}",
    )
    uncached = {}
    if UNCACHED_PAGES and not args.no_uncached:
        with gunicorn(uncached_env, args.port, tmp, "gunicorn-nocache.log"):
            ok_uncached, _ = available(args.port, UNCACHED_PAGES)
            static = static_css(args.port)
            uncached_rows = [
                {"label": label, "path": path, "headers": headers} for label, path, headers, _ in ok_uncached
            ]
            # Fewer connections, a longer timeout and longer slices: a page that renders on every request
            # saturates the workers with a few connections (64 would only queue until requests time out), and a
            # slice must be long against its latency, or wrk counts almost nothing in it. The static file gets
            # the same connections in the same slices.
            uncached = measure(
                args.port,
                uncached_rows,
                static,
                args,
                connections=min(args.connections, UNCACHED_CONNECTIONS),
                timeout=30,
                rounds=UNCACHED_ROUNDS,
                seconds=max(4, round(args.seconds / 2)),
            )
        known = {row["label"] for row in rows}
        for row in uncached_rows:
            if row["label"] not in known:
                rows.append({**row, "html": None, "total": None})

    print(
        f"\nProduction stack: gunicorn ({env.get('WEB_CONCURRENCY', '2 x cores + 1')} workers), "
        f"{'wrk' if shutil.which('wrk') else 'python client'}, {args.seconds}s x {args.connections} connections per URL, "
        f"database {env['DATABASE_URL'].split(':')[0]}; 'nocache': the same stack restarted with "
        f"DJANGO_PAGE_CACHE_SECONDS=0, {min(args.connections, UNCACHED_CONNECTIONS)} connections"
    )
    head = (
        f"{'page':<15} {'path':<48} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'x static':>8} "
        f"{'nocache r/s':>11} {'p50 ms':>7} {'nocache x':>9} {'non2xx':>6} "
        f"{'q@' + str(before_n):>5} {'q@' + str(after_n):>5} {'html B':>7} {'first KB':>8}"
    )
    print(head)
    print("-" * len(head))
    failures = []

    def nocache_columns(label, as_ratio=None):
        u = uncached.get(label)
        if not u:
            return f"{'-':>11} {'-':>7} {'-':>9}"
        return f"{u['rps']:>11.0f} {u['p50_ms']:>7.1f} {(ratio(u) if as_ratio is None else as_ratio):>9.3f}"

    r, u = results.get("static css"), uncached.get("static css")
    if r or u:
        cached_static = (
            f"{r['rps']:>8.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {1:>8.2f}"
            if r
            else f"{'-':>8} {'-':>7} {'-':>7} {'-':>8}"
        )
        bad = sum(x["non2xx"] + x["errors"] for x in (r, u) if x)
        print(f"{'static css':<15} {static[:48]:<48} {cached_static} {nocache_columns('static css', 1)} {bad:>6}")
    for row in rows:
        label = row["label"]
        r, u = results.get(label), uncached.get(label)
        qb, qa = q_before.get(label), q_after.get(label)
        bad = sum(x["non2xx"] + x["errors"] for x in (r, u) if x)
        cached_columns = (
            f"{r['rps']:>8.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {ratio(r):>8.2f}"
            if r
            else f"{'-':>8} {'-':>7} {'-':>7} {'-':>8}"
        )
        sizes = f"{row['html']:>7} {row['total'] / 1024:>8.1f}" if row["total"] is not None else f"{'-':>7} {'-':>8}"
        print(
            f"{label:<15} {row['path'][:48]:<48} {cached_columns} {nocache_columns(label)} {bad:>6} "
            f"{qb if qb is not None else '-':>5} {qa if qa is not None else '-':>5} {sizes}"
        )
        if r and ratio(r) < STATIC_RATIO_TARGET:
            failures.append(f"{label}: {ratio(r):.2f}x static throughput (target >= {STATIC_RATIO_TARGET})")
        if u and ratio(u) < UNCACHED_RATIO_TARGET:
            failures.append(
                f"{label}: {ratio(u):.3f}x static throughput with the page cache off (target >= {UNCACHED_RATIO_TARGET})"
            )
        if qb != qa:
            failures.append(f"{label}: {qb} queries with {before_n} treatments, {qa} with {after_n}")
        if row["total"] is not None and row["total"] >= KB_BUDGET:
            failures.append(f"{label}: {row['total'] / 1024:.1f} KB first visit (target < 40 KB)")
        if bad:
            failures.append(f"{label}: {bad} non-2xx or socket errors")
    for label, path, _, status in missing:
        print(f"{label:<15} {path[:48]:<48} missing (HTTP {status}), not measured")
    print(
        f"\nTargets: cached page >= {STATIC_RATIO_TARGET}x static req/s; uncached comparison >= "
        f"{UNCACHED_RATIO_TARGET}x; same queries at 2 and 20 treatments; first visit < 40 KB"
    )
    print("\n".join(f"  MISS {f}" for f in failures) if failures else "  all met")
    return 1 if failures and args.strict else 0


def cmd_load(args, env, tmp):
    with gunicorn(env, args.port, tmp):
        ok, missing = available(args.port, PAGES + LOAD_EXTRA)
        ok.append(("static css", static_css(args.port), {}, 200))
        per_url = max(1, min(args.seconds, 60 // len(ok)))
        bad = 0
        print(f"{'page':<15} {'path':<48} {'req/s':>8} {'p99 ms':>7} {'non2xx':>6} {'errors':>6}")
        for label, path, headers, _ in ok:
            r = load(args.port, path, headers, per_url, args.connections)
            bad += r["non2xx"] + r["errors"]
            print(f"{label:<15} {path[:48]:<48} {r['rps']:>8.0f} {r['p99_ms']:>7.1f} {r['non2xx']:>6} {r['errors']:>6}")
        for label, path, _, status in missing:
            print(f"{label:<15} {path[:48]:<48} skipped (HTTP {status})")
    print(
        f"\nload test: {len(ok)} URLs x {per_url}s x {args.connections} connections: "
        f"{'FAILED, ' + str(bad) + ' bad responses' if bad else 'no errors, every response 2xx'}"
    )
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=["bench", "load"], default="bench")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--seconds", type=int, default=10, help="load per URL (bench; load spreads 60 s)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default WEB_CONCURRENCY or 2 x cores + 1)")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file (or DATABASE_URL)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a bench target is missed")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the second stack with the page cache off (bench)"
    )
    parser.add_argument(
        "--uncached-only", action="store_true", help="only the second stack, with the page cache off (bench)"
    )
    args = parser.parse_args(argv)
    args.seconds = max(1, min(args.seconds, 30))
    args.connections = max(1, min(args.connections, 256))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
        env = stack_env(args, tmp)
        prepare_database(env)
        return (cmd_load if args.command == "load" else cmd_bench)(args, env, tmp)


if __name__ == "__main__":
    sys.exit(main())
