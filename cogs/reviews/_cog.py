"""/review write|edit|delete|show|list: the commands of the reviews cog.

The Discord glue only: options and permissions are checked here, the rules live in
:class:`~bot.services.reviews.ReviewService`, the embeds in :mod:`bot.render.reviews`,
posting in :mod:`cogs.reviews._publisher` and the buttons in :mod:`cogs.reviews._buttons`
(their actions in :mod:`cogs.reviews._actions`).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MarginaliaBot
from bot.db.review_drafts import StoredDraft
from bot.domain.book import Book
from bot.domain.discord_limits import (
    MODAL_TEXT_INPUT_LIMIT,
)
from bot.domain.markdown import inert
from bot.domain.review import CONTENT_WARNINGS_MAX, ReviewOrder
from bot.errors import InvalidInput
from bot.render.reviews import (
    form_draft_id,
    form_error_embed,
    link_view,
    modlog_removed_embed,
    review_jump_url,
    review_list_embed,
    review_list_view,
    review_messages,
    review_modal,
    submitted_form,
)
from bot.services.reviews import (
    ReviewForm,
    ReviewPage,
    WritePlan,
)
from bot.tree import handle_interaction_error
from cogs._book_option import BOOK_OPTION_HELP, book_autocomplete, respond, with_book
from cogs._checks import (
    guild_id_of,
    is_moderator,
    require_moderator,
)
from cogs.reviews._actions import ButtonActions
from cogs.reviews._buttons import (
    COG_NAME,
    REVIEW_ITEMS,
    draft_view,
)
from cogs.reviews._publisher import ReviewPublisher

NO_MENTIONS = discord.AllowedMentions.none()
Interaction = discord.Interaction[Any]


class Reviews(commands.Cog, name=COG_NAME):
    review = app_commands.Group(
        name="review", description="Reviews with spoiler-safe posts.", guild_only=True
    )

    def __init__(self, bot: MarginaliaBot) -> None:
        self.bot = bot
        self.service = bot.services.reviews
        self.ratings = bot.services.ratings
        self.drafts = bot.services.review_drafts
        self.publisher = ReviewPublisher(bot)
        self._actions = ButtonActions(bot, self.publisher)

    @property
    def actions(self) -> ButtonActions:
        """What the post's buttons do (found by the buttons through the loaded cog)."""
        return self._actions

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*REVIEW_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*REVIEW_ITEMS)

    async def _star_choices(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        choices = await self.ratings.star_choices(interaction.guild_id, current)
        return [app_commands.Choice(name=c.name, value=c.value) for c in choices]

    @review.command(name="write", description="Review a book: a form opens (long reviews: a file).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        stars="Your rating, 0.5 to 5 on this server's step (optional)",
        spoilers_reach='How far your spoilers go: "p250", "60%" or "ending" (the default)',
        file="A .txt or .md file for long reviews; spoilers after a line --- spoilers ---",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def write(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        stars: app_commands.Range[str, 1, 40] | None = None,
        spoilers_reach: app_commands.Range[str, 1, 40] | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if stars is not None:
            await self.ratings.precheck(guild_id, stars)  # fail before any lookup
        if file is not None:
            self.service.check_file_size(file.size)

        async def go(reply_to: Interaction, chosen: Book) -> None:
            assert chosen.id is not None
            plan = await self.service.plan_write(
                guild_id, reply_to.user.id, chosen, stars=stars, spoilers_reach=spoilers_reach
            )
            if file is not None:
                await self._write_from_file(reply_to, plan, file)
                return
            draft = await self.drafts.open_for_write(
                guild_id, reply_to.user.id, chosen.id, stars=stars, spoilers_reach=spoilers_reach
            )
            await self._open_form(reply_to, draft, chosen, "Open the review form")

        await with_book(interaction, book, go)

    @write.autocomplete("stars")
    async def write_stars(
        self, interaction: discord.Interaction[MarginaliaBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._star_choices(interaction, current)

    async def _write_from_file(
        self, interaction: Interaction, plan: WritePlan, file: discord.Attachment
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise InvalidInput(
                "I couldn't download the attached file. Attach it again and resend the command."
            ) from None
        draft = self.service.draft_from_file(plan, data, file.filename)
        context = await self.service.write(guild_id, interaction.user.id, plan, draft)
        await self.publisher.publish_new(interaction, context)

    async def _open_form(
        self, interaction: Interaction, draft: StoredDraft, book: Book, label: str
    ) -> None:
        """Open the form on the draft; a modal must be the first answer, so a deferred
        interaction gets a (persistent) button that opens it instead."""
        if interaction.response.is_done():
            await interaction.followup.send(
                "The form is ready — press the button to open it. Your text is kept until "
                "the review is posted, even if you close the form.",
                view=draft_view(draft.id, label),
                ephemeral=True,
            )
        else:
            await interaction.response.send_modal(review_modal(draft, book))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        """Review forms are answered here, not by discord.py's modal store, so a form
        submitted after any delay or a restart is still received (the draft is in the
        database)."""
        draft_id = form_draft_id(interaction)
        if draft_id is None:
            return
        try:
            await self._submitted(interaction, draft_id, submitted_form(interaction))
        except Exception as error:
            await handle_interaction_error(interaction, error)

    async def _submitted(self, interaction: Interaction, draft_id: int, form: ReviewForm) -> None:
        guild_id = guild_id_of(interaction)
        draft = await self.drafts.save(guild_id, interaction.user.id, draft_id, form)
        book = await self.bot.services.books.get(guild_id, draft.book_id)
        try:
            if draft.review_id is None:
                plan = await self.service.plan_write(
                    guild_id,
                    interaction.user.id,
                    book,
                    stars=draft.stars,
                    spoilers_reach=draft.spoilers_reach,
                )
                checked = self.service.draft_from_form(plan, form)
                await interaction.response.defer(ephemeral=True, thinking=True)
                context = await self.service.write(guild_id, interaction.user.id, plan, checked)
            else:
                context = await self.service.edit(
                    guild_id, interaction.user.id, draft.review_id, form
                )
                await interaction.response.defer(ephemeral=True, thinking=True)
        except InvalidInput as error:
            await interaction.response.send_message(
                embed=form_error_embed(error.message),
                view=draft_view(draft.id, "Fix it"),
                ephemeral=True,
            )
            return
        await self.drafts.discard(guild_id, draft.id)
        if draft.review_id is None:
            await self.publisher.publish_new(interaction, context)
        else:
            await self.publisher.publish_edit(interaction, context)

    @review.command(name="edit", description="Change your review of a book.")
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def edit(self, interaction: discord.Interaction[MarginaliaBot], book: str) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            review = await self.service.editable(guild_id, reply_to.user.id, chosen)
            if (
                len(review.body) > MODAL_TEXT_INPUT_LIMIT
                or len(review.spoilers or "") > MODAL_TEXT_INPUT_LIMIT
                or len(review.content_warnings or "") > CONTENT_WARNINGS_MAX
            ):
                raise InvalidInput(
                    "This review came from a file and is longer than the form holds (4,000 "
                    "characters a field). To change it, remove it with `/review delete` and "
                    "post the new version with `/review write` and the file."
                )
            draft = await self.drafts.open_for_edit(guild_id, reply_to.user.id, review)
            await self._open_form(reply_to, draft, chosen, "Open the edit form")

        await with_book(interaction, book, go)

    @review.command(name="delete", description="Delete your review (moderators: anyone's).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        member="Moderators: whose review to remove (default: yours)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def delete(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        if member is not None and member.id != interaction.user.id:
            await require_moderator(interaction, "delete another member's review")

        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            if not reply_to.response.is_done():
                await reply_to.response.defer(ephemeral=True, thinking=True)
            target = member.id if member is not None else reply_to.user.id
            review = await self.service.delete(
                guild_id,
                reply_to.user.id,
                target,
                chosen,
                is_moderator=await is_moderator(reply_to),
            )
            left = await self.publisher.delete_post(review)
            whose = "your review" if target == reply_to.user.id else f"<@{target}>'s review"
            text = f"Deleted {whose} of {inert(chosen.title, 200)}"
            if not review.message_ids:
                text += "."
            elif not left:
                text += " and its post."
            else:
                text += (
                    ". I couldn't remove every posted message (I may lack access to that "
                    "channel now); a moderator can delete them by hand."
                )
            if target != reply_to.user.id:
                await self.publisher.report(
                    guild_id, modlog_removed_embed(review, chosen, reply_to.user.id)
                )
            await reply_to.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

        await with_book(interaction, book, go)

    @review.command(name="show", description="Show a member's review of a book (default: yours).")
    @app_commands.describe(
        book=BOOK_OPTION_HELP,
        member="Whose review (default: yours)",
    )
    @app_commands.autocomplete(book=book_autocomplete)
    async def show(
        self,
        interaction: discord.Interaction[MarginaliaBot],
        book: str,
        member: discord.Member | None = None,
    ) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            target = member.id if member is not None else reply_to.user.id
            context = await self.service.find(guild_id, target, chosen)
            messages = review_messages(context)
            if len(messages) > 1 and not reply_to.response.is_done():
                await reply_to.response.defer(ephemeral=True, thinking=True)
            link = link_view(review_jump_url(context.review))
            for index, embeds in enumerate(messages):
                extra: dict[str, Any] = {"view": link} if index == 0 and link else {}
                await respond(
                    reply_to, embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
                )

        await with_book(interaction, book, go)

    @review.command(name="list", description="Every review of a book here, without spoilers.")
    @app_commands.describe(book=BOOK_OPTION_HELP)
    @app_commands.autocomplete(book=book_autocomplete)
    async def list_reviews(
        self, interaction: discord.Interaction[MarginaliaBot], book: str
    ) -> None:
        async def go(reply_to: Interaction, chosen: Book) -> None:
            guild_id = guild_id_of(reply_to)
            page = await self.service.page(guild_id, chosen, order=ReviewOrder.NEWEST)
            extra: dict[str, Any] = {}
            if page.total > 1:

                async def load(number: int, order: ReviewOrder) -> ReviewPage:
                    return await self.service.page(guild_id, chosen, order=order, page=number)

                extra["view"] = review_list_view(page, load, owner_id=reply_to.user.id)
            await respond(
                reply_to,
                embed=review_list_embed(page),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
                **extra,
            )

        await with_book(interaction, book, go)
