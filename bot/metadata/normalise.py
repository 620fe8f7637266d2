"""Open Library and Google Books JSON → :class:`bot.domain.book.Book`. Pure functions.

The JSON is parsed defensively: a field of the wrong type is treated as missing, never
trusted. Lengths are capped to what the ``books`` table holds, and so are counts (authors,
ISBNs). Strings are cut to a few times their limit *before* they are cleaned: cleaning costs
more than linear time on hostile input, and a body may hold megabytes in one field.

Length (~450 lines): two sources' parsers share the defensive field readers at the top.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.domain import isbn as isbnlib
from bot.domain.book import Book
from bot.domain.text import ELLIPSIS, clean_description, clean_line, search_key, trim

Json = Mapping[str, object]

SOURCE_OPENLIBRARY: Final = "openlibrary"
SOURCE_GOOGLE: Final = "googlebooks"
TITLE_LIMIT = 512
URL_LIMIT = 512
DESCRIPTION_LIMIT = 4000  # an embed description holds 4,096
RAW_DESCRIPTION_LIMIT = 2 * DESCRIPTION_LIMIT  # markup included, before cleaning
SUBJECT_LIMIT = 6
SUBJECT_LENGTH_LIMIT = 60
NAME_LIMIT = 200
AUTHOR_LIMIT = 20  # the card names three; an anthology's long tail is noise
ISBN_LIMIT = 100  # 50 editions with an ISBN-10 and -13 each fold into at most 100
MAX_PAGES = 20_000  # above this a page count is a data-entry error

_WORK_KEY = re.compile(r"(?:^|/works/)(OL\d+W)(?:$|[/.?#])", re.IGNORECASE)
_AUTHOR_KEY = re.compile(r"(?:^|/authors/)(OL\d+A)(?:$|[/.?#])", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# "96", "116 p.", "82 pages", "(96)p. :", "63 s :" — but not "152 p., [8] p. of plates"
_PAGINATION = re.compile(r"^\s*[\[(]?(\d{1,5})[\])]?\s*(?:p(?:ages?)?\.?|s\.?)?\s*[:;,.]?\s*$")
_TRAILING_MARC = re.compile(r"\s*[/:;,=]\s*$")
_VOLUME_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SUBJECT_NOISE = frozenset(
    (
        "accessible book",
        "protected daisy",
        "in library",
        "lending library",
        "open library staff picks",
        "large type books",
        "overdrive",
        "internet archive wishlist",
        "long now manual for civilization",
        "reading level-grade 1",
        "general",  # the last level of BISAC "Fiction / General"
    )
)
_GOOGLE_IMAGE_SIZES = ("large", "medium", "small", "thumbnail", "smallThumbnail")
# what is left dangling when raw markup is cut short: a tag, an entity, a Markdown link
_DANGLING_MARKUP = re.compile(r"(?:<[^>]*|&#?\w*|!?\[[^\]\n]*(?:\]\([^)\s]*)?)$")


# --- defensive accessors -----------------------------------------------------------------


def _str(obj: Json, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _int(obj: Json, key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(obj: Json, key: str) -> list[object]:
    value = obj.get(key)
    return list(value) if isinstance(value, list) else []


def _strs(obj: Json, key: str) -> list[str]:
    return [v for v in _list(obj, key) if isinstance(v, str)]


def _objs(obj: Json, key: str) -> list[Json]:
    return [v for v in _list(obj, key) if isinstance(v, Mapping)]


def _obj(obj: Json, key: str) -> Json:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def _head(value: object, limit: int) -> object:
    """A string cut to ``limit`` characters before cleaning; other values unchanged."""
    return value[:limit] if isinstance(value, str) and len(value) > limit else value


# --- keys, redirects, authors ------------------------------------------------------------


def parse_work_key(value: object) -> str | None:
    """``"OL45804W"`` from ``"OL45804W"``, ``"/works/OL45804W"`` or a work URL, else None."""
    if not isinstance(value, str):
        return None
    match = _WORK_KEY.search(value.strip())
    return match.group(1).upper() if match else None


def parse_author_key(value: object) -> str | None:
    """``"OL34184A"`` from ``"/authors/OL34184A"`` (or the bare key), else None."""
    if not isinstance(value, str):
        return None
    match = _AUTHOR_KEY.search(value.strip())
    return match.group(1).upper() if match else None


def redirect_location(doc: Json) -> str | None:
    """Where a merged Open Library record now lives, when ``doc`` is a ``/type/redirect``.

    Only the type decides: live works may carry a stale ``location`` field too.
    """
    if _obj(doc, "type").get("key") != "/type/redirect":
        return None
    return _str(doc, "location")


def work_author_keys(doc: Json) -> list[str]:
    """Author keys of a work (``authors[].author.key``) or edition (``authors[].key``)."""
    keys: list[str] = []
    for entry in _objs(doc, "authors"):
        nested = entry.get("author")
        raw = nested.get("key") if isinstance(nested, Mapping) else entry.get("key")
        key = parse_author_key(raw)
        if key and key not in keys:
            keys.append(key)
    return keys


def author_name(doc: Json) -> str | None:
    """The display name from an ``/authors/OL…A.json`` record."""
    for field in ("name", "personal_name"):
        name = trim(clean_line(_head(doc.get(field), 4 * NAME_LIMIT)), NAME_LIMIT)
        if name:
            return name
    return None


# --- field rules -------------------------------------------------------------------------


def clean_title(value: object) -> str | None:
    """One line, without the trailing " /" or " :" that catalogue records leave behind."""
    text = _TRAILING_MARC.sub("", clean_line(_head(value, 4 * TITLE_LIMIT)))
    return trim(text, TITLE_LIMIT) if text else None


def year_from(value: object) -> int | None:
    """A plausible year from an int or a date string ("October 1, 1988", "2010-10-26")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= 2100 else None
    if isinstance(value, str):
        match = _YEAR.search(value)
        if match and 1000 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return None


def _valid_pages(value: int | None) -> int | None:
    return value if value is not None and 0 < value <= MAX_PAGES else None


def edition_page_count(edition: Json) -> int | None:
    """``number_of_pages``, else a plain ``pagination`` such as "116 p."."""
    pages = _valid_pages(_int(edition, "number_of_pages"))
    if pages is None and (pagination := _str(edition, "pagination")):
        match = _PAGINATION.match(pagination)
        pages = _valid_pages(int(match.group(1))) if match else None
    return pages


def median_page_count(editions: Iterable[Json]) -> int | None:
    """The median page count over the editions that have one (rounded half up)."""
    counts = [p for e in editions if (p := edition_page_count(e)) is not None]
    if not counts:
        return None
    return int(statistics.median(counts) + 0.5)


def isbn13s(values: Iterable[object]) -> tuple[str, ...]:
    """The first :data:`ISBN_LIMIT` valid ISBNs among ``values`` as ISBN-13, de-duplicated,
    in order."""
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and len(value) <= 32 and (as13 := isbnlib.to_isbn13(value)):
            seen.setdefault(as13, None)
            if len(seen) == ISBN_LIMIT:
                break
    return tuple(seen)


def _edition_isbns(edition: Json) -> tuple[str, ...]:
    return isbn13s([*_strs(edition, "isbn_13"), *_strs(edition, "isbn_10")])


def primary_isbns(isbns: Sequence[str]) -> tuple[str | None, str | None]:
    """(ISBN-13, ISBN-10) of the first ISBN; the ISBN-10 is None for 979 numbers."""
    if not isbns:
        return None, None
    return isbns[0], isbnlib.to_isbn10(isbns[0])


def clean_subjects(values: Iterable[object], limit: int = SUBJECT_LIMIT) -> tuple[str, ...]:
    """A few readable subjects: noise and machine tags dropped, duplicates folded."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        subject = clean_line(_head(value, 4 * SUBJECT_LENGTH_LIMIT)).split(" -- ")[0]
        subject = subject.rstrip(" .;,:")
        prefix = subject.split(":", 1)[0]
        if (
            not subject
            or len(subject) > SUBJECT_LENGTH_LIMIT
            or "=" in subject
            or (":" in subject and prefix.islower() and " " not in prefix)  # nyt:…, place:…
            or subject.casefold() in _SUBJECT_NOISE
        ):
            continue
        if subject.islower():
            subject = subject[0].upper() + subject[1:]
        key = search_key(subject)
        if key and key not in seen:
            seen.add(key)
            out.append(subject)
            if len(out) == limit:
                break
    return tuple(out)


def clean_authors(names: Iterable[object]) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        text = clean_line(_head(name, 4 * NAME_LIMIT))
        key = search_key(text)
        if text and key not in seen:
            seen.add(key)
            out.append(trim(text, NAME_LIMIT))
            if len(out) == AUTHOR_LIMIT:
                break
    return tuple(out)


def _cut_markup(raw: str, limit: int) -> str:
    """``raw`` cut to at most ``limit`` characters on a space, without a dangling tag,
    entity or Markdown link at the end (only the last 2,000 characters are looked at)."""
    raw = raw[:limit]
    raw = raw[: max(raw.rfind(" "), raw.rfind("\n"))] or raw
    head, tail = raw[:-2000], raw[-2000:]
    return head + _DANGLING_MARKUP.sub("", tail)


def _description(*values: object) -> str | None:
    """The first description that has text, cleaned; a huge one is cut (and says so)."""
    for value in values:
        raw = value.get("value") if isinstance(value, Mapping) else value
        if not isinstance(raw, str):
            continue
        cut = len(raw) > RAW_DESCRIPTION_LIMIT
        text = clean_description(_cut_markup(raw, RAW_DESCRIPTION_LIMIT) if cut else raw)
        if text:
            return trim(text.rstrip() + ELLIPSIS if cut else text, DESCRIPTION_LIMIT)
    return None


def _subtitle(value: object, title: str) -> str | None:
    subtitle = clean_title(value)
    return subtitle if subtitle and subtitle.casefold() != title.casefold() else None


# --- covers ------------------------------------------------------------------------------


def cover_url(covers_base: str, cover_id: object) -> str | None:
    """``{covers}/b/id/{id}-L.jpg`` for a real cover id; -1 and other non-positive ids are
    Open Library's "no cover" placeholders and give None (we never store a blank image)."""
    if isinstance(cover_id, bool) or not isinstance(cover_id, int) or cover_id <= 0:
        return None
    if cover_id.bit_length() > 63:  # no real id is this large; it would not fit the column
        return None
    url = f"{covers_base.rstrip('/')}/b/id/{cover_id}-L.jpg"
    return url if len(url) <= URL_LIMIT else None


def _first_cover(covers_base: str, *docs: Json) -> str | None:
    for doc in docs:
        for cover_id in _list(doc, "covers"):
            if url := cover_url(covers_base, cover_id):
                return url
    return None


def google_image(image_links: Json) -> str | None:
    """The largest Google cover offered, over https, without the page-curl effect."""
    for size in _GOOGLE_IMAGE_SIZES:
        raw = _str(image_links, size)
        if raw is None:
            continue
        parts = urlsplit(raw.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "edge"])
        url = urlunsplit(("https", parts.netloc, parts.path, query, ""))
        if len(url) <= URL_LIMIT:
            return url
    return None


# --- Open Library ------------------------------------------------------------------------


def book_from_ol_search_doc(doc: Json, *, covers_url: str) -> Book | None:
    """A Book from one ``search.json`` doc (requested with an explicit ``fields=`` list)."""
    title = clean_title(doc.get("title"))
    if title is None:
        return None
    isbns = isbn13s(_list(doc, "isbn"))
    isbn13, isbn10 = primary_isbns(isbns)
    return Book(
        title=title,
        subtitle=_subtitle(doc.get("subtitle"), title),
        authors=clean_authors(_list(doc, "author_name")),
        first_year=year_from(doc.get("first_publish_year")),
        page_count=_valid_pages(_int(doc, "number_of_pages_median")),
        isbn13=isbn13,
        isbn10=isbn10,
        isbns=isbns,
        subjects=clean_subjects(_list(doc, "subject")),
        cover_url=cover_url(covers_url, doc.get("cover_i")),
        ol_work_key=parse_work_key(doc.get("key")),
        source=SOURCE_OPENLIBRARY,
    )


def _english_first(editions: Sequence[Json]) -> list[Json]:
    def is_english(edition: Json) -> bool:
        return any(lang.get("key") == "/languages/eng" for lang in _objs(edition, "languages"))

    return sorted(editions, key=lambda e: not is_english(e))  # stable: keeps OL's order


def book_from_ol_work(
    work: Json | None,
    *,
    covers_url: str,
    authors: Sequence[str] = (),
    editions: Sequence[Json] = (),
    edition: Json | None = None,
) -> Book | None:
    """A Book from a work record, its editions and author names.

    ``edition`` is the one a member looked up by ISBN: its ISBNs and cover come first, and
    its page count is used only when no edition median exists. ``work`` may be None for an
    orphan edition that belongs to no work.
    """
    work = work or {}
    edition = edition or {}
    title = clean_title(work.get("title")) or clean_title(edition.get("title"))
    if title is None:
        return None
    ordered = _english_first(editions)
    isbns = isbn13s([*_edition_isbns(edition), *(i for e in ordered for i in _edition_isbns(e))])
    isbn13, isbn10 = primary_isbns(isbns)
    first_year = year_from(work.get("first_publish_date"))
    if first_year is None:
        years = [y for e in editions if (y := year_from(e.get("publish_date"))) is not None]
        first_year = min(years) if years else year_from(edition.get("publish_date"))
    subjects = clean_subjects(_list(work, "subjects")) or clean_subjects(_list(edition, "subjects"))
    return Book(
        title=title,
        subtitle=_subtitle(work.get("subtitle") or edition.get("subtitle"), title),
        authors=clean_authors(authors),
        first_year=first_year,
        page_count=(
            _valid_pages(_int(work, "number_of_pages_median"))
            or median_page_count(editions)
            or edition_page_count(edition)
        ),
        isbn13=isbn13,
        isbn10=isbn10,
        isbns=isbns,
        subjects=subjects,
        description=_description(work.get("description"), edition.get("description")),
        cover_url=_first_cover(covers_url, edition, work, *ordered),
        ol_work_key=parse_work_key(work.get("key")),
        source=SOURCE_OPENLIBRARY,
    )


# --- Google Books ------------------------------------------------------------------------


def google_volume_isbns(info: Json) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(ISBN-13, ISBN-10, all as ISBN-13) from ``industryIdentifiers``; OTHER/ISSN ignored."""
    by_type: dict[str, list[str]] = {"ISBN_13": [], "ISBN_10": []}
    for ident in _objs(info, "industryIdentifiers"):
        kind = ident.get("type")
        value = isbnlib.normalise(str(ident.get("identifier", "")))
        if isinstance(kind, str) and kind in by_type and value and len(value) == int(kind[-2:]):
            by_type[kind].append(value)
    isbns = isbn13s([*by_type["ISBN_13"], *by_type["ISBN_10"]])
    isbn13 = isbns[0] if isbns else None
    isbn10 = by_type["ISBN_10"][0] if by_type["ISBN_10"] else None
    if isbn10 is None and isbn13:
        isbn10 = isbnlib.to_isbn10(isbn13)
    return isbn13, isbn10, isbns


def _google_subjects(categories: Iterable[str]) -> tuple[str, ...]:
    # BISAC-style "Fiction / Science Fiction / Alien Contact": each level is a subject
    return clean_subjects(part for c in categories for part in c.split(" / "))


def book_from_google_volume(volume: Json) -> Book | None:
    """A Book from a Google Books volume (``/volumes/{id}`` or one search ``items`` entry)."""
    info = _obj(volume, "volumeInfo")
    title = clean_title(info.get("title"))
    if title is None:
        return None
    isbn13, isbn10, isbns = google_volume_isbns(info)
    volume_id = _str(volume, "id")
    return Book(
        title=title,
        subtitle=_subtitle(info.get("subtitle"), title),
        authors=clean_authors(_list(info, "authors")),
        first_year=year_from(info.get("publishedDate")),
        page_count=_valid_pages(_int(info, "pageCount"))
        or _valid_pages(_int(info, "printedPageCount")),
        isbn13=isbn13,
        isbn10=isbn10,
        isbns=isbns,
        subjects=_google_subjects(_strs(info, "categories")),
        description=_description(info.get("description")),
        cover_url=google_image(_obj(info, "imageLinks")),
        google_volume_id=volume_id if volume_id and _VOLUME_ID.match(volume_id) else None,
        source=SOURCE_GOOGLE,
    )
