-- Chats the bot is in, with their subscription and settings. No titles, names or usernames.
CREATE TABLE chats (
    chat_id      INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('private', 'group', 'supergroup', 'channel')),
    active       INTEGER NOT NULL DEFAULT 1,
    subscribed   INTEGER NOT NULL DEFAULT 0,
    thread_id    INTEGER,              -- forum topic that receives reminders/announcements
    timezone     TEXT,                 -- IANA name; NULL means BOT_TIMEZONE
    lead_minutes TEXT,                 -- JSON list of reminder lead times; NULL means default
    region       TEXT,                 -- optional city/region filter, lower-cased
    language     TEXT,                 -- chosen language code; NULL means from the user
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX chats_subscribed ON chats (subscribed, active);
