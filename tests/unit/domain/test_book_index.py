"""The in-memory autocomplete index ranks exactly like a brute-force reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.book_index import BookIndex, IndexEntry

WORDS = ["ab", "abc", "abd", "b", "ba", "bab", "c", "ca", "cab", "dab"]


def reference(entries: list[IndexEntry], known: set[int], key: str, limit: int) -> list[int]:
    typed = key.split()
    matches = [
        e
        for e in entries
        if (e.shared or e.book_id in known)
        and all(any(w.startswith(t) for w in e.key.split()) for t in typed)
    ]
    matches.sort(
        key=lambda e: (
            0 if e.book_id in known else 1,
            0 if e.key.startswith(key) else 1,
            e.title_length,
            e.book_id,
        )
    )
    return [e.book_id for e in matches[:limit]]


entry_keys = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    keys=entry_keys,
    known_bits=st.lists(st.booleans(), min_size=40, max_size=40),
    shared_bits=st.lists(st.booleans(), min_size=40, max_size=40),
    query=st.lists(st.sampled_from(["a", "ab", "b", "ba", "c", "d", "x"]), min_size=1, max_size=2),
    limit=st.integers(min_value=1, max_value=10),
    incremental=st.booleans(),
)
def test_matches_reference(
    keys: list[list[str]],
    known_bits: list[bool],
    shared_bits: list[bool],
    query: list[str],
    limit: int,
    incremental: bool,
) -> None:
    """Member-made books (not shared) match only in the server that links them (7)."""
    entries = [
        IndexEntry(
            book_id=i + 1,
            key=" ".join(words),
            label=f"b{i}",
            title_length=len(words[0]) + i % 3,
            shared=shared_bits[i],
        )
        for i, words in enumerate(keys)
    ]
    known = {e.book_id for e, bit in zip(entries, known_bits, strict=False) if bit}
    index = BookIndex()
    if incremental:
        for entry in entries:
            index.add(entry)
        for book_id in known:
            index.link(7, book_id)
    else:
        index.load(entries, [(7, b) for b in known])
    key = " ".join(query)
    got = [e.book_id for e in index.search(7, key, limit)]
    assert got == reference(entries, known, key, limit)


def test_update_moves_a_book_to_its_new_words() -> None:
    index = BookIndex()
    index.add(IndexEntry(1, "old title", "Old", 9))
    index.link(5, 1)
    index.add(IndexEntry(1, "new name", "New", 8))
    assert index.search(5, "old") == []
    assert [e.label for e in index.search(5, "new")] == ["New"]
    assert len(index) == 1


def test_other_guilds_books_come_after_this_guilds() -> None:
    index = BookIndex()
    index.load(
        [IndexEntry(1, "dune", "Dune", 4), IndexEntry(2, "dune messiah", "Dune Messiah", 12)],
        [(1, 2)],
    )
    assert [e.book_id for e in index.search(1, "dune")] == [2, 1]
    assert [e.book_id for e in index.search(2, "dune")] == [1, 2]


def test_a_member_made_book_is_offered_only_where_it_is_linked() -> None:
    index = BookIndex()
    index.load(
        [IndexEntry(1, "dune", "Dune", 4), IndexEntry(2, "dune fanfic", "Fanfic", 11, False)],
        [(1, 2)],
    )
    assert [e.book_id for e in index.search(1, "dune")] == [2, 1]
    assert [e.book_id for e in index.search(2, "dune")] == [1]
    assert [e.book_id for e in index.search(2, "dune fan")] == []
    index.add(IndexEntry(3, "dune notes", "Notes", 10, False))
    index.link(2, 3)
    assert [e.book_id for e in index.search(2, "dune")] == [3, 1]
    assert [e.book_id for e in index.search(1, "dune n")] == []
    assert [e.book_id for e in index.search(2, "dune n")] == [3]
