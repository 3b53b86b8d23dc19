"""Texts for subscriptions, settings, demonstrations, RSVPs and reminders."""

from __future__ import annotations

from bot.i18n.translate import N_, NP_

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
