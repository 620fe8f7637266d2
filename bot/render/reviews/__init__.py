"""Reviews as Discord shows them, in four parts: :mod:`.post` (the post and the spoiler
reveal), :mod:`.listing` (/review list), :mod:`.form` (the review form) and :mod:`.modlog`
(what the moderators are told). The post's persistent buttons live beside the reviews cog,
in cogs/reviews/_buttons.py: render never calls back into a cog."""

from bot.render.reviews.form import (
    ReviewModal,
    form_draft_id,
    form_error_embed,
    review_modal,
    submitted_form,
)
from bot.render.reviews.listing import PageLoader, review_list_embed, review_list_view
from bot.render.reviews.modlog import (
    FLAG_QUESTION,
    modlog_flag_embed,
    modlog_posting_failed_embed,
    modlog_removed_embed,
)
from bot.render.reviews.post import (
    REVIEW_COLOUR,
    PostPage,
    description_pages,
    link_view,
    rating_text,
    reveal_messages,
    reveal_warning_text,
    review_jump_url,
    review_messages,
)

__all__ = [
    "FLAG_QUESTION",
    "REVIEW_COLOUR",
    "PageLoader",
    "PostPage",
    "ReviewModal",
    "description_pages",
    "form_draft_id",
    "form_error_embed",
    "link_view",
    "modlog_flag_embed",
    "modlog_posting_failed_embed",
    "modlog_removed_embed",
    "rating_text",
    "reveal_messages",
    "reveal_warning_text",
    "review_jump_url",
    "review_list_embed",
    "review_list_view",
    "review_messages",
    "review_modal",
    "submitted_form",
]
