"""/addstatement and /removestatement: bot administrators add or remove uploaded statements.

/addstatement (private chat): the admin sends a .txt/.md file (as the caption of the file, or
after the command when asked). Title, author and date come from a front-matter header or
are asked for one by one (/skip for author and date, /cancel to stop). The statement is
stored in SQLite and indexed at once (ContentService.add_statement refreshes the search).

/removestatement lists the uploaded statements as buttons (``rm:c:<uid>:<key>`` asks to confirm,
``rm:y:<uid>:<key>`` removes, ``rm:n:<uid>`` keeps; only the admin ``uid`` who asked may press),
or ``/removestatement <slug>`` removes at once. Built-in statements are never offered.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.content.service import StatementInfo
from bot.content.upload import (
    MAX_TITLE_CHARS,
    MAX_UPLOAD_BYTES,
    UploadError,
    decode_upload,
    parse_uploaded,
)
from bot.i18n import texts
from bot.i18n.translate import t, tn
from bot.services import get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import bot_admin_only, is_bot_admin
from bot.telegram.render import callback_data, truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from handlers import statements_questions as questions
from handlers.statements import slug_key

log = logging.getLogger(__name__)

PREFIX = "rm"
DRAFT_KEY = "addstatement_draft"
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".text")

WAIT_FILE, ASK_TITLE, ASK_AUTHOR, ASK_DATE = range(4)
END = ConversationHandler.END

_UPLOAD_ERRORS = {
    "not_text": texts.ADD_NOT_UTF8,
    "too_big": texts.ADD_TOO_BIG,
    "empty": texts.ADD_EMPTY,
    "no_paragraphs": texts.ADD_NO_PARAGRAPHS,
}


# ------------------------------------------------------------------ /addstatement


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, str]:
    user_data = context.user_data
    if user_data is None:  # pragma: no cover - PTB always gives users their data
        return {}
    draft = user_data.setdefault(DRAFT_KEY, {})
    assert isinstance(draft, dict)
    return draft


def _clear(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, **kw: Any) -> None:
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, text, **kw))


@bot_admin_only
async def add_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/addstatement, or a document captioned /addstatement."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await _say(update, context, texts.ADD_PRIVATE_ONLY)
        return END
    _clear(context)
    message = update.effective_message
    if message is not None and message.document is not None:
        return await _take_file(update, context, message.document)
    await _say(update, context, texts.ADD_ASK_FILE, kb=MAX_UPLOAD_BYTES // 1024)
    return WAIT_FILE


async def got_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message = update.effective_message
    if message is None or message.document is None:
        return WAIT_FILE
    return await _take_file(update, context, message.document)


async def not_a_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await _say(update, context, texts.ADD_NOT_A_FILE)
    return WAIT_FILE


async def _take_file(update: Update, context: ContextTypes.DEFAULT_TYPE, doc: Document) -> int:
    """Check, download and decode the file, then go on to what is still missing."""
    name = doc.file_name or ""
    is_text = name.lower().endswith(TEXT_EXTENSIONS) or (doc.mime_type or "").startswith("text/")
    if not is_text:
        await _say(update, context, texts.ADD_BAD_TYPE, name=name or "?")
        return WAIT_FILE
    if doc.file_size is not None and doc.file_size > MAX_UPLOAD_BYTES:
        await _say(update, context, texts.ADD_TOO_BIG, kb=MAX_UPLOAD_BYTES // 1024)
        return WAIT_FILE
    try:
        file = await context.bot.get_file(doc.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download an uploaded statement: %s", type(exc).__name__)
        await _say(update, context, texts.ADD_DOWNLOAD_FAILED)
        return WAIT_FILE
    try:
        text = decode_upload(data)
    except UploadError as exc:
        await _say(
            update,
            context,
            _UPLOAD_ERRORS.get(exc.code, texts.ADD_NOT_UTF8),
            kb=MAX_UPLOAD_BYTES // 1024,
        )
        return WAIT_FILE
    _clear(context)
    _draft(context)["text"] = text
    return await _next_step(update, context, WAIT_FILE)


async def _next_step(update: Update, context: ContextTypes.DEFAULT_TYPE, retry_state: int) -> int:
    """Parse with what we know; ask for the first missing detail or store the statement."""
    draft = _draft(context)
    if "text" not in draft:  # erased meanwhile (/forget): say so instead of failing
        _clear(context)
        await _say(update, context, texts.CONVERSATION_LOST, command="/addstatement")
        return END
    try:
        statement = parse_uploaded(
            draft["text"], draft.get("title"), draft.get("author"), draft.get("date")
        )
    except UploadError as exc:
        if exc.code == "no_title":
            await _say(update, context, texts.ADD_ASK_TITLE)
            return ASK_TITLE
        if exc.code == "title_too_long":
            draft.pop("title", None)
            await _say(update, context, texts.ADD_TITLE_TOO_LONG, limit=MAX_TITLE_CHARS)
            return ASK_TITLE
        if exc.questions is not None:  # a bad line of the questions: header
            lang = await language_for(update, context)
            await reply_html(update, context, questions.refusal(lang, exc.questions))
        else:
            await _say(
                update,
                context,
                _UPLOAD_ERRORS.get(exc.code, texts.ADD_NO_PARAGRAPHS),
                kb=MAX_UPLOAD_BYTES // 1024,
            )
        if retry_state != WAIT_FILE:
            _clear(context)
            return END
        return WAIT_FILE
    if not statement.author and "author" not in draft:
        await _say(update, context, texts.ADD_ASK_AUTHOR)
        return ASK_AUTHOR
    if not statement.date and "date" not in draft:
        await _say(update, context, texts.ADD_ASK_DATE)
        return ASK_DATE
    info = await get_services(context).content.add_statement(statement)
    _clear(context)
    log.info("statement %s added (%d paragraphs)", info.slug, info.paragraph_count)
    lang = await language_for(update, context)
    done = tn(
        lang,
        texts.ADD_DONE,
        texts.ADD_DONE_PLURAL,
        info.paragraph_count,
        title=info.title,
        slug=info.slug,
    )
    attached = questions.summary(lang, statement)  # how many questions, for which paragraphs
    await reply_html(update, context, f"{done}\n\n{attached}" if attached else done)
    return END


def _answer_text(update: Update) -> str:
    message = update.effective_message
    return " ".join((message.text or "").split()) if message is not None else ""


async def got_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    title = _answer_text(update)
    if not title:
        await _say(update, context, texts.ADD_ASK_TEXT)
        return ASK_TITLE
    _draft(context)["title"] = title
    return await _next_step(update, context, ASK_TITLE)


async def got_author(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _draft(context)["author"] = _answer_text(update)
    return await _next_step(update, context, ASK_AUTHOR)


async def got_date(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _draft(context)["date"] = _answer_text(update)
    return await _next_step(update, context, ASK_DATE)


async def skip_author(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _draft(context)["author"] = ""
    return await _next_step(update, context, ASK_AUTHOR)


async def skip_date(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _draft(context)["date"] = ""
    return await _next_step(update, context, ASK_DATE)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything but text while a detail is asked for: stay in the same step."""
    await _say(update, context, texts.ADD_ASK_TEXT)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _clear(context)
    await _say(update, context, texts.ADD_CANCELLED)
    return END


# ------------------------------------------------------------------ /removestatement


async def uploaded_statements(context: ContextTypes.DEFAULT_TYPE) -> list[StatementInfo]:
    statements = await get_services(context).content.list_statements()
    return [info for info in statements if info.source == "uploaded"]


def _remove_list(
    lang: str, statements: list[StatementInfo], user_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not statements:
        return t(lang, texts.RM_NONE), None
    rows = [
        [
            InlineKeyboardButton(
                truncate(info.title, 60),
                callback_data=callback_data(PREFIX, "c", user_id, slug_key(info.slug)),
            )
        ]
        for info in statements
    ]
    return t(lang, texts.RM_LIST_HEADER), InlineKeyboardMarkup(rows)


async def _remove(context: ContextTypes.DEFAULT_TYPE, info: StatementInfo) -> bool:
    removed = await get_services(context).content.remove_statement(info.slug)
    if removed:
        log.info("statement %s removed", info.slug)
    return removed


@bot_admin_only
async def remove_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The added statements as buttons, or remove the one named by its slug."""
    lang = await language_for(update, context)
    user = update.effective_user
    if user is None:
        return
    statements = await uploaded_statements(context)
    slug = " ".join(context.args or []).strip()
    if slug:
        info = next((i for i in statements if i.slug == slug), None)
        if info is not None and await _remove(context, info):
            await reply_html(update, context, t(lang, texts.RM_DONE, title=info.title))
            return
        html_text = t(lang, texts.RM_UNKNOWN, slug=slug)
        listing, markup = _remove_list(lang, statements, user.id)
        await reply_html(update, context, f"{html_text}\n\n{listing}", markup)
        return
    await reply_html(update, context, *_remove_list(lang, statements, user.id))


async def on_remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm, remove or keep; only the administrator who asked may press."""
    cq = update.callback_query
    if cq is None or cq.data is None:
        return
    lang = await language_for(update, context)
    parts = cq.data.split(":")
    if len(parts) < 3 or parse_id(parts[2]) is None:
        await cq.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        return
    owner = int(parts[2])
    if cq.from_user.id != owner or not is_bot_admin(update, context):
        await cq.answer(t(lang, texts.NOT_YOUR_BUTTON), show_alert=True)
        return
    kind = parts[1]
    if kind == "n":
        await cq.answer()
        await edit_or_reply(update, context, t(lang, texts.RM_KEPT))
        return
    statements = await uploaded_statements(context)
    key = parts[3] if len(parts) == 4 else ""
    info = next((i for i in statements if slug_key(i.slug) == key), None)
    if info is None:
        await cq.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        await edit_or_reply(update, context, *_remove_list(lang, statements, owner))
        return
    await cq.answer()
    if kind == "c":
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, texts.RM_BTN_YES),
                        callback_data=callback_data(PREFIX, "y", owner, key),
                    ),
                    InlineKeyboardButton(
                        t(lang, texts.RM_BTN_NO), callback_data=callback_data(PREFIX, "n", owner)
                    ),
                ]
            ]
        )
        await edit_or_reply(update, context, t(lang, texts.RM_CONFIRM, title=info.title), markup)
    elif kind == "y" and await _remove(context, info):
        await edit_or_reply(update, context, t(lang, texts.RM_DONE, title=info.title))


# ------------------------------------------------------------------ registration

_CAPTION_COMMAND = filters.CaptionRegex(r"^/addstatement(?:@\w+)?(?:\s|$)")


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    text_answer = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("addstatement", add_start),
                MessageHandler(filters.Document.ALL & _CAPTION_COMMAND, add_start),
            ],
            states={
                WAIT_FILE: [
                    MessageHandler(filters.Document.ALL, got_file),
                    MessageHandler(~filters.COMMAND, not_a_file),
                ],
                ASK_TITLE: [
                    MessageHandler(text_answer, got_title),
                    MessageHandler(~filters.COMMAND, not_text),
                ],
                ASK_AUTHOR: [
                    MessageHandler(text_answer, got_author),
                    CommandHandler("skip", skip_author),
                    MessageHandler(~filters.COMMAND, not_text),
                ],
                ASK_DATE: [
                    MessageHandler(text_answer, got_date),
                    CommandHandler("skip", skip_date),
                    MessageHandler(~filters.COMMAND, not_text),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="addstatement",
            persistent=True,  # survives a restart (bot/telegram/persistence.py)
        )
    )
    app.add_handler(CommandHandler("removestatement", remove_command))
    app.add_handler(CallbackQueryHandler(on_remove_button, pattern=rf"^{PREFIX}:"))
