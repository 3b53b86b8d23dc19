-- "Can't go" answers. rsvps keeps the members who are going (every count and private reminder
-- reads it); a member's answer is in at most one of the two tables. Only the numeric user id
-- is kept, and it is deleted after the demonstration like the rsvps rows.
CREATE TABLE rsvp_declines (
    demo_id    INTEGER NOT NULL REFERENCES demos (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (demo_id, user_id)
) WITHOUT ROWID;
CREATE INDEX rsvp_declines_user ON rsvp_declines (user_id);
