"""Every user-facing text of the bot, in English, marked for translation.

Render with bot.i18n.translate.t(lang, texts.NAME, **values); values are HTML-escaped for you.
"""

from __future__ import annotations

from bot.i18n.translate import N_, NP_

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

# --- content: statements, excerpts, facts, table, inline, statement uploads
# Shared pieces
CONTENT_SOURCE = N_("<i>{title}</i> — {byline}")
CONTENT_SOURCE_TITLE_ONLY = N_("<i>{title}</i>")
CONTENT_BTN_PREV = N_("◀")
CONTENT_BTN_NEXT = N_("▶")

# /statements
ST_LIST_HEADER = N_("<b>The group's statements</b>\nChoose one to read it paragraph by paragraph.")
ST_LIST_EMPTY = N_("There are no statements to read right now.")
ST_HEADER = N_("<b>{title}</b>\n<i>{byline}</i>")
ST_HEADING = N_("<b><i>{heading}</i></b>")
ST_POSITION = N_("<i>Paragraph {n} of {total}</i>")
ST_GONE = N_("That statement is no longer available. Send /statements to see the list.")
ST_BTN_BACK = N_("☰ Back to the list")

# /excerpt and /quote
EX_HEADER = N_("<b>Passages for “{query}”</b> ({first}–{last} of {total})")
EX_RANDOM_HEADER = N_("<b>A passage from the group's statements</b>")
EX_NONE = N_(
    "I found no passage for “{query}”. Try other words, or one of these topics:\n{examples}"
)
EX_FOREIGN = N_(
    "The group's statements are in English. The closest passages to “{query}” "
    "({first}–{last} of {total}); all statements: /statements"
)
EX_FOREIGN_NONE = N_(
    "The group's statements are in English, and I found no passage close to “{query}”. "
    "Try English words (for example /excerpt genocide), or read the statements: /statements"
)
EX_EMPTY_CORPUS = N_("There are no statements to quote right now.")
EX_EXPIRED = N_("This search has expired. Please send /excerpt with your words again.")
EX_BTN_MORE = N_("More ▶")
EX_BTN_FIRST = N_("◀ First")
EX_BTN_ANOTHER = N_("🔀 Another passage")

# /facts, /compare, /table
FACT_LIST_HEADER = N_(
    "<b>From Ukraine to Palestine: the comparison</b>\n"
    "Choose a question, or send <code>/compare words</code>."
)
FACT_ROW = N_(
    "<b>{question}</b>\n\n"
    "🇵🇸 <b>Israel in Palestine</b>\n{israel}\n\n"
    "🇺🇦 <b>Russia in Ukraine</b>\n{russia}"
)
FACT_SOURCE = N_("<i>Source: “{title}”, {author}</i>")
FACT_CANDIDATES = N_("“{query}” could mean more than one question. Which one?")
FACT_NONE = N_(
    "I couldn't match “{query}” to a question of the table. The questions are:\n{questions}"
)
FACT_BTN_ALL = N_("☰ All questions")
TABLE_CAPTION = N_("<b>From Ukraine to Palestine: the comparison</b>\n{source}")
TABLE_HEADER = N_("<b>From Ukraine to Palestine: the comparison</b>")
TABLE_BTN_TEXT = N_("📝 Text version")

# inline mode
INLINE_FACT_DESCRIPTION = N_("Israel: {israel} · Russia: {russia}")

# /addstatement and /removestatement (bot administrators)
ADD_PRIVATE_ONLY = N_("Please send /addstatement to me in a private chat.")
ADD_ASK_FILE = N_(
    "Send me the statement as a <b>.txt</b> or <b>.md</b> file (UTF-8, at most {kb} KB), "
    "one paragraph a line or blank lines between paragraphs. An optional header sets the "
    "details:\n<code>---\ntitle: …\nauthor: …\ndate: 13 July 2025\n---</code>\n"
    "/cancel to stop."
)
ADD_NOT_A_FILE = N_("Please send the statement as a file (.txt or .md), or /cancel.")
ADD_BAD_TYPE = N_("“{name}” is not a .txt or .md file. Please send a text file, or /cancel.")
ADD_TOO_BIG = N_("That file is too big: at most {kb} KB, please. Send a smaller file, or /cancel.")
ADD_NOT_UTF8 = N_("I can't read that file: it is not UTF-8 text. Save it as UTF-8, or /cancel.")
ADD_EMPTY = N_("That file is empty. Please send the statement's text, or /cancel.")
ADD_NO_PARAGRAPHS = N_(
    "I found no paragraphs in that file: a paragraph is a longer text or ends with a full "
    "stop. Please check the file, or /cancel."
)
ADD_TITLE_TOO_LONG = N_("The title is too long: at most {limit} characters. Please try again.")
ADD_DOWNLOAD_FAILED = N_("I couldn't download that file. Please send it again, or /cancel.")
ADD_ASK_TITLE = N_("What is the statement's <b>title</b>?")
ADD_ASK_AUTHOR = N_("Who published it (<b>author</b>)? Or /skip.")
ADD_ASK_DATE = N_("When was it published (<b>date</b>, e.g. 13 July 2025)? Or /skip.")
ADD_ASK_TEXT = N_("Please answer with text, or /cancel.")
ADD_DONE, ADD_DONE_PLURAL = NP_(
    "✅ Added “{title}” ({n} paragraph) as <code>{slug}</code>. It can be found with "
    "/excerpt and read with /statements now.",
    "✅ Added “{title}” ({n} paragraphs) as <code>{slug}</code>. It can be found with "
    "/excerpt and read with /statements now.",
)
ADD_CANCELLED = N_("Stopped; nothing was added.")
RM_LIST_HEADER = N_("<b>Remove an added statement</b>\nChoose the one to remove:")
RM_NONE = N_("No statements have been added, so there is nothing to remove.")
RM_CONFIRM = N_("Remove “{title}” for good? It will no longer be quoted.")
RM_DONE = N_("🗑 Removed “{title}”.")
RM_UNKNOWN = N_("There is no added statement <code>{slug}</code>.")
RM_KEPT = N_("Nothing was removed.")
RM_BTN_YES = N_("🗑 Yes, remove it")
RM_BTN_NO = N_("✖ Keep it")

# --- generic ----------------------------------------------------------------------------------
NOT_ADMIN = N_("Sorry, only the bot's administrators can do that.")
NOT_GROUP_ADMIN = N_("Sorry, only this group's administrators can do that.")
NOT_YOUR_BUTTON = N_("This button isn't for you.")
BUTTON_EXPIRED = N_("This button has expired. Please send the command again.")
INTERNAL_ERROR = N_("Sorry, something went wrong on my side. Please try again in a moment.")
# To the bot's administrators, at most one every 10 minutes: ids and error kinds, never texts.
ERROR_REPORT = N_(
    "⚠️ Errors while handling updates: {count} since the last report, the latest"
    " <code>{error}</code> in chat {chat}. Details are in the log."
)
UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what I can do.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel right now.")
CONVERSATION_LOST = N_(
    "That conversation was ended and its answers so far are gone (erased with /forget). "
    "Send {command} to start again."
)
SEARCH_HINT = N_(
    "🔎 I searched the statements for your message. Next time you can also write "
    "<code>/excerpt words</code>, in groups too."
)

# --- subscriptions, settings, demonstrations, reminders
CMD_SUBSCRIBE = N_("Get demonstration reminders in this chat")
CMD_UNSUBSCRIBE = N_("Stop reminders in this chat")
CMD_SETTINGS = N_("Time zone, reminder times, region")
CMD_DEMOS = N_("Upcoming demonstrations")
CMD_DEMO = N_("One demonstration in full: /demo number")
CMD_ADDDEMO = N_("Add a demonstration")
CMD_EDITDEMO = N_("Change a demonstration: /editdemo number field value")
CMD_CANCELDEMO = N_("Cancel a demonstration: /canceldemo number [reason]")

SUBSCRIBED = N_(
    "✅ Subscribed. This chat will get reminders of upcoming demonstrations. "
    "See /settings for time zone and reminder times, /unsubscribe to stop."
)
SUBSCRIBED_TOPIC = N_(
    "✅ Subscribed. Reminders will be posted in this topic. "
    "See /settings for time zone and reminder times, /unsubscribe to stop."
)
UNSUBSCRIBED = N_("🔕 Unsubscribed. This chat will get no more reminders.")
NOT_SUBSCRIBED = N_("This chat is not subscribed. Send /subscribe to get reminders.")
ALREADY_SUBSCRIBED = N_(
    "This chat is already subscribed. See /settings for time zone and reminder times, "
    "/unsubscribe to stop."
)
HELLO_GROUP = N_(
    "✊ Hello! I remind this group of upcoming demonstrations and share the group's statements.\n"
    "An administrator can press the button below (or send /subscribe) to get reminders here."
)
BUTTON_SUBSCRIBE = N_("🔔 Subscribe")

SETTINGS_SHOW = N_(
    "<b>Settings for this chat</b>\n"
    "Subscribed: {subscribed}\n"
    "Time zone: {timezone}\n"
    "Reminders: {leads} before\n"
    "Region: {region}\n\n"
    "Change them with\n"
    "<code>/settings timezone Europe/Kyiv</code>\n"
    "<code>/settings remind 1d 3h 30m</code>\n"
    "<code>/settings region london</code> (or <code>off</code>)"
)
YES = N_("yes")
NO = N_("no")
REGION_ALL = N_("all regions")
SETTINGS_USAGE = N_(
    "I don't know that setting. Use <code>/settings timezone Europe/Kyiv</code>, "
    "<code>/settings remind 1d 3h 30m</code> or <code>/settings region london</code>."
)
SETTINGS_TZ_SET = N_("🕒 Time zone set to {timezone}.")
SETTINGS_TZ_BAD = N_(
    "“{value}” is not a time zone I know. Use an IANA name such as Europe/London, "
    "Europe/Kyiv, Asia/Gaza or America/New_York."
)
SETTINGS_LEADS_SET = N_("⏰ Reminders will come {leads} before each demonstration.")
SETTINGS_REGION_SET = N_(
    "📍 Only demonstrations in region “{region}” (and national ones) from now on."
)
SETTINGS_REGION_OFF = N_("📍 Region filter off: all demonstrations.")
SETTINGS_REGION_NEW = N_(
    "📍 Only demonstrations in region “{region}” (and national ones) from now on. "
    "No demonstration is in that region yet."
)
SETTINGS_REGION_PICK = N_("📍 <b>Region</b> for this chat (now: {region}). Choose one:")
SETTINGS_REGION_NONE_KNOWN = N_(
    "No demonstration, feed or chat uses a region yet. Set one with "
    "<code>/settings region london</code>."
)
REGION_SUGGEST = N_("I don't know the region “{region}”. Did you mean {suggestions}?")
REGION_UNKNOWN = N_("I don't know the region “{region}”: no demonstration, feed or chat uses it.")
BUTTON_REGION_ANYWAY = N_("Use “{region}” anyway")
BUTTON_REGION_PICK = N_("📍 Choose a region")
ERR_REGION_SYNTAX = N_(
    "I can't read that <code>region=</code>. Write <code>region=london</code>, "
    '<code>region=north-west</code> or <code>region="north west"</code>, then the text.'
)
SETTINGS_TZ_SUGGEST = N_("“{value}” is not a time zone I know. Did you mean {suggestions}?")
SETTINGS_TZ_OFFSET = N_(
    "“{value}” is a fixed offset, which does not follow summer time. Please give a place "
    "instead, such as {suggestions}."
)
ERR_LEAD_BAD = N_(
    "“{value}” is not a reminder time. Write times like <code>1d</code>, <code>3h</code>, "
    "<code>30m</code>."
)
ERR_LEAD_RANGE = N_("Each reminder time must be between 5 minutes and 14 days (got {value}).")
ERR_LEAD_TOO_MANY = N_("At most {limit} reminder times, please.")
ERR_LEAD_NONE = N_("Give at least one reminder time, like <code>/settings remind 1d 2h</code>.")
ERR_REGION_BAD = N_(
    "A region is one short name (letters, digits, spaces or '-', at most {limit} characters)."
)

DEMOS_HEADER = N_("<b>Upcoming demonstrations</b> ({page}/{pages})")
DEMOS_NONE = N_("No upcoming demonstrations right now.")
DEMO_NOT_FOUND = N_("There is no demonstration number {id}.")
DEMO_USAGE = N_("Send <code>/demo number</code>, for example <code>/demo 3</code>. See /demos.")
DEMO_WHEN = N_("🗓 {when}")
DEMO_PLACE = N_("📍 {place}")
DEMO_CANCELLED = N_("❌ <b>Cancelled.</b> {reason}")
DEMO_DETAILS = N_("ℹ️ <b>Practical details</b> (just for you): {details}")
DEMO_NUMBER = N_("#{id} · /demo {id}")
BUTTON_GOING = N_("Going ✋ {n}")
BUTTON_CALENDAR = N_("📅 Add to calendar")
BUTTON_PREV = N_("◀")
BUTTON_NEXT = N_("▶")
BUTTON_CANT_GO = N_("Can't go")
RSVP_ON = N_("You're going ✋ Start me in a private chat to get reminders with practical details.")
RSVP_ON_PRIVATE = N_("You're going ✋ — details will come in private.")
RSVP_CANT = N_("You can't go — noted. Thank you for saying.")
RSVP_YOURS_GOING = N_("✋ <b>Your answer:</b> going.")
RSVP_YOURS_CANT = N_("<b>Your answer:</b> can't go.")
RSVP_DETAILS_HEADER = N_("✋ You're going. Here is everything you need:")
STATS_DEMOS_HEADER = N_("<b>Answers to upcoming demonstrations</b> (counts only)")
STATS_DEMO_LINE = N_("#{id} {title}: ✋ {going} going · {cant} can't go")
DEMO_OVER = N_("This demonstration is over or cancelled.")
ICS_CAPTION = N_("📅 {title}")

REMINDER_HEADER = N_("⏰ <b>Reminder:</b> starts in {lead}")
# Sent instead of the reminders beyond a chat's hourly cap (BOT_REMINDERS_PER_HOUR).
REMINDER_DIGEST, REMINDER_DIGEST_PLURAL = NP_(
    "📅 And {n} more demonstration coming up: see /demos",
    "📅 And {n} more demonstrations coming up: see /demos",
)
# Plural pairs: NP_ marks both forms as one gettext plural entry (render with tn()).
LEAD_DAYS, LEAD_DAYS_PLURAL = NP_("{n} day", "{n} days")
LEAD_HOURS, LEAD_HOURS_PLURAL = NP_("{n} hour", "{n} hours")
LEAD_MINUTES, LEAD_MINUTES_PLURAL = NP_("{n} minute", "{n} minutes")
NOTICE_CANCELLED = N_("❌ <b>Cancelled:</b> {title} ({when}). {reason}")
NOTICE_MOVED = N_("🔁 <b>Changed:</b> {title} is now {when}, {place}.")

ADDDEMO_ASK_WHEN = N_(
    "New demonstration. <b>When?</b> e.g. <code>2026-12-05 14:00</code>, "
    "<code>tomorrow 14:00</code>, <code>sat 2pm</code> (time zone {timezone}). /cancel to stop."
)
ADDDEMO_ASK_PLACE = N_("<b>Where?</b> e.g. Parliament Square, London")
ADDDEMO_ASK_TITLE = N_("<b>Title?</b> e.g. Ceasefire now: national march")
ADDDEMO_ASK_LINK = N_("<b>Link</b> for more information (https://…), or /skip")
ADDDEMO_ASK_REGION = N_("<b>Region</b> (e.g. london), or /skip for everywhere")
ADDDEMO_ASK_DETAILS = N_(
    "<b>Practical details</b> only RSVPed members get privately (meeting point, "
    "accessibility, legal observer contact), or /skip"
)
ADDDEMO_PREVIEW = N_("<b>Preview</b> — save this demonstration?")
ADDDEMO_USAGE = N_(
    "Use <code>/adddemo 2026-12-05 14:00 | Parliament Square, London | Title | "
    "https://link [| region]</code>, or just /adddemo to be asked step by step."
)
ADDDEMO_SAVED = N_("✅ Saved as demonstration #{id}. Subscribed chats will be reminded.")
ADDDEMO_DISCARDED = N_("Discarded; nothing was saved.")
ADDDEMO_CANCELLED = N_("Stopped; nothing was saved.")
BUTTON_SAVE = N_("✅ Save")
BUTTON_DISCARD = N_("✖ Discard")
ERR_TRY_AGAIN = N_("{error}\nPlease try again, or /cancel.")
ERR_DATE_UNPARSEABLE = N_(
    "I can't read “{value}” as a date and time. Try <code>2026-12-05 14:00</code> or "
    "<code>sat 2pm</code>."
)
ERR_DATE_NO_TIME = N_("Please give a time of day too, e.g. <code>5 Dec 14:00</code>.")
ERR_DATE_PAST = N_("That time ({when}) is in the past.")
ERR_DATE_FAR = N_("That date is more than two years away; please check it.")
ERR_PLACE_MISSING = N_("The place is missing.")
ERR_TITLE_MISSING = N_("The title is missing.")
ERR_TOO_LONG = N_("The {field} is too long: at most {limit} characters.")
ERR_BAD_LINK = N_(
    "“{value}” is not a link the bot can show: it must start with http://, https:// or tg:// "
    "and have no spaces."
)
ERR_TOO_MANY_PARTS = N_("Too many parts separated by |.")
EDITDEMO_USAGE = N_(
    "Use <code>/editdemo number field value</code>; fields: when, place, title, description, "
    "link, region, details, zone (value <code>-</code> clears an optional field)."
)
EDITDEMO_DONE = N_("✅ Demonstration #{id} updated.")
CANCELDEMO_USAGE = N_("Use <code>/canceldemo number [reason]</code>.")
CANCELDEMO_DONE = N_("❌ Demonstration #{id} cancelled. Chats already reminded get a notice.")
DEMO_ALREADY_CANCELLED = N_("Demonstration #{id} is already cancelled.")
ERR_TIME_BAD = N_(
    "“{value}” is not a time of day: hours run from 0 to 23 (1 to 12 with am/pm) "
    "and minutes from 00 to 59."
)
ERR_REQUIRED = N_("The {field} is required; it cannot be cleared.")
EDITDEMO_PREVIEW = N_("<b>Preview</b> — change demonstration #{id}?")
EDITDEMO_SAME = N_("Demonstration #{id} already has that value; nothing to change.")
EDITDEMO_DISCARDED = N_("Discarded; demonstration #{id} is unchanged.")
CANCELDEMO_PREVIEW = N_("<b>Preview</b> — cancel demonstration #{id}?")
CANCELDEMO_UNDO = N_("Changed your mind? Press Undo, or send /restoredemo {id} later.")
BUTTON_UNDO = N_("↩ Undo")
CMD_RESTOREDEMO = N_("Restore a cancelled demonstration: /restoredemo number")
RESTOREDEMO_USAGE = N_("Use <code>/restoredemo number</code>.")
RESTOREDEMO_DONE = N_(
    "↩ Demonstration #{id} restored. Chats that were told of the cancellation get a notice."
)
RESTOREDEMO_NOT_CANCELLED = N_("Demonstration #{id} is not cancelled.")
RESTOREDEMO_OVER = N_("Demonstration #{id} has already begun; it cannot be restored.")
NOTICE_CHANGED = N_("🔁 <b>Changed:</b> {title}")
NOTICE_RESTORED = N_("✅ <b>Back on:</b> {title} is not cancelled after all ({when}, {place}).")
FIELD_TIME = N_("Time")
FIELD_PLACE = N_("Place")
FIELD_TITLE = N_("Title")
FIELD_LINK = N_("Link")
FIELD_ZONE = N_("Time zone")
FIELD_DESCRIPTION = N_("Description")
FIELD_REGION = N_("Region")
FIELD_DETAILS = N_("Practical details")

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

# --- hardening: flood control, /forget
CMD_FORGET = N_("Erase everything the bot stores about this chat")
FLOOD_WARNING = N_("Please slow down: I will ignore your commands and buttons for a few seconds.")
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
BUTTON_KEEP = N_("Keep")

# --- announcements and broadcasts
CMD_ANNOUNCE = N_("Announce to subscribed chats: /announce [region=NAME] text, or reply")
CMD_BROADCASTS = N_("Recent broadcasts and their counts")
CMD_STOPBROADCAST = N_("Stop a broadcast: /stopbroadcast number")
CMD_STATS = N_("Subscribed chats, upcoming demonstrations, deliveries this week")

ANNOUNCE_USAGE = N_(
    "<b>How to announce</b>\n"
    "<code>/announce Your text</code> — formatting is kept.\n"
    "<code>/announce region=london Your text</code> — only chats that chose that region.\n"
    "Or reply <code>/announce</code> (optionally with <code>region=NAME</code>) to any message "
    "— a photo, document, poll or forwarded post — to send a copy of it.\n"
    "You will see a preview first."
)
ANNOUNCE_PRIVATE_ONLY = N_("Please prepare announcements in a private chat with me.")
ANNOUNCE_IN_REGION = N_(" in region {region}")
ANNOUNCE_NO_TARGETS = N_("No subscribed chats{where} to send to. Nothing was queued.")
ANNOUNCE_CONFIRM, ANNOUNCE_CONFIRM_PLURAL = NP_(
    "⬆️ This is exactly what members will see.\nSend it to <b>{n}</b> subscribed chat{where}?",
    "⬆️ This is exactly what members will see.\nSend it to <b>{n}</b> subscribed chats{where}?",
)
BUTTON_SEND = N_("📣 Send")
BUTTON_CANCEL = N_("✖️ Cancel")
BUTTON_STOP_BROADCAST = N_("⏹ Stop")
ANNOUNCE_CANCELLED = N_("Cancelled. Nothing was sent.")
ANNOUNCE_STARTED, ANNOUNCE_STARTED_PLURAL = NP_(
    "📣 Broadcast #{id}: sending to {n} chat…", "📣 Broadcast #{id}: sending to {n} chats…"
)
ANNOUNCE_PROGRESS = N_(
    "📣 Broadcast #{id}: sending…\n"
    "Sent: <b>{sent}</b> / {total}\n"
    "Failed: {failed}\n"
    "Chats that left: {gone}\n"
    "Time remaining: about {eta}"
)
ANNOUNCE_FINISHED = N_(
    "✅ Broadcast #{id} finished.\n"
    "Sent: <b>{sent}</b> / {total}\n"
    "Failed: {failed}\n"
    "Chats that left: {gone}\n"
    "Skipped: {skipped}"
)
ANNOUNCE_STOPPED = N_(
    "⏹ Broadcast #{id} stopped.\n"
    "Sent: <b>{sent}</b> / {total}\n"
    "Failed: {failed}\n"
    "Chats that left: {gone}"
)
BROADCASTS_HEADER = N_("<b>Recent broadcasts</b>")
BROADCASTS_EMPTY = N_("No broadcasts yet.")
BROADCASTS_LINE = N_(
    "#{id} {kind} · {status} · {sent}/{total} sent, {failed} failed, {gone} left · {created} UTC"
)
BROADCASTS_LINE_OTHER = N_(
    "{kind} · {status} · {sent}/{total} sent, {failed} failed, {gone} left · {created} UTC"
)
STOP_USAGE = N_("Usage: <code>/stopbroadcast number</code> (see /broadcasts)")
STOP_OK = N_("Stopping broadcast #{id}. Messages already sent stay sent.")
STOP_NOT_FOUND = N_("Broadcast #{id} is not running.")
STOP_NO_SUCH = N_("There is no broadcast #{id}. See /broadcasts.")
STATS = N_(
    "<b>Statistics</b>\n"
    "Active subscribed chats: <b>{chats}</b>\n"
    "Upcoming demonstrations: <b>{demos}</b>\n"
    "Messages delivered in the last 7 days: <b>{delivered}</b>\n"
    "Broadcasts running now: {running}"
)
