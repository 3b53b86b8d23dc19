-- The venue's time zone of each demonstration (IANA name; NULL: shown in each chat's zone, as
-- before) and the notices about changes waiting to be sent: edits confirmed within a few minutes
-- of each other are told in one notice, and a cancellation undone before its notice went out is
-- never told at all. A row survives a restart; it is deleted when its notice is queued.
ALTER TABLE demos ADD COLUMN timezone TEXT;

CREATE TABLE demo_notices (
    demo_id    INTEGER PRIMARY KEY REFERENCES demos (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN ('changed', 'cancelled', 'restored')),
    changes    TEXT    NOT NULL DEFAULT '[]',   -- JSON [[field, old, new], ...]
    due_at     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX demo_notices_due ON demo_notices (due_at);
