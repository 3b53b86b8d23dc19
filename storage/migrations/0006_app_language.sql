-- The Telegram app language of a private chat's user (a supported code, or NULL), so that
-- scheduled messages (reminders, notices) follow it when the chat chose no language.
ALTER TABLE chats ADD COLUMN app_language TEXT;
