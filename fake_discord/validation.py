"""Discord's documented size limits, checked the way Discord checks them.

A payload over a limit is answered with 400 Invalid Form Body (code 50035) and an
``errors`` tree naming the field, exactly the failure a bot would meet in production
(for example a review longer than 4,096 characters put into one embed). Switch off with
``FakeDiscord(validate=False)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import EMPTY_MESSAGE, ApiError, invalid_form_body
from .models import JSON, walk_components

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


class _Errors:
    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Iterable[str | int], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def max_items(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.tree:
            raise ApiError(invalid_form_body(self.tree))


def validate_message(payload: JSON, *, n_files: int = 0, editing: bool = False) -> None:
    """Content ≤ 2,000; ≤ 10 embeds (title 256, description 4,096, ≤ 25 fields of 256/1,024,
    footer 2,048, author 256, 6,000 in total); ≤ 5 action rows; no empty message."""
    errors = _Errors()
    errors.max_len(["content"], payload.get("content"), 2000)
    embeds = payload.get("embeds") or []
    errors.max_items(["embeds"], embeds, 10)
    total = 0
    for i, embed in enumerate(embeds):
        path: list[str | int] = ["embeds", i]
        errors.max_len([*path, "title"], embed.get("title"), 256)
        errors.max_len([*path, "description"], embed.get("description"), 4096)
        errors.max_len([*path, "footer", "text"], (embed.get("footer") or {}).get("text"), 2048)
        errors.max_len([*path, "author", "name"], (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        errors.max_items([*path, "fields"], fields, 25)
        for j, f in enumerate(fields):
            errors.max_len([*path, "fields", j, "name"], f.get("name"), 256)
            errors.max_len([*path, "fields", j, "value"], f.get("value"), 1024)
            # Discord trims blanks: a field of only spaces or newlines is empty
            if not str(f.get("name") or "").strip() or not str(f.get("value") or "").strip():
                errors.add([*path, "fields", j], "BASE_TYPE_REQUIRED", "This field is required")
        for text in _embed_strings(embed):
            total += len(text)
    if total > 6000:
        errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    validate_components(payload.get("components") or [], errors)
    errors.raise_if_any()
    has_body = any(
        payload.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll")
    )
    if not editing and not has_body and not n_files:
        raise ApiError(EMPTY_MESSAGE)


def _embed_strings(embed: JSON) -> list[str]:
    strings = [embed.get("title"), embed.get("description")]
    strings.append((embed.get("footer") or {}).get("text"))
    strings.append((embed.get("author") or {}).get("name"))
    for f in embed.get("fields") or []:
        strings += [f.get("name"), f.get("value")]
    return [s for s in strings if isinstance(s, str)]


def validate_components(components: list[JSON], errors: _Errors | None = None) -> None:
    """custom_id ≤ 100 and unique; button label ≤ 80; select ≤ 25 options (label/value/
    description ≤ 100), placeholder ≤ 150; ≤ 5 buttons per row."""
    own = errors is None
    errors = errors or _Errors()
    seen: set[str] = set()
    for index, component in enumerate(walk_components(components)):
        path: list[str | int] = ["components", index]
        custom_id = component.get("custom_id")
        if custom_id is not None:
            errors.max_len([*path, "custom_id"], custom_id, 100)
            if custom_id in seen:
                errors.add(
                    [*path, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", "Duplicate custom_id"
                )
            seen.add(custom_id)
        kind = component.get("type")
        if kind == 1:
            errors.max_items([*path, "components"], component.get("components"), 5)
        if kind == 2:
            errors.max_len([*path, "label"], component.get("label"), 80)
        if kind in (3, 5, 6, 7, 8):
            errors.max_len([*path, "placeholder"], component.get("placeholder"), 150)
            options = component.get("options") or []
            errors.max_items([*path, "options"], options, 25)
            for j, option in enumerate(options):
                for key in ("label", "value", "description"):
                    errors.max_len([*path, "options", j, key], option.get(key), 100)
    if own:
        errors.raise_if_any()


def validate_modal(data: JSON) -> None:
    """Title ≤ 45, 1–5 top-level components, text input label ≤ 45, value ≤ 4,000."""
    errors = _Errors()
    errors.max_len(["data", "title"], data.get("title"), 45)
    errors.max_len(["data", "custom_id"], data.get("custom_id"), 100)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errors.add(
            ["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
        )
    for index, component in enumerate(walk_components(components)):
        path: list[str | int] = ["data", "components", index]
        if component.get("type") == 4:
            errors.max_len([*path, "label"], component.get("label"), 45)
            errors.max_len([*path, "value"], component.get("value"), 4000)
            errors.max_len([*path, "placeholder"], component.get("placeholder"), 100)
        if component.get("type") == 18:
            errors.max_len([*path, "label"], component.get("label"), 45)
            errors.max_len([*path, "description"], component.get("description"), 100)
    errors.raise_if_any()


def validate_choices(choices: list[JSON]) -> None:
    """≤ 25 autocomplete choices; names 1–100 characters; string values ≤ 100."""
    errors = _Errors()
    errors.max_items(["data", "choices"], choices, 25)
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not name:
            errors.add(["data", "choices", i, "name"], "BASE_TYPE_REQUIRED", "Required")
        errors.max_len(["data", "choices", i, "name"], name, 100)
        errors.max_len(["data", "choices", i, "value"], choice.get("value"), 100)
    errors.raise_if_any()


def validate_commands(commands: list[JSON]) -> None:
    """Names lowercase ``[-_\\w]{1,32}``, descriptions 1–100 (chat input), ≤ 25 options,
    required options first, ≤ 25 choices, no duplicate names."""
    errors = _Errors()
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        kind = command.get("type", 1)
        name = command.get("name", "")
        key = (kind, name)
        if key in seen:
            errors.add([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Duplicate {name!r}")
        seen.add(key)
        _validate_command_like(errors, [i], command, chat_input=kind == 1)
    errors.raise_if_any()


def _validate_command_like(
    errors: _Errors, path: list[str | int], node: JSON, *, chat_input: bool
) -> None:
    name = node.get("name", "")
    if chat_input and (not _COMMAND_NAME.match(name) or name != name.lower()):
        errors.add([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", f"Invalid name {name!r}")
    description = node.get("description", "")
    if chat_input and not 1 <= len(description) <= 100:
        errors.add(
            [*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    options = node.get("options") or []
    errors.max_items([*path, "options"], options, 25)
    optional_seen = False
    names: set[str] = set()
    for j, option in enumerate(options):
        option_path = [*path, "options", j]
        if option.get("name") in names:
            errors.add([*option_path, "name"], "DUPLICATE", "Duplicate option name")
        names.add(option.get("name", ""))
        if option.get("type") in (1, 2):
            _validate_command_like(errors, option_path, option, chat_input=True)
            continue
        _validate_command_like(errors, option_path, {**option, "options": []}, chat_input=True)
        if option.get("required"):
            if optional_seen:
                errors.add(
                    [*option_path, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        errors.max_items([*option_path, "choices"], option.get("choices"), 25)
