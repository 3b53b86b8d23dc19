"""A bare PTB echo bot with PTB's defaults: the baseline that bench.startup starts like ours.

Reads TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL, answers every text with itself, polls.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    url = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(url + "/bot")
        .base_file_url(url + "/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling()


if __name__ == "__main__":
    main()
