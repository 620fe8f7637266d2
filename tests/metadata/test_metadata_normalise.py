"""Every recorded response parsed into a Book, field by field, plus the awkward cases."""

from __future__ import annotations

import pytest

from bot.domain.book import Book
from bot.domain.isbn import isbn13_check_digit
from bot.metadata import normalise
from bot.metadata.normalise import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    ISBN_LIMIT,
    TITLE_LIMIT,
    author_name,
    book_from_google_volume,
    book_from_ol_search_doc,
    book_from_ol_work,
    clean_subjects,
    clean_title,
    cover_url,
    edition_page_count,
    google_image,
    median_page_count,
    parse_work_key,
    redirect_location,
    work_author_keys,
    year_from,
)
from tests.metadata.metadata_support import COVERS, load

FOX_WORK = "openlibrary_work_OL45804W_fantastic_mr_fox_string_description.json"
FOX_EDITION = "openlibrary_edition_OL7353617M_fantastic_mr_fox.json"
FOX_EDITIONS = "openlibrary_work_editions_OL45804W_page1.json"
SABRIEL_WORK = "openlibrary_work_OL15832982W_sabriel_typed_description.json"
SABRIEL_EDITION = "openlibrary_edition_OL22951843M_sabriel.json"
MARKDOWN_EDITION = "openlibrary_edition_OL36884359M_markdown_description.json"


# --- Open Library search -----------------------------------------------------------------


def test_search_doc_2020_full_fields() -> None:
    docs = load("openlibrary_search_time_war_fields_star_2020.json")["docs"]
    book = book_from_ol_search_doc(docs[0], covers_url=COVERS)
    assert book == Book(
        title="This Is How You Lose the Time War",
        authors=("Amal El-Mohtar", "Max Gladstone"),
        first_year=2019,
        isbn13="9781534431003",
        isbn10="1534431004",
        isbns=("9781534431003",),  # the ISBN-10 in the doc is the same book
        subjects=("Epistolary", "Science fiction", "Time-traveling", "LGBT"),
        ol_work_key="OL20639540W",
        source="openlibrary",
    )
    assert book.cover_url is None  # no cover_i in this doc


def test_search_doc_without_editions_isbn_or_year() -> None:
    doc = load("openlibrary_search_time_war_fields_star_2020.json")["docs"][1]
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None
    assert book.ol_work_key == "OL19859295W"
    assert book.cover_url == f"{COVERS}/b/id/8665647-L.jpg"
    assert (book.isbn13, book.isbn10, book.isbns, book.first_year) == (None, None, (), None)


def test_search_doc_2025_default_fields() -> None:
    doc = load("openlibrary_search_billy_summers_default_fields_2025.json")["docs"][0]
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None
    assert book.title == "Billy Summers"
    assert book.authors == ("Stephen King",)
    assert book.first_year == 2021
    assert book.cover_url == f"{COVERS}/b/id/14654070-L.jpg"
    assert book.ol_work_key == "OL24229351W"
    # default fields carry no isbn/subject/pages: that is why we always send fields=
    assert (book.isbns, book.subjects, book.page_count) == ((), (), None)


def test_search_doc_with_requested_fields() -> None:
    doc = {
        "key": "/works/OL45804W",
        "title": "Fantastic Mr Fox",
        "subtitle": "A Story",
        "author_name": ["Roald Dahl", "Roald Dahl"],
        "first_publish_year": 1970,
        "number_of_pages_median": 96,
        "isbn": ["0140328726", "9780140328721", "not-an-isbn", "9798886451740"],
        "subject": ["Foxes", "foxes", "Accessible book", "nyt:childrens=2020-01-01"],
        "cover_i": -1,
        "edition_count": 140,
    }
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None
    assert book.subtitle == "A Story"
    assert book.authors == ("Roald Dahl",)
    assert book.page_count == 96
    assert book.isbns == ("9780140328721", "9798886451740")
    assert (book.isbn13, book.isbn10) == ("9780140328721", "0140328726")
    assert book.subjects == ("Foxes",)
    assert book.cover_url is None  # -1 means "no cover"


def test_search_doc_without_title_is_skipped() -> None:
    assert book_from_ol_search_doc({"key": "/works/OL1W"}, covers_url=COVERS) is None


# --- Open Library works and editions -----------------------------------------------------


def test_work_with_typed_description_alone() -> None:
    book = book_from_ol_work(load(SABRIEL_WORK), covers_url=COVERS, authors=["Garth Nix"])
    assert book is not None
    assert book.title == "Sabriel"
    assert book.authors == ("Garth Nix",)
    assert book.first_year == 1995
    assert book.description == "First in the Old Kingdom/Abhorsen series."
    assert book.cover_url == f"{COVERS}/b/id/6796986-L.jpg"
    assert book.ol_work_key == "OL15832982W"
    # "Juvenile Fiction" and "Juvenile fiction" fold into one; at most six
    assert book.subjects == (
        "Fantasy",
        "Science Fiction & Fantasy",
        "Fantasy fiction",
        "Fiction",
        "Juvenile Fiction",
        "Magical thinking",
    )
    assert book.page_count is None and book.isbns == ()  # works carry neither


def test_work_with_the_edition_looked_up() -> None:
    book = book_from_ol_work(
        load(SABRIEL_WORK),
        covers_url=COVERS,
        authors=["Garth Nix"],
        edition=load(SABRIEL_EDITION),
    )
    assert book is not None
    assert book.page_count == 491  # no editions list: the edition's own count
    assert book.isbns == ("9780060273224", "9780060273231", "9780064471831")
    assert (book.isbn13, book.isbn10) == ("9780060273224", "0060273224")
    assert book.first_year == 1995  # the work's first publication, not the edition's 1996


def test_fantastic_mr_fox_work_editions_and_edition() -> None:
    editions = load(FOX_EDITIONS)["entries"]
    book = book_from_ol_work(
        load(FOX_WORK),
        covers_url=COVERS,
        authors=[author_name(load("openlibrary_author_OL34184A_roald_dahl.json")) or ""],
        editions=editions,
        edition=load(FOX_EDITION),
    )
    assert book is not None
    assert book.title == "Fantastic Mr Fox"
    assert book.authors == ("Roald Dahl",)
    assert book.first_year == 1970  # earliest edition year on the page
    assert book.page_count == 96  # median of the editions' counts
    assert (book.isbn13, book.isbn10) == ("9780140328721", "0140328726")
    assert book.isbns[0] == "9780140328721"
    assert len(book.isbns) == 47
    assert all(len(i) == 13 for i in book.isbns)
    assert len(set(book.isbns)) == len(book.isbns)
    assert book.cover_url == f"{COVERS}/b/id/8739161-L.jpg"  # the edition's own cover
    assert book.ol_work_key == "OL45804W"
    assert book.subjects == (
        "Animals",
        "Hunger",
        "Juvenile fiction",  # "Open Library Staff Picks" is dropped as noise
        "Children's stories, English",
        "Foxes",
        "Fiction",
    )
    assert book.description is not None
    assert book.description.startswith("The main character of Fantastic Mr. Fox is")
    assert "\r" not in book.description
    assert book.description.count("\n\n") == 2  # three paragraphs kept


def test_work_cover_skips_the_minus_one_placeholder() -> None:
    work = load(FOX_WORK)
    work["covers"] = [-1, 0, 8904777]
    book = book_from_ol_work(work, covers_url=COVERS)
    assert book is not None and book.cover_url == f"{COVERS}/b/id/8904777-L.jpg"


def test_live_work_with_a_stale_location_is_not_a_redirect() -> None:
    work = load(FOX_WORK)
    assert work["location"] == "/works/OL45883W"
    assert redirect_location(work) is None
    merged = {"type": {"key": "/type/redirect"}, "location": "/works/OL45804W"}
    assert redirect_location(merged) == "/works/OL45804W"


def test_markdown_description_edition_without_a_work() -> None:
    book = book_from_ol_work(None, covers_url=COVERS, edition=load(MARKDOWN_EDITION))
    assert book is not None
    assert book.title == "The Stars with You"
    assert book.page_count == 36
    assert book.isbn13 == "9781943899159"
    assert book.isbn10 == "1943899150"
    assert book.first_year == 2022
    assert book.ol_work_key is None and book.cover_url is None and book.authors == ()
    assert book.description is not None
    assert book.description.startswith('"She didn\'t choose her garden" opens this chapbook')
    assert "The Stars With You gives us" in book.description  # *italics* unwrapped
    for leftover in (">", "*", "[", "](", "http", "publisher"):
        assert leftover not in book.description


def test_author_keys_of_works_and_editions() -> None:
    assert work_author_keys(load(SABRIEL_WORK)) == ["OL382982A"]
    assert work_author_keys(load(SABRIEL_EDITION)) == ["OL382982A"]
    assert work_author_keys({"authors": "nonsense"}) == []


def test_author_record_name_and_bio() -> None:
    author = load("openlibrary_author_OL34184A_roald_dahl.json")
    assert author_name(author) == "Roald Dahl"
    assert author_name({"personal_name": "Dahl, Roald."}) == "Dahl, Roald."
    assert author_name({}) is None


def test_median_and_pagination() -> None:
    editions = load(FOX_EDITIONS)["entries"]
    assert median_page_count(editions) == 96
    assert median_page_count([{"number_of_pages": 100}, {"number_of_pages": 201}]) == 151
    assert median_page_count([{}, {"number_of_pages": 0}, {"number_of_pages": True}]) is None
    assert edition_page_count({"pagination": "116 p."}) == 116
    assert edition_page_count({"pagination": "(96)p. :"}) == 96
    assert edition_page_count({"pagination": "152 p., [8] p. of plates :"}) is None
    assert edition_page_count({"pagination": "20cm.96. Ill.T.Ross"}) is None
    assert edition_page_count({"number_of_pages": 999_999}) is None


# --- Google Books ------------------------------------------------------------------------


def test_google_volume_1984() -> None:
    book = book_from_google_volume(load("googlebooks_volume_hV--zQEACAAJ_1984.json"))
    assert book is not None
    assert book.title == "1984 Nineteen Eighty-Four"
    assert book.authors == ("George Orwell",)
    assert book.first_year == 2021
    assert book.page_count == 400
    assert (book.isbn13, book.isbn10, book.isbns) == (
        "9781847498571",
        "1847498574",
        ("9781847498571",),
    )
    assert book.subjects == ()  # no categories in this record
    assert book.google_volume_id == "hV--zQEACAAJ"
    assert book.source == "googlebooks" and book.ol_work_key is None
    assert book.cover_url is not None
    assert book.cover_url.startswith("https://books.google.com/books/content?id=hV--zQEACAAJ")
    assert "zoom=1" in book.cover_url  # the largest offered here is the thumbnail
    assert book.description is not None and book.description.startswith("In 1984, London")


def test_google_volume_with_html_description() -> None:
    book = book_from_google_volume(
        load("googlebooks_volume_5AokCxyISuIC_invisible_cities_html.json")
    )
    assert book is not None
    assert book.title == "Stories of Your Life and Others"
    assert book.google_volume_id == "WTBA-wzX7cwC"
    assert (book.isbn13, book.isbn10) == ("9781931520898", "1931520895")  # order-independent
    assert book.page_count == 288
    assert book.first_year == 2010
    assert book.subjects == (
        "Fiction",
        "Science Fiction",
        "Collections & Anthologies",
        "Alien Contact",
        "Asian American",
    )
    assert book.description is not None
    assert "<" not in book.description and "&" not in book.description
    assert book.description.startswith("From the author of Exhalation, an award-winning")
    assert '"absorbing storytelling' in book.description
    assert book.description.endswith("the major motion picture Arrival")
    assert book.description.count("\n\n") == 2
    assert book.cover_url is not None
    assert book.cover_url.startswith("https://") and "zoom=4" in book.cover_url
    assert "edge=curl" not in book.cover_url


def test_google_identifiers_of_type_other_are_ignored() -> None:
    volume = {
        "id": "abc123DEF",
        "volumeInfo": {
            "title": "Thesis",
            "industryIdentifiers": [
                {"type": "OTHER", "identifier": "UOM:39015012345678"},
                {"type": "OTHER", "identifier": "9780140328721"},  # even when it looks like one
                {"type": "ISSN", "identifier": "0028-0836"},
                {"type": "ISBN_13", "identifier": "9790000000002"},  # bad check digit
            ],
        },
    }
    book = book_from_google_volume(volume)
    assert book is not None
    assert (book.isbn13, book.isbn10, book.isbns) == (None, None, ())
    assert book.authors == () and book.page_count is None and book.cover_url is None


def test_google_979_isbn_has_no_isbn10() -> None:
    volume = {
        "id": "x",
        "volumeInfo": {
            "title": "New",
            "industryIdentifiers": [{"type": "ISBN_13", "identifier": "979-10-90636-07-1"}],
        },
    }
    book = book_from_google_volume(volume)
    assert book is not None and (book.isbn13, book.isbn10) == ("9791090636071", None)


def test_google_volume_without_info_is_skipped() -> None:
    assert book_from_google_volume({"kind": "books#volume", "id": "x"}) is None


def test_google_image_prefers_large_and_upgrades_to_https() -> None:
    links = {
        "smallThumbnail": "http://books.google.com/books/content?id=a&zoom=5&edge=curl",
        "thumbnail": "http://books.google.com/books/content?id=a&zoom=1&edge=curl&source=gbs_api",
    }
    assert (
        google_image(links) == "https://books.google.com/books/content?id=a&zoom=1&source=gbs_api"
    )
    assert google_image({"thumbnail": "javascript:alert(1)"}) is None
    assert google_image({}) is None


# --- non-Latin and odd input -------------------------------------------------------------


def test_non_latin_titles_and_authors_survive() -> None:
    doc = {
        "key": "/works/OL3338003W",
        "title": "ノルウェイの森",
        "author_name": ["村上春樹"],
        "first_publish_year": 1987,
        "subject": ["小説", "Любовь"],
    }
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None
    assert book.title == "ノルウェイの森"
    assert book.authors == ("村上春樹",)
    assert book.subjects == ("小説", "Любовь")
    volume = {"id": "q", "volumeInfo": {"title": "Мастер и Маргарита", "authors": ["Булгаков"]}}
    google = book_from_google_volume(volume)
    assert google is not None and google.title == "Мастер и Маргарита"


def test_missing_everything_but_a_title() -> None:
    book = book_from_ol_work({"title": "Untitled Notes", "key": "/works/OL9W"}, covers_url=COVERS)
    assert book == Book(title="Untitled Notes", ol_work_key="OL9W", source="openlibrary")


def test_wrong_types_are_treated_as_missing() -> None:
    doc = {
        "key": 12,
        "title": "Odd",
        "author_name": "not a list",
        "first_publish_year": "nineteen",
        "number_of_pages_median": "96",
        "isbn": None,
        "cover_i": True,
    }
    assert book_from_ol_search_doc(doc, covers_url=COVERS) == Book(title="Odd")


def test_long_descriptions_are_trimmed_to_fit_an_embed() -> None:
    work = {"title": "Long", "description": "word " * 3000}
    book = book_from_ol_work(work, covers_url=COVERS)
    assert book is not None and book.description is not None
    assert len(book.description) <= DESCRIPTION_LIMIT and book.description.endswith("…")


def test_descriptions_cannot_ping() -> None:
    work = {"title": "Ping", "description": {"type": "/type/text", "value": "Hi @everyone <@&1>"}}
    book = book_from_ol_work(work, covers_url=COVERS)
    assert book is not None and book.description == "Hi @\u200beveryone <\u200b@&1>"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("OL45804W", "OL45804W"),
        ("/works/OL45804W", "OL45804W"),
        ("https://openlibrary.org/works/OL45804W/Fantastic_Mr_Fox", "OL45804W"),
        ("ol45804w", "OL45804W"),
        ("/books/OL7353617M", None),
        ("OL34184A", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_work_key(raw: object, key: str | None) -> None:
    assert parse_work_key(raw) == key


def test_small_field_rules() -> None:
    assert clean_title("Sabriel /") == "Sabriel"
    assert clean_title("  The\tHobbit :  ") == "The Hobbit"
    assert clean_title("") is None
    assert year_from("October 1, 1988") == 1988
    assert year_from("2010-10-26") == 2010
    assert year_from("c. 400 BC") is None
    assert year_from(True) is None
    assert cover_url(COVERS + "/", 12) == f"{COVERS}/b/id/12-L.jpg"
    assert cover_url(COVERS, "12") is None
    volume = {"id": "g", "volumeInfo": {"title": "T", "categories": ["Fiction / General"]}}
    google = book_from_google_volume(volume)
    assert google is not None and google.subjects == ("Fiction",)
    assert clean_subjects(["Foxes -- Juvenile fiction", "place:london", "x" * 80, "Fantasy."]) == (
        "Foxes",
        "Fantasy",
    )


# --- huge fields in otherwise valid answers ----------------------------------------------


def _isbn13(n: int) -> str:
    first12 = f"978{n:09d}"
    return first12 + isbn13_check_digit(first12)


def test_a_huge_cover_id_gives_no_cover() -> None:
    doc = {"key": "/works/OL1W", "title": "Big", "cover_i": 10**600}
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None and book.cover_url is None
    work = book_from_ol_work({"title": "Big", "covers": [10**600, 12]}, covers_url=COVERS)
    assert work is not None and work.cover_url == f"{COVERS}/b/id/12-L.jpg"


def test_a_flood_of_authors_is_capped() -> None:
    doc = {"title": "Anthology", "author_name": [f"Author {n}" for n in range(10_000)]}
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None and len(book.authors) == AUTHOR_LIMIT
    assert book.authors[0] == "Author 0"
    volume = {"id": "v", "volumeInfo": {"title": "A", "authors": [f"N{n}" for n in range(999)]}}
    google = book_from_google_volume(volume)
    assert google is not None and len(google.authors) == AUTHOR_LIMIT


def test_a_flood_of_isbns_is_capped() -> None:
    isbns = [_isbn13(n) for n in range(5_000)]
    book = book_from_ol_search_doc({"title": "Many", "isbn": isbns}, covers_url=COVERS)
    assert book is not None and len(book.isbns) == ISBN_LIMIT
    assert book.isbn13 == isbns[0]
    editions = [{"isbn_13": isbns[n : n + 50]} for n in range(0, 5_000, 50)]
    work = book_from_ol_work({"title": "Many"}, covers_url=COVERS, editions=editions)
    assert work is not None and len(work.isbns) == ISBN_LIMIT


def test_a_huge_description_is_cut_before_it_is_cleaned(monkeypatch: pytest.MonkeyPatch) -> None:
    # the Markdown/HTML cleaner's cost grows faster than its input; a hostile 4 MB
    # description must not reach it whole
    seen: list[int] = []
    real = normalise.clean_description

    def spy(value: object) -> str:
        seen.append(len(value) if isinstance(value, str) else -1)
        return real(value)

    monkeypatch.setattr(normalise, "clean_description", spy)
    work = {"title": "Long", "description": "**x " * 1_000_000}
    book = book_from_ol_work(work, covers_url=COVERS)
    assert seen and max(seen) <= 2 * DESCRIPTION_LIMIT
    assert book is not None and book.description is not None
    assert len(book.description) <= DESCRIPTION_LIMIT and book.description.endswith("…")
    typed = {"title": "Long", "description": {"type": "/type/text", "value": "y " * 10**6}}
    book = book_from_ol_work(typed, covers_url=COVERS)
    assert max(seen) <= 2 * DESCRIPTION_LIMIT
    assert book is not None and book.description and book.description.endswith("…")


def test_a_description_cut_inside_a_tag_leaves_no_markup() -> None:
    html = "<p>" + "word " * 1_590 + '<a href="https://example.org/' + "x" * 5_000 + '">link</a>'
    book = book_from_google_volume({"id": "v", "volumeInfo": {"title": "T", "description": html}})
    assert book is not None and book.description is not None
    assert "<" not in book.description and "href" not in book.description
    assert book.description.endswith("…")


def test_huge_titles_and_names_are_cut_before_cleaning(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = normalise.clean_line

    def spy(value: object) -> str:
        seen.append(len(value) if isinstance(value, str) else -1)
        return real(value)

    monkeypatch.setattr(normalise, "clean_line", spy)
    doc = {"title": "t" * 4_000_000, "author_name": ["a" * 4_000_000], "subject": ["s" * 10**6]}
    book = book_from_ol_search_doc(doc, covers_url=COVERS)
    assert book is not None and len(book.title) <= TITLE_LIMIT
    assert max(seen) <= 4 * TITLE_LIMIT
