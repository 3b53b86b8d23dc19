-- The statements the bot quotes (built-in corpus and admin uploads) and their full-text index.
-- source 'builtin' rows are (re)written from the packaged data on start-up unless hidden;
-- hidden = 1 keeps a removed built-in statement from coming back on restart.
CREATE TABLE statements (
    slug         TEXT    PRIMARY KEY,
    title        TEXT    NOT NULL,
    author       TEXT    NOT NULL DEFAULT '',
    date_text    TEXT    NOT NULL DEFAULT '',
    sort_date    TEXT,                 -- ISO date YYYY-MM-DD for ordering; NULL when unknown
    source       TEXT    NOT NULL CHECK (source IN ('builtin', 'uploaded')),
    content_hash TEXT    NOT NULL,
    hidden       INTEGER NOT NULL DEFAULT 0,
    meta_json    TEXT    NOT NULL DEFAULT '[]',  -- headings/captions/trailer lines, JSON
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

CREATE TABLE paragraphs (
    id      INTEGER PRIMARY KEY,
    slug    TEXT    NOT NULL REFERENCES statements (slug) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    heading TEXT,
    text    TEXT    NOT NULL,
    UNIQUE (slug, idx)
);

-- rowid = paragraphs.id; written by storage.content together with paragraphs.
CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (
    title,
    heading,
    text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
