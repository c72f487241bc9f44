"""The words of the search documents, by word: which events' documents hold each, so that
a search of the chronology finds its events in memory rather than in PostgreSQL.

A search asks for the documents holding words that start with each word searched for
(``WordsMatch``, timeline/querysets.py). PostgreSQL answers from its full-text index,
then reads every matching row to learn its event: at 100,000 events a common word
("road", in half the documents) took 43 ms, a typical one 14, and in the long-tail mix
the chronology's searches were half of the database's time. Here each word of the
documents (each lexeme of their ``words`` column, as PostgreSQL parsed it, so the
words are the database's own) has the ids of its events; the words are sorted,
so that the words starting with a given one are a range of them. A search's events
are the union of its range's ids, for each word, intersected across words: about a
tenth of a millisecond.

The lists are read in one query of the whole table for a version of the records (1.9 s
at 100,000 events: 3.3 million words of documents, 56,000 distinct, 13 MiB of ids, and
a peak of 26 MiB more while they are read), and kept only if the version has not moved
meanwhile. As the statements' index
(timeline/statement_index.py), it is built by the recount once its version is visible
and shared through the cache when every process shares it (Redis), each process
loading it at its first search; with a cache of its own, a process builds its own at
its first search after a change. Past MAX_WORDS words of documents (about 600,000
generated events), none is built, so that no process holds more than 80 MiB of them,
and searches go to the database, as they do on SQLite, which searches the text itself.

Only words in ASCII are looked up here: PostgreSQL lower-cases other letters by its
database's locale, which Python cannot be sure to do alike; a search with such a word
is asked of the database.
"""

import bisect
import threading

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections

from timeline.models import SearchDocument
from timeline.record_index import VersionedIndex, is_shared, kept_for_version, shared
from timeline.statement_index import give_back_memory

# The most words of documents (lexemes of each document, summed) kept in memory: 4 bytes
# each in every process. 3.3 million at 100,000 generated events.
MAX_WORDS = 20_000_000
# Rows of words read at a time while the index is built (64 KiB each at most).
CHUNK = 200

_lock = threading.Lock()
_current: dict[str, "WordIndex"] = {}


def for_version(version: int | None, using: str = DEFAULT_DB_ALIAS) -> "WordIndex | None":
    """The word index of the records at ``version``, built now if this process has none
    for it; None on a database other than PostgreSQL, without a version, past MAX_WORDS,
    or when the records moved on while it was built (then the database is asked)."""
    if connections[using].vendor != "postgresql":
        return None

    def build():
        index = shared(version, using, WordIndex)
        if index is None:
            index = WordIndex.build(version, using)
            give_back_memory()  # what reading the words freed
        return index

    index = kept_for_version(_current, _lock, version, using, build)
    return index if index is not None and index.complete else None


def prepare(version: int, using: str = DEFAULT_DB_ALIAS):
    """Build the index of a new ``version`` for every process, when they share the cache
    (the recount calls this once its version is visible)."""
    if is_shared():
        for_version(version, using)


class WordIndex(VersionedIndex):
    SHARED_AS = "word-index"
    ARRAYS = ("starts", "ids")

    def __init__(self, version: int, using: str):
        super().__init__(version, using)
        self.words: list[str] = []  # sorted
        # The ids of word ``i``'s events are ids[starts[i] : starts[i + 1]].
        self.starts = np.zeros(1, np.int64)
        self.ids = np.zeros(0, np.int32)
        # False past MAX_WORDS: then nothing is held, and the database is asked.
        self.complete = True

    def _load(self):
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table = quote(SearchDocument._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(sum(length(words)), 0) FROM {table}")
            if cursor.fetchone()[0] > MAX_WORDS:
                self.complete = False
                return
        words, lengths, parts = [], [], []
        # Each word with its documents' event ids packed as 32-bit integers, a range of
        # 16,384 ids at a time (so that a row holds 64 KiB at most), in the order of
        # the words' code points (Python's, and so bisect's). Read CHUNK rows at a
        # time from a cursor on the server: a common word's ids are most of the bytes,
        # and the whole result at once held 90 MiB at its peak at 100,000 events.
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                f"SELECT found.word, string_agg(int4send(document.event_id::int4), ''::bytea)"
                f" FROM {table} AS document,"
                f" unnest(tsvector_to_array(document.words)) AS found(word)"
                f" GROUP BY found.word, document.event_id >> 14"
                f' ORDER BY found.word COLLATE "C", document.event_id >> 14'
            )
            while rows := cursor.fetchmany(CHUNK):
                for word, data in rows:
                    if words and words[-1] == word:  # the next range of the same word's
                        lengths[-1] += len(data) // 4
                    else:
                        words.append(word)
                        lengths.append(len(data) // 4)
                parts.append(np.frombuffer(b"".join(data for _, data in rows), ">i4"))
        self.words = words
        self.starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
        self.ids = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.ARRAYS}

    def extras(self) -> dict:
        return {"words": self.words, "complete": self.complete}

    @classmethod
    def from_arrays(cls, version: int, using: str, arrays: dict, extras: dict) -> "WordIndex":
        index = cls(version, using)
        index.starts, index.ids = arrays["starts"], arrays["ids"]
        index.words, index.complete = extras["words"], extras["complete"]
        return index

    def starting_with(self, word: str) -> np.ndarray | None:
        """The ids of the events whose documents hold a word starting with ``word``, as
        PostgreSQL's ``'word':*`` finds them; None for a word it could lower-case
        otherwise (not ASCII)."""
        if not word.isascii():
            return None
        word = word.lower()
        first = bisect.bisect_left(self.words, word)
        last = bisect.bisect_left(self.words, word + "\U0010ffff", first)
        found = self.ids[self.starts[first] : self.starts[last]]
        if last - first <= 1:
            return found
        # Several words' ids: their union, by marking them.
        marked = np.zeros(int(found.max()) + 1, bool)
        marked[found] = True
        return np.flatnonzero(marked)

    def having_all(self, words: list[str]) -> np.ndarray | None:
        """The ids (int64) of the events whose documents hold, for each of
        ``words`` (one at least), a word starting with it; None if one of them must be
        asked of the database."""
        each = [self.starting_with(word) for word in words]
        if any(ids is None for ids in each):
            return None
        each.sort(key=len)
        found = each[0]
        for ids in each[1:]:
            if not found.size:
                break
            found = np.intersect1d(found, ids, assume_unique=True)
        return found.astype(np.int64)
