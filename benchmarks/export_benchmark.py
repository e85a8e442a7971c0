"""Time to first byte, total time, size and peak memory of the search exports on a scratch database.

Generates --records synthetic interventions (10,000 by default, with search_benchmark.py's generator), imports them
into a scratch database, then downloads /search/export.csv and /search/export.json of every intervention (no query,
no filter: the largest export) through Django's test client, in process, and prints for each export:

- time to first byte: until the response's first chunk of content exists;
- total time: until its last chunk has been produced;
- bytes, and a SHA-256 of the content (equal before and after a change that keeps the content);
- peak memory: the most Python memory the export held at once above what the process held before (tracemalloc, in
  a second download, since tracing slows it down).

Run it from the repository root, on SQLite (a file bench-exports-<records>.sqlite3, git-ignored) or on PostgreSQL
(created if missing; its name must start with bench or kb_bench or contain _bench, since it is emptied):

    .venv/bin/python benchmarks/export_benchmark.py
    .venv/bin/python benchmarks/export_benchmark.py --database-url postgres://postgres@127.0.0.1:5432/kb_bench_exports
    .venv/bin/python benchmarks/export_benchmark.py --keep            # same database, exports only
    .venv/bin/python benchmarks/export_benchmark.py --keep --profile  # and where the time goes (cProfile)

The search snapshot is built before the first export, as a running site has it. The script measures and prints;
it exits 0.
"""

import argparse
import cProfile
import hashlib
import pstats
import sys
import time
import tracemalloc

from search_benchmark import (
    REPO,
    SyntheticInterventions,
    check_kept_database,
    count_pages,
    import_records,
    load_fixture,
    prepare_database,
    search_client,
    setup_django,
)

EXPORTS = ["/search/export.csv", "/search/export.json"]


def main():
    options = parse_arguments()
    backend = prepare_database(options.database_url, fresh=not options.keep)
    setup_django(options.database_url)
    if options.keep:
        check_kept_database(options.database_url, options.records)
    else:
        generator = SyntheticInterventions(
            load_fixture("interventions.json")["interventions"], load_fixture("vocabulary.json")
        )
        import_records(generator, options.records, options.batch)
    client = search_client()
    client.get("/search/", {"q": "warm up"})  # builds the search snapshot and its text index, once per process
    records, pages = count_pages()
    print(f"records: {records} ({pages} pages with their translations), backend: {backend}")
    for path in EXPORTS:
        timing = timed_download(client, path)
        peak = traced_peak(client, path)
        print(
            f"{path}: first byte {timing['first_byte']:.2f} s, total {timing['total']:.2f} s, "
            f"{timing['bytes'] / 2**20:.1f} MiB in {timing['chunks']} chunks, peak memory {peak / 2**20:.1f} MiB; "
            f"sha256 {timing['sha256'][:16]}"
        )
        if options.profile:
            profile(client, path)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="synthetic interventions (default 10000)")
    parser.add_argument("--batch", type=int, default=500, help="records per import (default 500)")
    parser.add_argument(
        "--database-url",
        help="scratch database, its name starting with bench or kb_bench or containing _bench "
        "(default sqlite:///<repo>/bench-exports-<records>.sqlite3)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run: exports only")
    parser.add_argument("--profile", action="store_true", help="print where each export spends its time")
    options = parser.parse_args()
    if min(options.records, options.batch) < 1:
        parser.error("--records and --batch must be at least 1")
    options.database_url = options.database_url or f"sqlite:///{REPO / f'bench-exports-{options.records}.sqlite3'}"
    return options


def chunks_of(response):
    """The response's content as it is produced: chunk by chunk when it streams, whole otherwise."""
    if response.streaming:
        return response.streaming_content
    return [response.content]


def timed_download(client, path):
    began = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    first_byte, size, count, digest = None, 0, 0, hashlib.sha256()
    for chunk in chunks_of(response):
        if first_byte is None:
            first_byte = time.perf_counter() - began
        size, count = size + len(chunk), count + 1
        digest.update(chunk)
    total = time.perf_counter() - began
    return {
        "first_byte": first_byte,
        "total": total,
        "bytes": size,
        "chunks": count,
        "sha256": digest.hexdigest(),
    }


def traced_peak(client, path):
    """The most memory Python held at once while producing the export, above what it held before."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for _ in chunks_of(client.get(path)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def profile(client, path):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in chunks_of(client.get(path)):
        pass
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
