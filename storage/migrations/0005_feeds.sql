-- Calendar feeds (.ics over http/https) that bot administrators subscribe the bot to.
-- Events are upserted into demos by UID (source = 'feed', feed_id = feeds.id). last_error holds
-- an error kind only ('timeout', 'http', ...), never response content.
CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: ids name feeds
    url             TEXT    NOT NULL UNIQUE,
    region          TEXT,                         -- lower-cased; NULL = everywhere
    etag            TEXT,                         -- for If-None-Match
    last_modified   TEXT,                         -- for If-Modified-Since (HTTP date, verbatim)
    content_hash    TEXT,                         -- sha256 of the last body processed
    last_fetched_at TEXT,                         -- last attempt
    last_ok_at      TEXT,                         -- last successful fetch (200 or 304)
    last_error      TEXT,                         -- error kind of the current failure, or NULL
    last_status     INTEGER,                      -- HTTP status of the current failure, if any
    failing_since   TEXT,
    alerted         INTEGER NOT NULL DEFAULT 0,   -- admins were told about the current failure
    next_fetch_at   TEXT,                         -- NULL = as soon as possible
    created_by      INTEGER,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_fetch_at);
