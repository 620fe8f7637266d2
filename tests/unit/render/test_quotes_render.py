"""The posted quote judged as Discord shows it: hostile member text around and inside the
quote never shows the quote's words outside the spoiler span."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.quotes import StoredQuote
from bot.domain.book import Book
from bot.domain.discord_limits import EMBED_DESCRIPTION_LIMIT
from bot.domain.progress_gate import Position
from bot.domain.quote import NOTE_MAX, TEXT_MAX
from bot.render.quotes import quote_embed
from bot.services.quotes import QuoteContext
from tests.support.discord_markdown import visible_outside_spoilers

SECRET = "Lydgatedies"
MARKUP = st.text(alphabet="|~*_`\\>#-[]()<@&!: \nab", max_size=40)


def _context(text: str, note: str | None, title: str, author: str, page: int) -> QuoteContext:
    quote = StoredQuote(
        id=1,
        guild_id=1,
        user_id=2,
        book_id=3,
        text=text,
        note=note,
        position=Position.at_page(page),
        channel_id=None,
        message_id=None,
        source_channel_id=None,
        source_message_id=None,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    book = Book(title=title, authors=(author,), page_count=800, id=3)
    return QuoteContext(quote, book)


@settings(max_examples=300)
@given(MARKUP, MARKUP, MARKUP, MARKUP, st.booleans())
def test_a_hidden_quote_never_shows_outside_its_spoiler(
    before: str, after: str, title: str, author: str, with_note: bool
) -> None:
    text = f"{before}{SECRET}{after}"
    note = f"{after}{SECRET}{before}" if with_note else None
    embed = quote_embed(_context(text, note, title or "T", author or "A", page=500))
    description = embed.description or ""
    assert SECRET not in visible_outside_spoilers(description)
    assert SECRET not in visible_outside_spoilers(embed.title or "")


def test_the_longest_quote_and_note_fit_without_clipping_the_spoiler() -> None:
    worst = "|~" * (TEXT_MAX // 2)
    context = _context(worst, "|~" * (NOTE_MAX // 2), "~" * 300, "|" * 200, page=500)
    description = quote_embed(context).description or ""
    assert len(description) <= EMBED_DESCRIPTION_LIMIT
    assert description.rstrip().endswith("Saved by <@2>")
