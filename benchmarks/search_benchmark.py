"""Search API latency and import throughput on a scratch database of synthetic interventions.

Generates --records synthetic interventions (10,000 by default) that look like the 43 real records in
fixtures/interventions.json, imports them in batches with the interchange importer, timing it, then requests the search
API --requests times, each with a query word, a pillar and a country (facets always come back), and prints the import
throughput and the p50, p95 and maximum latency against the targets (p95 at most 150 ms, import at least 200
records/s), and the time and memory the search snapshot takes to build.

Run it from the repository root, on SQLite (a file bench-<records>.sqlite3 in the repository, git-ignored) or on
PostgreSQL (the database is created if missing):

    .venv/bin/python benchmarks/search_benchmark.py
    .venv/bin/python benchmarks/search_benchmark.py --database-url postgres://postgres@127.0.0.1:5432/kb_bench
    .venv/bin/python benchmarks/search_benchmark.py --records 300 --requests 50      # a quick try
    .venv/bin/python benchmarks/search_benchmark.py --keep                           # requests only, same database

Every run without --keep starts from an empty database: it deletes the SQLite file or drops and recreates the
PostgreSQL database, so it only accepts a database with "bench" in its name. --keep reuses a
database that an earlier run filled with the same number of records and measures the requests alone.

Each synthetic record takes its shape from a real record picked at random: which fields it has, how many studies,
outcomes, tags and terms, and how long each text is. Its text is drawn word by word from the real texts in the same
language; its vocabulary terms, countries and outcome domains follow a Zipf spread, ranked by how often the real
records use them. A fixed seed makes every run generate the same records and send the same requests.

Each request's query text differs (a policymaker's phrasing, thesaurus words, now and then a typo), so that the
query's sentence vector is computed for every request. The real records' passages are embedded, timed (texts per
second, and which BLAS kernel numpy ran), and every synthetic passage is given the vector of a real one, so that the
search multiplies a matrix of the size real vectors would make. These machines set OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE, which slow numpy's matrix products; README runs the benchmark with both unset for its command.

Search runs on the database backend (the snapshot's lexical index): ELASTICSEARCH_URL is ignored, so that
synthetic records never reach a real Elasticsearch index. The script measures and prints; it exits 0 whether or not
the targets are met.
"""

import argparse
import html
import io
import json
import os
import random
import re
import secrets
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlencode

import dj_database_url
import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SEED = 2024
SCRATCH_MARK = "bench"  # in the name of every database a benchmark may empty
API_PATH = "/api/v1/search/"
QUERY_WORDS = [
    "violence",
    "homicide",
    "youth",
    "police",
    "school",
    "drug",
    "trafficking",
    "prevention",
    "community",
    "cash",
]
# How a policymaker phrases a search: a question, a request, words of their own language (the thesaurus expands
# these), and now and then a typo (corrected against the index's words).
QUERY_FRAMES = [
    "what works to reduce {}",
    "{}",
    "how can a city prevent {}",
    "programas contra {}",
    "{} in Latin America",
]
THESAURUS_WORDS = ["gangs", "guns", "pandillas", "reincidencia", "lavado de dinero", "jóvenes", "cárcel", "bodycams"]
TYPO_SHARE = 0.2
WARM_UP_REQUESTS = 5
P95_TARGET_MS = 150
IMPORT_TARGET_PER_SECOND = 200
# Record keys, also keys of fixtures/vocabulary.json, whose terms are drawn with a Zipf spread.
VOCABULARY_KEYS = ["intervention_types", "settings", "target_groups"]
# Taken as they are from the real record that gives a synthetic record its shape: their spread over the real records
# is the spread to reproduce, and search never reads their text.
COPIED_KEYS = [
    "pillars",
    "evidence_rating",
    "genders",
    "age_min",
    "age_max",
    "places",
    "start_year",
    "end_year",
    "implementers",
    "cost_per_participant",
    "external_ratings",
    "links",
]
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
TAG = re.compile(r"<[^>]+>")
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def main():
    options = parse_arguments()
    backend = prepare_database(options.database_url, fresh=not options.keep)
    setup_django(options.database_url)
    generator = SyntheticInterventions(
        load_fixture("interventions.json")["interventions"], load_fixture("vocabulary.json")
    )
    client = search_client()
    # One request before the import, so that a broken API stops the run before a long import, not after it.
    timed_get(client, generator.typical_search_parameters())
    if options.keep:
        check_kept_database(options.database_url, options.records)
        import_seconds = None
    else:
        import_seconds = import_records(generator, options.records, options.batch)
    embedding = store_vectors(generator.real_records, fresh=not options.keep)
    sample, latencies = measure_requests(client, generator, options.requests)
    after_publish = measure_search_after_publish(client, generator)
    report(options, backend, count_pages(), import_seconds, sample, latencies, measure_snapshot(), embedding)
    print(f"first search after a publish: {after_publish:.0f} ms (snapshot rebuilt, one page's text updated)")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="synthetic interventions (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="timed API requests (default 200)")
    parser.add_argument("--batch", type=int, default=500, help="records per import (default 500)")
    parser.add_argument(
        "--database-url",
        help="scratch database, with bench in its name (default sqlite:///<repo>/bench-<records>.sqlite3)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run: requests only")
    options = parser.parse_args()
    if min(options.records, options.batch) < 1 or options.requests < 2:
        parser.error("--records and --batch must be at least 1, --requests at least 2 (for percentiles)")
    options.database_url = options.database_url or f"sqlite:///{REPO / f'bench-{options.records}.sqlite3'}"
    return options


def prepare_database(url, fresh):
    """Empties the scratch database, or only makes sure it exists when `fresh` is false; returns the backend's name."""
    config = dj_database_url.parse(url)
    engine = config["ENGINE"].rsplit(".", 1)[-1]
    name = Path(config["NAME"]).name if engine == "sqlite3" else config["NAME"]
    if SCRATCH_MARK not in name:
        sys.exit(
            f"Refusing to use the database {name!r}: the benchmark empties it, so its name must have "
            f"{SCRATCH_MARK!r} in it."
        )
    if engine == "sqlite3":
        if fresh:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return "sqlite"
    if engine == "postgresql":
        create_postgresql_database(config, fresh)
        return "postgresql"
    sys.exit(f"Unsupported database {url!r}: give a sqlite:// or postgres:// URL.")


def create_postgresql_database(config, fresh):
    """Creates the database from the `postgres` maintenance database, dropping it first when `fresh`."""
    name = sql.Identifier(config["NAME"])
    with psycopg.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    ) as connection:
        if fresh:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    # The production settings, as the site runs: with DEBUG on, Django would also record every query it sends.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kb_site.settings.production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "localhost"
    # The test client speaks plain HTTP to the application; TLS is the proxy's business in production.
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    from interventions.page_tree import ensure_page_tree

    call_command("migrate", verbosity=0)
    call_command("import_vocabulary", str(FIXTURES / "vocabulary.json"), stdout=io.StringIO())
    ensure_page_tree()  # the pages the imported records go under


def load_fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def count_pages():
    """The interventions in English (every synthetic record is), and the intervention pages with their translations."""
    from interventions.models import InterventionPage

    return InterventionPage.objects.filter(locale__language_code="en").count(), InterventionPage.objects.count()


def check_kept_database(url, records):
    count = count_pages()[0]
    if count != records:
        sys.exit(f"{url} holds {count} interventions, not {records}: run without --keep to rebuild it.")


class Skewed:
    """Draws from values ranked most common first, with Zipf weights: the k-th value comes up 1/k as often as the
    first."""

    def __init__(self, values):
        self.values = list(values)
        self.cumulative_weights = list(accumulate(1 / rank for rank in range(1, len(self.values) + 1)))

    def one(self, rng):
        return rng.choices(self.values, cum_weights=self.cumulative_weights)[0]

    def distinct(self, rng, count):
        chosen = []
        while len(chosen) < min(count, len(self.values)):
            value = self.one(rng)
            if value not in chosen:
                chosen.append(value)
        return chosen


def ranked(uses, known=()):
    """Values by how often the real records use them, then the known values they never use."""
    return [value for value, _ in uses.most_common()] + sorted(set(known) - uses.keys())


class SyntheticInterventions:
    """Interchange records shaped after real ones (see the module's docstring), always the same for the same seed."""

    def __init__(self, real_records, vocabulary, seed=SEED):
        self.rng = random.Random(seed)
        self.real_records = real_records
        texts = defaultdict(list)
        for record in real_records:
            texts["en"] += [record["title"], record["summary"], plain_text(record["description_html"])]
            texts["en"] += [outcome["measure"] for outcome in record["outcomes"]]
            for language, translation in record.get("translations", {}).items():
                texts[language] += [translation["title"], translation.get("summary", "")]
        self.words = {language: WORD.findall(" ".join(parts)) for language, parts in texts.items()}
        self.tags = sorted({tag for record in real_records for tag in record.get("tags", [])})
        self.terms = {
            key: Skewed(
                ranked(Counter(slug for record in real_records for slug in record.get(key, [])), vocabulary[key])
            )
            for key in VOCABULARY_KEYS
        }
        self.domains = Skewed(
            ranked(
                Counter(outcome["domain"] for record in real_records for outcome in record["outcomes"]),
                vocabulary["outcome_domains"],
            )
        )
        self.countries = Skewed(ranked(Counter(country for record in real_records for country in record["countries"])))
        self.pillar_uses = [pillar for record in real_records for pillar in record["pillars"]]

    def record(self, number):
        shape = self.rng.choice(self.real_records)
        studies = [self.study(position, study) for position, study in enumerate(shape["studies"])]
        study_keys = [study["key"] for study in studies]
        record = {
            "slug": f"synthetic-{number}",
            "title": self.phrase(len(shape["title"])),
            "also_known_as": [self.phrase(len(alias)) for alias in shape.get("also_known_as", [])],
            "summary": self.text(len(shape["summary"])),
            "description_html": "".join(
                f"<p>{self.paragraph(len(plain_text(paragraph)))}</p>"
                for paragraph in PARAGRAPH.findall(shape["description_html"])
            ),
            **{key: terms.distinct(self.rng, len(shape.get(key, []))) for key, terms in self.terms.items()},
            "countries": self.countries.distinct(self.rng, len(shape["countries"])),
            "tags": self.rng.sample(self.tags, len(shape.get("tags", []))),
            "studies": studies,
            "outcomes": [self.outcome(outcome, self.rng.choice(study_keys)) for outcome in shape["outcomes"]],
        }
        record.update({key: shape[key] for key in COPIED_KEYS if key in shape})
        if "benefit_cost_ratio" in shape:
            record["benefit_cost_ratio"] = {**shape["benefit_cost_ratio"], "source_study": study_keys[0]}
        if shape.get("translations"):
            record["translations"] = {
                language: self.translation(translation, language)
                for language, translation in shape["translations"].items()
            }
        return record

    def study(self, position, real_study):
        return {**real_study, "key": f"study-{position + 1}", "citation": self.text(len(real_study["citation"]))}

    def outcome(self, real_outcome, study_key):
        return {
            **real_outcome,
            "domain": self.domains.one(self.rng),
            "measure": self.text(len(real_outcome["measure"])),
            "study": study_key,
        }

    def translation(self, real_translation, language):
        translation = {"title": self.phrase(len(real_translation["title"]), language)}
        if real_translation.get("summary"):
            translation["summary"] = self.text(len(real_translation["summary"]), language)
        return translation

    def draw_words(self, length, language):
        """Real words of the language, at least `length` characters with their spaces."""
        words, size = [], 0
        while size < length:
            word = self.rng.choice(self.words[language])
            words.append(word)
            size += len(word) + 1
        return words

    def phrase(self, length, language="en"):
        return capitalized(" ".join(self.draw_words(length, language)))

    def text(self, length, language="en"):
        """Sentences of 8 to 24 words."""
        words = self.draw_words(length, language)
        sentences = []
        while words:
            count = self.rng.randint(8, 24)
            sentences.append(capitalized(" ".join(words[:count])) + ".")
            words = words[count:]
        return " ".join(sentences)

    def paragraph(self, length):
        """Text with one word in bold, as most paragraphs of the real descriptions have."""
        words = self.text(length).split(" ")
        position = self.rng.randrange(len(words))
        words[position] = f"<strong>{words[position]}</strong>"
        return " ".join(words)

    def search_parameters(self, rng):
        """A query, a pillar and a country, each as likely as the records make it."""
        return {
            "q": self.query_text(rng),
            "pillar": rng.choice(self.pillar_uses),
            "country": self.countries.one(rng),
            "page_size": 20,
        }

    def query_text(self, rng):
        """A query word with a word of the records or of the thesaurus, in a policymaker's phrasing, sometimes
        with a typo: every request's text differs, so no cache of query vectors hides their encoding."""
        words = [rng.choice(QUERY_WORDS), rng.choice(THESAURUS_WORDS + self.words["en"])]
        if rng.random() < TYPO_SHARE:
            words[0] = misspelled(words[0], rng)
        return rng.choice(QUERY_FRAMES).format(" ".join(words))

    def typical_search_parameters(self):
        """The first query word, the most used pillar and the most used country."""
        return {
            "q": QUERY_WORDS[0],
            "pillar": Counter(self.pillar_uses).most_common(1)[0][0],
            "country": self.countries.values[0],
            "page_size": 20,
        }


def misspelled(word, rng):
    """The word with two neighbouring letters swapped."""
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def plain_text(fragment):
    return html.unescape(TAG.sub(" ", fragment))


def capitalized(text):
    return text[:1].upper() + text[1:]


def import_records(generator, records, batch_size):
    """Imports the records in documents of `batch_size`; returns the seconds spent importing, generation left out."""
    from interventions.interchange.importer import import_document
    from interventions.interchange.mapping import FORMAT

    seconds = 0.0
    for start in range(0, records, batch_size):
        batch = [generator.record(number) for number in range(start, min(start + batch_size, records))]
        began = time.perf_counter()
        import_document({"format": FORMAT, "interventions": batch})
        seconds += time.perf_counter() - began
        done = start + len(batch)
        print(f"imported {done}/{records} ({done / seconds:.1f} records/s)", flush=True)
    return seconds


def real_passages(real_records):
    """The passages of the real records that the search embeds (search.documents.Document.passages)."""
    from search.documents import Document

    return [
        passage
        for record in real_records
        for passage in Document(
            0, "en", record["title"], record["summary"], description=plain_text(record["description_html"])
        ).passages()
    ]


def store_vectors(real_records, fresh):
    """Embeds the real records' passages, timing it (texts per second), and gives every passage of the synthetic
    records the vector of a real one, as if embedded: their matrix costs a search what real vectors would. Returns
    (texts embedded, seconds, BLAS kernels)."""
    from threadpoolctl import threadpool_info

    from search.documents import read_documents
    from search.embeddings import encode, text_hash
    from search.models import TextEmbedding, VisiblePage
    from search.snapshot import mark_changed

    passages = real_passages(real_records)
    encode(passages[:1])  # loads the encoder's weights, which a search process does once
    began = time.perf_counter()
    vectors = encode(passages)
    seconds = time.perf_counter() - began
    kernels = ", ".join(f"{pool['internal_api']} {pool.get('architecture', '?')}" for pool in threadpool_info())
    if fresh:
        documents = read_documents(list(VisiblePage.objects.values_list("page_id", flat=True))).values()
        hashes = list(dict.fromkeys(text_hash(passage) for document in documents for passage in document.passages()))
        for start in range(0, len(hashes), 2000):
            TextEmbedding.objects.bulk_create(
                TextEmbedding(text_hash=hash_, vector=vectors[(start + offset) % len(vectors)].tobytes())
                for offset, hash_ in enumerate(hashes[start : start + 2000])
            )
        mark_changed()
    return len(passages), seconds, kernels


def search_client():
    from django.test import Client

    return Client(SERVER_NAME="localhost", HTTP_HOST="localhost")


def measure_requests(client, generator, count):
    """Latencies in ms of `count` requests, after a sample request and a warm-up; also (URL, result count) of the
    sample request, made with the typical search parameters."""
    sample_parameters = generator.typical_search_parameters()
    response, _ = timed_get(client, sample_parameters)
    sample = (f"{API_PATH}?{urlencode(sample_parameters)}", response.json()["count"])
    # The first search loads the sentence encoder's weights, once per process: not a request's cost.
    timed_get(client, {"q": "warm up the encoder"})
    rng = random.Random(SEED)
    parameters = [generator.search_parameters(rng) for _ in range(WARM_UP_REQUESTS + count)]
    latencies = [timed_get(client, params)[1] for params in parameters]
    return sample, latencies[WARM_UP_REQUESTS:]


def measure_search_after_publish(client, generator):
    """The time in ms of the first search after an editor publishes an edit of one page: it rebuilds the snapshot and
    updates the text index with that page."""
    from interventions.models import InterventionPage

    page = InterventionPage.objects.filter(live=True).order_by("pk").first()
    page.title = f"{page.title} (edited)"
    page.save_revision().publish()
    return timed_get(client, {**generator.typical_search_parameters(), "q": "community patrols"})[1]


def measure_snapshot():
    """The time to build the search snapshot, which the first search after any change pays, and the memory it holds
    (traced apart, since tracing slows the build down)."""
    from search.snapshot import build_snapshot, build_text_index

    began = time.perf_counter()
    build_snapshot(None)
    snapshot_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    text_index = build_text_index(None)
    text_ms = (time.perf_counter() - began) * 1000
    vector_bytes = text_index.dense.nbytes
    del text_index
    tracemalloc.start()
    held = (build_snapshot(None), build_text_index(None))
    held_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    return snapshot_ms, text_ms, held_bytes, vector_bytes


def timed_get(client, params):
    """The response to a search request and its wall time in ms; any status but 200 stops the benchmark."""
    began = time.perf_counter()
    response = client.get(API_PATH, params)
    elapsed_ms = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{API_PATH}?{urlencode(params)} answered {response.status_code}: {response.content[:500]}")
    return response, elapsed_ms


def report(options, backend, pages, import_seconds, sample, latencies, snapshot, embedding):
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    p50, p95 = percentiles[49], percentiles[94]
    print(f"records: {pages[0]} ({pages[1]} pages with their translations)")
    print(f"backend: {backend}")
    if import_seconds is None:
        print("import: not measured (--keep)")
        import_verdict = "not measured"
    else:
        rate = options.records / import_seconds
        print(f"import: {import_seconds:.1f} s, {rate:.1f} records/s (batches of {options.batch})")
        import_verdict = verdict(rate >= IMPORT_TARGET_PER_SECOND)
    print(f"requests: {len(latencies)} after {WARM_UP_REQUESTS} warm-up")
    print(f"latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms")
    print(f"sample: {sample[0]} -> {sample[1]} results")
    snapshot_ms, text_ms, held_bytes, vector_bytes = snapshot
    print(
        f"search snapshot: built in {snapshot_ms:.0f} ms, its text index in {text_ms:.0f} ms; both hold "
        f"{held_bytes / 2**20:.1f} MiB per process, {vector_bytes / 2**20:.1f} MiB of it sentence vectors"
    )
    texts, seconds, kernels = embedding
    print(f"embedding: {texts} real passages in {seconds:.1f} s, {texts / seconds:.1f} texts/s; BLAS: {kernels}")
    print(
        f"targets: p95 <= {P95_TARGET_MS} ms: {verdict(p95 <= P95_TARGET_MS)}; "
        f"import >= {IMPORT_TARGET_PER_SECOND} records/s: {import_verdict}"
    )


def verdict(passed):
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    main()
