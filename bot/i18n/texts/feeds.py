"""Texts for languages, the calendar file and calendar feeds."""

from __future__ import annotations

from bot.i18n.translate import N_, NP_

# --- languages, calendar file and calendar feeds
CMD_LANGUAGE = N_("Choose the language I speak in this chat: /language uk")
CMD_CALENDAR = N_("Upcoming demonstrations as a calendar file (.ics)")
CMD_FEED = N_("Calendar feeds: /feed add|list|remove|sync")

LANGUAGE_CHOOSE = N_("🌐 Language in this chat: <b>{language}</b>. Choose another one:")
LANGUAGE_SET = N_("✅ From now on I speak English in this chat.")
LANGUAGE_AUTO = N_("Automatic (each person's Telegram language)")
LANGUAGE_UNKNOWN = N_("I don't speak “{value}” yet.")
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
FEED_ERR_ADDRESS = N_("the address is not valid (check the host name and the port)")
FEED_ERR_DNS = N_("the host name could not be found")
FEED_ERR_ENCODING = N_("the server compressed the file in a way the bot cannot read")
FEED_ERR_CPU = N_(
    "reading the file took more than {seconds} s of processing; "
    "ask its publisher for a smaller feed (fewer events or repeats)"
)
FEED_ERR_MEMORY = N_(
    "reading the file needed more than {limit} of memory; "
    "ask its publisher for a smaller feed (fewer events or repeats)"
)
FEED_ADD_REFUSED = N_("Feed not added: {error}.")
FEED_SYNC_CAPPED = N_(
    "Feed {id}: only its first {n} events are taken (the limit per feed); "
    "it has more in the next {days} days."
)
FEED_TIMEZONE_UNKNOWN = N_(
    "Feed {id}: its time zone “{zone}” is unknown, so its times are read in the bot's "
    "time zone ({default})."
)
