"""Texts for everyone's first steps: /start, /help, the command menu, content, generic errors."""

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
# the questions: block of the header (search evidence members never see)
ADD_Q_REFUSED = N_(
    "Line {line} of the <b>questions:</b> header has a mistake:\n<code>{source}</code>\n"
    "{problem}\nNothing was added: please fix the file and send it again, or /cancel."
)
ADD_Q_BAD_LINE = N_(
    "Write the paragraph's number or its first words, a colon, then the questions separated "
    "by |, for example <code>3: how do boats get to Gaza | ships to Gaza</code>."
)
ADD_Q_EMPTY = N_("There is no question after the colon.")
ADD_Q_NO_PARAGRAPH = N_(
    "There is no paragraph {number}: this statement's paragraphs are numbered 1 to {total}, "
    "as /statements shows them (headings are not counted)."
)
ADD_Q_NO_MATCH = N_("No paragraph begins with “{words}” (a heading cannot have questions).")
ADD_Q_AMBIGUOUS = N_(
    "Several paragraphs begin with “{words}” (paragraphs {numbers}): give more of its first "
    "words, or its number."
)
ADD_Q_TOO_LONG = N_("A question there is longer than {limit} characters.")
ADD_Q_TOO_MANY_HERE = N_("Paragraph {number} would have more than {limit} questions.")
ADD_Q_TOO_MANY = N_("A statement can have at most {limit} questions.")
ADD_Q_DONE, ADD_Q_DONE_PLURAL = NP_(
    "🔎 {n} question attached for search (members never see it):",
    "🔎 {n} questions attached for search (members never see them):",
)
ADD_Q_ITEM = N_("• paragraph {number} “{start}”: {count}")
ADD_Q_MORE, ADD_Q_MORE_PLURAL = NP_("• and {n} more paragraph", "• and {n} more paragraphs")
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
