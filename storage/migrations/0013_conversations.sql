-- Conversations in progress (/adddemo step by step, /addstatement) survive a restart: PTB's
-- conversation state per (chat, user), and the answers given so far (JSON). Both are about a
-- chat and a person, so /forget erases them (storage/privacy.py finds the id columns).
CREATE TABLE conversations (
    name       TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (name, chat_id, user_id)
);

CREATE TABLE conversation_drafts (
    user_id    INTEGER PRIMARY KEY,
    data       TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
