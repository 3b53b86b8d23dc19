"""Every user-facing text of the bot, in English, marked for translation.

Render with bot.i18n.t(lang, texts.NAME, **values); values are HTML-escaped for you.
"""

from __future__ import annotations

from bot.i18n import N_, NP_

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

# --- languages, calendar file and calendar feeds (issue 6) -------------------------------------
CMD_LANGUAGE = N_("Choose the language I speak in this chat")
CMD_CALENDAR = N_("Upcoming demonstrations as a calendar file (.ics)")
CMD_FEED = N_("Calendar feeds: /feed add|list|remove|sync")

LANGUAGE_CHOOSE = N_("🌐 Language in this chat: <b>{language}</b>. Choose another one:")
LANGUAGE_SET = N_("✅ From now on I speak English in this chat.")
LANGUAGE_AUTO = N_("Automatic (each person's Telegram language)")
LANGUAGE_AUTO_SET = N_(
    "✅ I'll answer in each person's Telegram language when I can, and in English otherwise."
)

CALENDAR_CAPTION, CALENDAR_CAPTION_PLURAL = NP_(
    "📅 {n} upcoming demonstration. Open the file to add it to your calendar.",
    "📅 {n} upcoming demonstrations. Open the file to add them to your calendar.",
)
FEED_DEMOS, FEED_DEMOS_PLURAL = NP_("{n} upcoming demonstration", "{n} upcoming demonstrations")
CALENDAR_NAME = N_("Demonstrations")
CALENDAR_EMPTY = N_("There are no upcoming demonstrations right now, so there is no calendar yet.")

FEED_USAGE = N_(
    "<b>Calendar feeds</b>\n"
    "<code>/feed add https://example.org/demos.ics [region]</code>\n"
    "<code>/feed list</code>\n"
    "<code>/feed remove number</code>\n"
    "<code>/feed sync</code> (fetch every feed now)"
)
FEED_BAD_URL = N_("“{url}” is not a calendar address; it must start with http:// or https://.")
FEED_BAD_REGION = N_("A region is one short name (letters, digits, spaces or '-').")
FEED_EXISTS = N_("That feed is already there as number {id}.")
FEED_ADDED = N_("✅ Feed {id} added. Fetching it now…")
FEED_NOT_FOUND = N_("There is no feed number {id}. See <code>/feed list</code>.")
FEED_REMOVED = N_(
    "🗑 Feed {id} removed. Demonstrations it already brought in stay as they are; "
    "cancel them with /canceldemo if needed."
)
FEED_LIST_HEADER = N_("<b>Calendar feeds</b>")
FEED_LIST_EMPTY = N_("No calendar feeds yet. Add one with <code>/feed add https://…</code>.")
FEED_LIST_ITEM = N_(
    "<b>{id}.</b> {url}\nRegion: {region} · {demos}\nLast fetched: {when} · {status}"
)
FEED_NEVER = N_("never")
FEED_STATUS_OK = N_("OK")
FEED_STATUS_FAILING = N_("failing: {error}")
FEED_SYNC_RESULT = N_(
    "Feed {id}: {added} new, {updated} changed, {cancelled} cancelled, {kept} unchanged."
)
FEED_SYNC_NOT_MODIFIED = N_("Feed {id}: not changed since the last fetch.")
FEED_SYNC_FAILED = N_("Feed {id} could not be fetched: {error}")
FEED_SYNC_NONE = N_("There are no feeds to fetch.")
FEED_ALERT_FAILED = N_(
    "⚠️ Calendar feed {id} ({url}) could not be fetched: {error}\n"
    "I'll keep trying and tell you when it works again."
)
FEED_ALERT_RECOVERED = N_("✅ Calendar feed {id} ({url}) works again.")
FEED_ERR_TIMEOUT = N_("the server took too long to answer")
FEED_ERR_TOO_LARGE = N_("the file is larger than {limit}")
FEED_ERR_PRIVATE = N_("the address points to a private or local network, which is not allowed")
FEED_ERR_SCHEME = N_("only http:// and https:// addresses are allowed")
FEED_ERR_REDIRECTS = N_("too many redirects")
FEED_ERR_HTTP = N_("the server answered with HTTP status {status}")
FEED_ERR_NETWORK = N_("the server could not be reached")
FEED_ERR_INVALID = N_("the file is not a valid iCalendar (.ics) file")
FEED_ALL_DAY = N_("(all day)")

# --- hardening: flood control, /forget (issue 5) ----------------------------------------------
CMD_FORGET = N_("Erase everything the bot stores about this chat")
FLOOD_WARNING = N_(
    "Please slow down: I will ignore your commands and buttons for a few seconds."
)
FORGET_CONFIRM = N_(
    "<b>Erase this chat's data?</b>\n"
    "I will delete everything I store about this chat: its settings and subscription, "
    "the record of messages delivered to it and its reminder history{rsvps}. "
    "This cannot be undone."
)
FORGET_CONFIRM_RSVPS = N_(", and your replies to demonstrations")
FORGET_DONE = N_(
    "🗑 Done. I have erased everything I stored about this chat. "
    "Send /start if you want to use the bot again."
)
FORGET_KEPT = N_("Nothing was erased.")
BUTTON_ERASE = N_("🗑 Erase")
