-- Announcements are numbered on their own (1, 2, 3 ...) when they are sent, so reminders and
-- notices, which share the broadcasts table, do not make the first announcement "#2".
ALTER TABLE broadcasts ADD COLUMN number INTEGER;
CREATE UNIQUE INDEX broadcasts_kind_number ON broadcasts (kind, number) WHERE number IS NOT NULL;
