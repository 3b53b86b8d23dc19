-- The reminder flood cap: when a chat last got a digest instead of reminders (one a day at
-- most), and an index to count the reminders each chat got in the last hour.
ALTER TABLE chats ADD COLUMN reminder_digest_at TEXT;
CREATE INDEX reminder_log_sent ON reminder_log (sent_at) WHERE sent_at IS NOT NULL;
