"""Texts for flood control, /forget, announcements and broadcasts."""

from __future__ import annotations

from bot.i18n.translate import N_, NP_

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
