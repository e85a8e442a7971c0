"""Search relevance on the shared development set, on a fresh database with the fixtures imported.

Empties a scratch database (SQLite by default, or PostgreSQL with --database-url; its name must have bench
in it, as for search_benchmark.py), sets it up as the demo does (vocabulary, thesaurus, the records of
fixtures/interventions.json, their sentence vectors), serves it on loopback, and runs ../shared/eval/relevance.py
against it, which prints nDCG@10 and recall@20 per query and per category beside a plain BM25:

    .venv/bin/python benchmarks/search_relevance.py
    .venv/bin/python benchmarks/search_relevance.py --database-url postgres://postgres@127.0.0.1:5432/kb_bench_relevance

Exits with relevance.py's status: 1 when --min-ndcg or --min-recall (passed on) is not met.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from search_benchmark import REPO, prepare_database

EVAL = REPO.parent / "shared" / "eval"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"sqlite:///{REPO / 'bench-relevance.sqlite3'}")
    parser.add_argument("--eval", type=Path, default=EVAL, help="folder of relevance.py and dev-queries.json")
    parser.add_argument("--queries", type=Path, help="graded queries (default: dev-queries.json in --eval)")
    parser.add_argument("--records", type=Path, default=REPO / "fixtures" / "interventions.json")
    parser.add_argument("--min-ndcg", type=float)
    parser.add_argument("--min-recall", type=float)
    options = parser.parse_args()
    prepare_database(options.database_url, fresh=True)
    environment = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "DJANGO_SETTINGS_MODULE": "kb_site.settings.dev",
        "DJANGO_SUPERUSER_PASSWORD": os.environ.get("DJANGO_SUPERUSER_PASSWORD", "relevance-check"),
    }
    environment.pop("ELASTICSEARCH_URL", None)

    def manage(*arguments, **kwargs):
        return subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=environment, **kwargs)

    manage("migrate", "--verbosity", "0", check=True)
    manage("setup_demo", "--records", str(options.records), check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base)
        command = [
            sys.executable,
            str(options.eval / "relevance.py"),
            base,
            str(options.records),
            str(options.queries or options.eval / "dev-queries.json"),
        ]
        for flag, value in (("--min-ndcg", options.min_ndcg), ("--min-recall", options.min_recall)):
            if value is not None:
                command += [flag, str(value)]
        print(f"== {options.database_url}", flush=True)
        sys.exit(subprocess.run(command, check=False).returncode)
    finally:
        server.terminate()
        server.wait()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(base, seconds=120):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/search/?q=test", timeout=30)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


if __name__ == "__main__":
    main()
