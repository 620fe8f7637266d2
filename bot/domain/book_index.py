"""An in-memory word-prefix index of the local books, for autocomplete inside Discord's window.

Autocomplete fires on every keystroke and must answer in milliseconds; a LIKE scan over the
books table does not (see bench/bench_autocomplete.py). Matching is the same as the database
search: every typed word must be the prefix of a word of the book's "title subtitle authors"
key. Ranking: this server's books first, then books whose key starts with the query (title
prefix), then shorter titles.

Only the catalogue's books (``shared``) are offered to every server; a book members made
(by hand or by an import) is offered only in the servers that link it (SPEC §10).

Postings are kept sorted by (word, title length, id), so for a one-word query (the dense,
common case: the first letters typed) the best matches stream out of a merge of the few
word runs under the prefix and the search stops after `limit` results instead of ranking
thousands of candidates.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field

_HIGH = "\U0010ffff"
_Posting = tuple[str, int, int]  # (word, title length, book id)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    book_id: int
    key: str
    label: str
    title_length: int
    # a catalogue's record (every server sees it); False: member-made, for its servers only
    shared: bool = True

    def postings(self) -> set[_Posting]:
        return {(w, self.title_length, self.book_id) for w in self.key.split()}

    def first_posting(self) -> _Posting | None:
        words = self.key.split()
        return (words[0], self.title_length, self.book_id) if words else None


@dataclass
class _Postings:
    """Every word posting, and the first-word postings (for title-prefix matches)."""

    words: list[_Posting] = field(default_factory=list)
    firsts: list[_Posting] = field(default_factory=list)

    def add(self, entry: IndexEntry) -> None:
        for posting in entry.postings():
            insort(self.words, posting)
        first = entry.first_posting()
        if first is not None:
            insort(self.firsts, first)

    def remove(self, entry: IndexEntry) -> None:
        for posting in entry.postings():
            _discard(self.words, posting)
        first = entry.first_posting()
        if first is not None:
            _discard(self.firsts, first)


def _discard(postings: list[_Posting], posting: _Posting) -> None:
    index = bisect_left(postings, posting)
    if index < len(postings) and postings[index] == posting:
        del postings[index]


def _prefix_range(postings: list[_Posting], prefix: str) -> tuple[int, int]:
    return bisect_left(postings, (prefix,)), bisect_left(postings, (prefix + _HIGH,))


def _stream(postings: list[_Posting], prefix: str) -> Iterator[int]:
    """Book ids under `prefix`, by (title length, id): a merge of the per-word runs."""
    start, end = _prefix_range(postings, prefix)
    runs: list[list[_Posting]] = []
    while start < end:
        word = postings[start][0]
        stop = min(end, bisect_left(postings, (word, 1 << 62), start, end))
        runs.append(postings[start:stop])
        start = stop
    for _, _, book_id in heapq.merge(*runs, key=lambda p: (p[1], p[2])):
        yield book_id


@dataclass
class BookIndex:
    _entries: dict[int, IndexEntry] = field(default_factory=dict)
    _all: _Postings = field(default_factory=_Postings)
    _guilds: dict[int, _Postings] = field(default_factory=dict)
    _known: dict[int, set[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, entries: list[IndexEntry], links: list[tuple[int, int]]) -> None:
        """Replace the whole index (bulk: one sort instead of many inserts)."""
        self._entries = {e.book_id: e for e in entries}
        shared = [e for e in entries if e.shared]
        self._all = _Postings(
            sorted({p for e in shared for p in e.postings()}),
            sorted(p for e in shared if (p := e.first_posting()) is not None),
        )
        self._guilds = {}
        self._known = {}
        for guild_id, book_id in links:
            self.link(guild_id, book_id)

    def add(self, entry: IndexEntry) -> None:
        old = self._entries.get(entry.book_id)
        if old == entry:
            return
        guilds = [g for g, ids in self._known.items() if entry.book_id in ids]
        if old is not None:
            if old.shared:
                self._all.remove(old)
            for guild_id in guilds:
                self._guilds[guild_id].remove(old)
        self._entries[entry.book_id] = entry
        if entry.shared:
            self._all.add(entry)
        for guild_id in guilds:
            self._guilds[guild_id].add(entry)

    def link(self, guild_id: int, book_id: int) -> None:
        known = self._known.setdefault(guild_id, set())
        if book_id in known:
            return
        known.add(book_id)
        entry = self._entries.get(book_id)
        if entry is not None:
            self._guilds.setdefault(guild_id, _Postings()).add(entry)

    def search(self, guild_id: int, key: str, limit: int = 25) -> list[IndexEntry]:
        words = key.split()
        if not words or limit <= 0:
            return []
        if len(words) == 1:
            return self._search_one_word(guild_id, words[0], limit)
        return self._search_words(guild_id, key, words, limit)

    def _search_one_word(self, guild_id: int, word: str, limit: int) -> list[IndexEntry]:
        guild = self._guilds.get(guild_id)
        tiers: list[Iterator[int]] = []
        if guild is not None:
            tiers += [_stream(guild.firsts, word), _stream(guild.words, word)]
        tiers += [_stream(self._all.firsts, word), _stream(self._all.words, word)]
        seen: set[int] = set()
        found: list[IndexEntry] = []
        for tier in tiers:
            for book_id in tier:
                if book_id not in seen:
                    seen.add(book_id)
                    found.append(self._entries[book_id])
                    if len(found) >= limit:
                        return found
        return found

    def _search_words(
        self, guild_id: int, key: str, words: list[str], limit: int
    ) -> list[IndexEntry]:
        guild = self._guilds.get(guild_id)
        lists = [self._all.words] + ([guild.words] if guild is not None else [])
        candidates: set[int] | None = None
        for word in sorted(set(words), key=len, reverse=True):
            ids: set[int] = set()
            for postings in lists:
                start, end = _prefix_range(postings, word)
                ids.update(book_id for _, _, book_id in postings[start:end])
            candidates = ids if candidates is None else candidates & ids
            if not candidates:
                return []
        known = self._known.get(guild_id, set())
        entries = self._entries

        def order(book_id: int) -> tuple[int, int, int, int]:
            entry = entries[book_id]
            return (
                0 if book_id in known else 1,
                0 if entry.key.startswith(key) else 1,
                entry.title_length,
                book_id,
            )

        return [entries[i] for i in heapq.nsmallest(limit, candidates or (), key=order)]
