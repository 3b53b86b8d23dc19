"""Parameter normalisation and Telegram-like validation of texts and keyboards."""

from __future__ import annotations

import json
from typing import Any

from bot.emulator.html import HtmlParseError, parse_html, utf16_len
from bot.emulator.state import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200

_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "max_connections",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "results",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "button",
        "message_ids",
        "media",
    }
)
_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def normalize(params: dict[str, Any]) -> dict[str, Any]:
    """Turn form-encoded strings into the JSON types Telegram would have parsed."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if key in _INT_FIELDS and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                if key not in ("chat_id", "from_chat_id") or not value.startswith("@"):
                    raise bad_request(f"invalid {key} specified") from None
        elif key in _JSON_FIELDS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                if key == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                if key == "entities":
                    raise bad_request("can't parse entities JSON object") from None
                raise bad_request(f"can't parse {key} JSON object") from None
        elif isinstance(value, str) and value in ("true", "false") and _is_bool_field(key):
            value = value == "true"
        out[key] = value
    return out


def _is_bool_field(key: str) -> bool:
    prefixes = ("disable_", "protect_", "show_", "is_", "has_", "allow_")
    return key.startswith(prefixes) or key == "drop_pending_updates"


def render_text(
    text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` and the length limit; return (plain text, entities)."""
    if text is None or text == "":
        if caption:
            return "", []
        raise bad_request("message text is empty")
    text = str(text)
    mode = str(parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        # Markdown modes are passed through unparsed (not emulated); explicit entities kept.
        plain = text
        found = list(entities) if isinstance(entities, list) else []
    if not plain.strip() and not caption:
        raise bad_request("message text is empty")
    limit = MAX_CAPTION if caption else MAX_TEXT
    if utf16_len(plain) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, found


def validate_inline_result(result: Any) -> None:
    """An inline result as Telegram checks it: the message it would share parses and fits
    4,096 UTF-16 units (the whole answer is refused otherwise), a caption 1,024."""
    if not isinstance(result, dict):
        raise bad_request("can't parse inline query results JSON object")
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        try:
            render_text(content.get("message_text"), content.get("parse_mode"), None)
        except ApiError as exc:
            if "too long" in exc.description:
                raise bad_request("MESSAGE_TOO_LONG") from None
            raise
    if result.get("caption") is not None:
        render_text(result.get("caption"), result.get("parse_mode"), None, caption=True)
    if "reply_markup" in result:
        inline_markup(result["reply_markup"])


def inline_markup(markup: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup``; return it if it is an inline keyboard (echoed on messages)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards / remove / force_reply are accepted, not echoed
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" of type Array expected'
        )
    for row in rows:
        for button in row:
            validate_button(button)
    return markup


def validate_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a string")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")  # pragma: no cover - Telegram also refuses
    kinds = [kind for kind in _BUTTON_KINDS if kind in button]
    if not kinds:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(kinds) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def validate_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    out: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        command = str(item.get("command", ""))
        description = str(item.get("description", ""))
        ok_chars = all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in command)
        if not 1 <= len(command) <= 32 or not ok_chars:
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        out.append({"command": command, "description": description})
    return out


def reply_target(params: dict[str, Any]) -> int | None:
    """The message id replied to, from ``reply_parameters`` or ``reply_to_message_id``."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and "message_id" in reply:
        return int(reply["message_id"])
    value = params.get("reply_to_message_id")
    return int(value) if value is not None else None


def require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise bad_request(f"{name} is empty" if name != "chat_id" else "chat_id is empty")
    return params[name]


__all__ = [
    "ApiError",
    "inline_markup",
    "normalize",
    "render_text",
    "validate_commands",
    "validate_inline_result",
]
