-- The outbox: one row per broadcast (announcement, reminder, notice) and one per target chat.
-- status: draft (previewed, not sent) -> pending -> running -> done | stopped; cancelled drafts.
-- Deliveries are written before anything is sent and marked as each send completes, so an
-- unfinished broadcast resumes after a restart without sending any chat a second copy.
CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY,
    kind              TEXT    NOT NULL,
    payload           TEXT    NOT NULL DEFAULT '{}',   -- JSON, read by the kind's renderer
    priority          INTEGER NOT NULL DEFAULT 0,      -- higher goes first (reminders > news)
    status            TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('draft', 'pending', 'running', 'done', 'stopped',
                                        'cancelled')),
    total             INTEGER NOT NULL DEFAULT 0,
    sent              INTEGER NOT NULL DEFAULT 0,
    failed            INTEGER NOT NULL DEFAULT 0,
    gone              INTEGER NOT NULL DEFAULT 0,
    skipped           INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER,                          -- bot administrator's user id, if any
    status_chat_id    INTEGER,                          -- where progress is reported, if anywhere
    status_message_id INTEGER,
    created_at        TEXT    NOT NULL,
    started_at        TEXT,
    finished_at       TEXT
);
CREATE INDEX broadcasts_status ON broadcasts (status, priority DESC, id);

CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    thread_id    INTEGER,
    state        TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sent', 'failed', 'gone', 'skipped', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,                                  -- error kind only, never message text
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (broadcast_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_state ON deliveries (broadcast_id, state);
CREATE INDEX deliveries_recent ON deliveries (state, updated_at);
