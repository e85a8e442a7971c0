"""Load on the production server: gunicorn with 3 workers, PostgreSQL with 10,000 synthetic records, Redis as the
cache, everything on loopback.

Fills a scratch PostgreSQL database as search_benchmark.py does (its generator, import and sentence vectors), starts
`gunicorn kb_site.wsgi` with the production settings (kb_site/gunicorn.py builds the search data before the workers are
forked), waits until it answers, then drives the search API, the search page and intervention profiles at
concurrency 1, 8 and 32 with threads of keep-alive HTTP clients:

- repeated: the same three URLs again and again, answered from the response cache (search.response_cache);
- distinct: a new query, or a profile not asked for before, at every request: none is in the cache.

For each it prints requests/s, p50/p95/p99 and errors (any answer but a 200, or no answer). It then publishes a
change to a record through Wagtail, as an editor would, and times the next request (the profile, which must show the
change, then a search), three times; and prints each process's memory (RSS, and PSS, which splits the pages workers
share between them) after start, after the load and after the workers rebuilt their text index following the
publishes. The targets: zero errors; at concurrency 8, at least 200 requests/s for repeated URLs and p95 at most
300 ms for distinct ones; the first request after a publish within 500 ms. It measures and prints, and exits 0
whether or not they are met; the server is stopped at the end in any case.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/load_benchmark.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/load_benchmark.py --keep   # same records

Every run without --keep empties the database (its name must have "bench" in it) and imports the records again.
Each run gives the search data a new version first, so that no answer cached by an earlier run is reused. Every
loop is bounded: --requests per run and --seconds per run, whichever comes first.
"""

import argparse
import http.client
import itertools
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from search_benchmark import (
    API_PATH,
    REPO,
    SEED,
    SyntheticInterventions,
    check_kept_database,
    count_pages,
    import_records,
    load_fixture,
    prepare_database,
    setup_django,
    store_vectors,
    verdict,
)

HOST = "127.0.0.1"
CONCURRENCIES = (1, 8, 32)
STARTUP_SECONDS = 900
REPEATED_RPS_TARGET = 200
DISTINCT_P95_TARGET_MS = 300
PUBLISH_TARGET_MS = 500
PUBLISHES = 3


def main():
    options = parse_arguments()
    prepare_database(options.database_url, fresh=not options.keep)
    setup_django(options.database_url)
    generator = SyntheticInterventions(
        load_fixture("interventions.json")["interventions"], load_fixture("vocabulary.json")
    )
    if options.keep:
        check_kept_database(options.database_url, options.records)
    else:
        import_records(generator, options.records, options.batch)
        store_vectors(generator.real_records, fresh=True)
    from django.db import connections

    from search.snapshot import mark_changed

    mark_changed()  # answers cached by an earlier run are not this version's
    connections.close_all()
    print(f"records: {count_pages()[0]}; BLAS: {blas_kernels()}", flush=True)
    server = Server(options)
    try:
        server.start()
        print(f"server: {options.workers} workers answering after {server.startup_seconds:.1f} s", flush=True)
        print_memory("after start", server)
        results = drive(server, generator, options)
        print_memory("after the load", server)
        publish_ms = measure_publishes(server, generator)
        server.wait_until_idle()
        print_memory("after the publishes and the workers' text index rebuilds", server)
        print_verdicts(results, publish_ms)
    finally:
        server.stop()


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="synthetic interventions (default 10000)")
    parser.add_argument("--batch", type=int, default=500, help="records per import (default 500)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/kb_bench_load",
        help="scratch PostgreSQL database, with bench in its name (default %(default)s)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="the cache (default %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="loopback port of the server (default 8000)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--requests", type=int, default=600, help="requests per run at most (default 600)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds per run at most (default 60)")
    parser.add_argument("--keep", action="store_true", help="reuse the records of an earlier run")
    options = parser.parse_args()
    if not options.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL: the load is measured as production runs")
    return options


def blas_kernels():
    from threadpoolctl import threadpool_info

    return ", ".join(f"{pool['internal_api']} {pool.get('architecture', '?')}" for pool in threadpool_info())


class Server:
    """gunicorn on loopback with the production settings, in its own process group, its log in a temporary file."""

    def __init__(self, options):
        self.options = options
        self.log = Path(tempfile.mkstemp(prefix="load-benchmark-", suffix=".log")[1])
        self.process = None
        self.startup_seconds = None

    def start(self):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kb_site.settings.production",
            "DATABASE_URL": self.options.database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "REDIS_URL": self.options.redis_url,
            # One connection per worker, kept between requests, as production should.
            "DATABASE_CONN_MAX_AGE": "60",
            # The pages name their stylesheets by their hashed names: collected as a deploy collects them.
            "STATIC_ROOT": tempfile.mkdtemp(prefix="load-benchmark-static-"),
        }
        environment.pop("ELASTICSEARCH_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        began = time.perf_counter()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    "python:kb_site.gunicorn",
                    "kb_site.wsgi",
                    "--workers",
                    str(self.options.workers),
                ]
                + ["--bind", f"{HOST}:{self.options.port}", "--error-logfile", "-"],
                cwd=REPO,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = Client(self.options.port)
        while time.perf_counter() - began < STARTUP_SECONDS:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn stopped with {self.process.returncode}; its log: {self.log}")
            if client.get(f"{API_PATH}?page_size=1")[1] == 200:
                self.startup_seconds = time.perf_counter() - began
                return
            time.sleep(1)
        sys.exit(f"gunicorn did not answer within {STARTUP_SECONDS} s; its log: {self.log}")

    def workers(self):
        return sorted(
            int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if parent_of(stat) == self.process.pid
        )

    def wait_until_idle(self, seconds=300):
        """Waits (at most `seconds`) until the processes used no CPU for two seconds: their rebuilds are done."""
        deadline, before = time.monotonic() + seconds, None
        while time.monotonic() < deadline:
            used = sum(cpu_ticks(pid) for pid in [self.process.pid, *self.workers()])
            if used == before:
                return
            before = used
            time.sleep(2)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def parent_of(stat_file):
    try:
        # The command may hold spaces and parentheses: the fields after its closing parenthesis are plain.
        return int(stat_file.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def cpu_ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def memory_mib(pid):
    """(RSS, PSS) of a process in MiB."""
    sizes = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("Rss", "Pss"):
            sizes[name] = int(value.split()[0]) / 1024
    return sizes["Rss"], sizes["Pss"]


def print_memory(when, server):
    rows = [("master", server.process.pid)] + [("worker", pid) for pid in server.workers()]
    sizes = [(role, pid, *memory_mib(pid)) for role, pid in rows]
    print(f"memory {when}:")
    for role, pid, rss, pss in sizes:
        print(f"  {role} {pid}: RSS {rss:.0f} MiB, PSS {pss:.0f} MiB")
    print(f"  all: PSS {sum(pss for *_, pss in sizes):.0f} MiB", flush=True)


class Client:
    """One keep-alive HTTP connection to the server, opened again when the server closes it."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def get(self, path):
        """(milliseconds, status or None when no answer came, body)."""
        began = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            body = response.read()
            if response.will_close:
                self.connection.close()
            return (time.perf_counter() - began) * 1000, response.status, body
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return (time.perf_counter() - began) * 1000, None, b""


def run(port, paths, concurrency, seconds):
    """Requests the paths from `concurrency` threads until they are all asked or `seconds` have passed; returns
    (latencies in ms, errors, wall seconds)."""
    paths, lock, latencies, errors = iter(paths), threading.Lock(), [], []
    deadline = time.monotonic() + seconds

    def work():
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                path = next(paths, None)
            if path is None:
                return
            elapsed, status, _body = client.get(path)
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append((path, status))

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - began


def search_path(path, parameters):
    return f"{path}?{urlencode(parameters)}"


def profile_paths():
    """The profile path of every English synthetic record, in a shuffled order."""
    from interventions.models import InterventionPage

    pages = InterventionPage.objects.filter(locale__language_code="en", slug__startswith="synthetic-")
    first = pages.first()
    prefix = first.url.removesuffix(f"{first.slug}/")
    paths = [f"{prefix}{slug}/" for slug in pages.values_list("slug", flat=True)]
    random.Random(SEED).shuffle(paths)
    return paths


def drive(server, generator, options):
    """Runs both loads at each concurrency; returns {(load, concurrency): (latencies, errors, seconds)}."""
    port, count = options.port, options.requests
    typical = generator.typical_search_parameters()
    profiles = iter(profile_paths())
    repeated = [search_path(API_PATH, typical), search_path("/search/", typical), next(profiles)]
    Client(port).get(repeated[0])  # loads the sentence encoder, if the server has not
    for path in repeated:
        Client(port).get(path)
    rng = random.Random(SEED)

    def distinct_paths():
        for kind in itertools.cycle(("api", "page", "profile")):
            if kind == "profile":
                yield next(profiles)
            else:
                yield search_path(API_PATH if kind == "api" else "/search/", generator.search_parameters(rng))

    distinct = distinct_paths()
    results = {}
    print(f"{'load':<9} {'conc':>4} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} errors")
    for concurrency in CONCURRENCIES:
        for load, paths in (
            ("repeated", itertools.islice(itertools.cycle(repeated), count)),
            ("distinct", itertools.islice(distinct, count)),
        ):
            latencies, errors, seconds = results[load, concurrency] = run(port, paths, concurrency, options.seconds)
            p50, p95, p99 = percentiles(latencies)
            print(
                f"{load:<9} {concurrency:>4} {len(latencies):>8} {len(latencies) / seconds:>7.1f} "
                f"{p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {len(errors)}",
                flush=True,
            )
            for path, status in errors[:3]:
                print(f"  error: {path} -> {status or 'no answer'}")
    return results


def percentiles(latencies):
    if len(latencies) < 2:
        return (latencies or [float("nan")]) * 3
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def measure_publishes(server, generator):
    """Publishes a change to a record, then times the next request for its profile (which must show the change) and
    the next search, PUBLISHES times; returns the slowest first request, in ms."""
    from django.db import connections

    from interventions.models import InterventionPage

    rng, client, slowest = random.Random(SEED + 1), Client(server.options.port), 0.0
    for number in range(PUBLISHES):
        page = InterventionPage.objects.get(slug=f"synthetic-{number}", locale__language_code="en")
        page.title = f"{page.title} (revised {number})"
        page.save_revision().publish()
        connections.close_all()
        profile_ms, status, body = client.get(page.url)
        shown = status == 200 and page.title.encode() in body
        search_ms, search_status, _body = client.get(search_path(API_PATH, generator.search_parameters(rng)))
        slowest = max(slowest, profile_ms, search_ms)
        print(
            f"publish {number + 1}: next profile {profile_ms:.0f} ms ({status}, change "
            f"{'shown' if shown else 'NOT SHOWN'}), next search {search_ms:.0f} ms ({search_status})",
            flush=True,
        )
        if not shown:
            slowest = float("inf")
    return slowest


def print_verdicts(results, publish_ms):
    errors = sum(len(errors) for _latencies, errors, _seconds in results.values())
    repeated_latencies, _errors, repeated_seconds = results["repeated", 8]
    repeated_rps = len(repeated_latencies) / repeated_seconds
    distinct_p95 = percentiles(results["distinct", 8][0])[1]
    print(
        f"targets: zero errors: {verdict(errors == 0)} ({errors}); "
        f"repeated at 8 >= {REPEATED_RPS_TARGET} req/s: {verdict(repeated_rps >= REPEATED_RPS_TARGET)} "
        f"({repeated_rps:.0f}); distinct p95 at 8 <= {DISTINCT_P95_TARGET_MS} ms: "
        f"{verdict(distinct_p95 <= DISTINCT_P95_TARGET_MS)} ({distinct_p95:.0f}); first request after a publish <= "
        f"{PUBLISH_TARGET_MS} ms: {verdict(publish_ms <= PUBLISH_TARGET_MS)} ({publish_ms:.0f})"
    )


if __name__ == "__main__":
    main()
