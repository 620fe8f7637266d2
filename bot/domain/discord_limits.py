"""Discord's limits, in one place (characters are counted as code points).

See https://discord.com/developers/docs/resources/message#embed-object-embed-limits and
https://discord.com/developers/docs/interactions/message-components.
"""

from __future__ import annotations

from typing import Final

MESSAGE_CONTENT_LIMIT: Final = 2000
EMBED_TITLE_LIMIT: Final = 256
EMBED_DESCRIPTION_LIMIT: Final = 4096
EMBED_FIELD_NAME_LIMIT: Final = 256
EMBED_FIELD_VALUE_LIMIT: Final = 1024
EMBED_FOOTER_LIMIT: Final = 2048
EMBED_AUTHOR_NAME_LIMIT: Final = 256
EMBED_FIELDS_PER_EMBED: Final = 25
# Counted over *all* embeds of one message (title + description + fields + footer + author),
# not per embed.
EMBED_TOTAL_LIMIT: Final = 6000
EMBEDS_PER_MESSAGE: Final = 10
MODAL_TITLE_LIMIT: Final = 45
MODAL_TEXT_INPUT_LIMIT: Final = 4000
AUTOCOMPLETE_CHOICES_LIMIT: Final = 25
