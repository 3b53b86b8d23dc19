-- Demonstrations, RSVPs (counts only are ever shown) and the reminder delivery log.
-- Times are UTC ISO-8601 text (YYYY-MM-DDTHH:MM:SS+00:00), so text order is time order.
CREATE TABLE demos (
    id            INTEGER PRIMARY KEY,
    uid           TEXT    NOT NULL UNIQUE,       -- stable iCalendar UID
    starts_at     TEXT    NOT NULL,
    place         TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    link          TEXT,
    region        TEXT,                          -- lower-cased; NULL = everywhere
    details       TEXT,                          -- private practical details, never in groups
    status        TEXT    NOT NULL DEFAULT 'scheduled'
                          CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason TEXT,
    source        TEXT    NOT NULL DEFAULT 'admin',  -- 'admin' or 'feed'
    feed_id       INTEGER,                       -- the calendar feed it came from (later feature)
    created_by    INTEGER,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX demos_upcoming ON demos (status, starts_at);
CREATE INDEX demos_feed ON demos (feed_id);

CREATE TABLE rsvps (
    demo_id    INTEGER NOT NULL REFERENCES demos (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (demo_id, user_id)
) WITHOUT ROWID;
CREATE INDEX rsvps_user ON rsvps (user_id);

-- One row per (demo, chat, lead): the row is written in the same transaction as the outbox
-- enqueue, so a reminder is delivered at most once. state: 'sent' (handed to the outbox) or
-- 'skipped' (overdue and superseded by a closer reminder, or the demo had begun).
CREATE TABLE reminder_log (
    demo_id      INTEGER NOT NULL REFERENCES demos (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    lead_minutes INTEGER NOT NULL,
    due_at       TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('sent', 'skipped')),
    sent_at      TEXT,
    PRIMARY KEY (demo_id, chat_id, lead_minutes)
) WITHOUT ROWID;
CREATE INDEX reminder_log_chat ON reminder_log (chat_id);

-- Fan-outs already done for (demo, lead, time zone): lets the scheduler skip work it has
-- finished without scanning every chat again. Only an optimisation; reminder_log is the truth.
CREATE TABLE reminder_runs (
    demo_id      INTEGER NOT NULL REFERENCES demos (id) ON DELETE CASCADE,
    lead_minutes INTEGER NOT NULL,
    timezone     TEXT    NOT NULL,
    due_at       TEXT    NOT NULL,
    done_at      TEXT    NOT NULL,
    PRIMARY KEY (demo_id, lead_minutes, timezone)
) WITHOUT ROWID;
