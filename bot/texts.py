"""Every user-facing text of the bot, in English, marked for translation.

Render with bot.i18n.t(lang, texts.NAME, **values); values are HTML-escaped for you.
"""

from __future__ import annotations

from bot.i18n import N_

BANNER = N_("From Ukraine to Palestine, occupation is a crime")

# --- start / help ---------------------------------------------------------------------------
START = N_(
    "✊ <b>Solidarity Bot</b>\n"
    "<i>{banner}</i>\n\n"
    "I share the group's published statements and the facts of its comparison table, "
    "and I remind subscribed chats of upcoming demonstrations.\n\n"
    "Send /help to see what I can do."
)
HELP_HEADER = N_("<b>What I can do</b>")
HELP_ADMIN_HEADER = N_("<b>For bot administrators</b>")
HELP_FOOTER = N_(
    "In any chat you can also type <code>@{username} words</code> to share an excerpt."
)

# Command descriptions: used by /help and by set_my_commands (max 256 chars each).
CMD_START = N_("What this bot is for")
CMD_HELP = N_("List the commands")
CMD_STATEMENTS = N_("Read the group's statements")
CMD_EXCERPT = N_("Find a passage: /excerpt words")
CMD_QUOTE = N_("Same as /excerpt")
CMD_FACTS = N_("The comparison table, question by question")
CMD_COMPARE = N_("Compare on one question: /compare words")
CMD_TABLE = N_("The whole comparison table as an image")
CMD_ADDSTATEMENT = N_("Add a published statement (send a file)")
CMD_REMOVESTATEMENT = N_("Remove an added statement")

# --- generic ----------------------------------------------------------------------------------
NOT_ADMIN = N_("Sorry, only the bot's administrators can do that.")
NOT_GROUP_ADMIN = N_("Sorry, only this group's administrators can do that.")
NOT_YOUR_BUTTON = N_("This button isn't for you.")
BUTTON_EXPIRED = N_("This button has expired. Please send the command again.")
INTERNAL_ERROR = N_("Sorry, something went wrong on my side. Please try again in a moment.")
UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what I can do.")
