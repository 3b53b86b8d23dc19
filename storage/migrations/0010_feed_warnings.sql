-- The last warning the administrators were given about a feed that still works (for example
-- 'timezone:Mars/Olympus' for an unknown X-WR-TIMEZONE), so that each is said only once.
ALTER TABLE feeds ADD COLUMN warned TEXT;
