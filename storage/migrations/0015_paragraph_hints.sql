-- Member questions an administrator attached to a paragraph of an uploaded statement (the
-- `questions:` block of /addstatement's front matter): search evidence like the built-in
-- hints in bot/data/search_hints.tsv, never shown. Written with the paragraph by
-- storage.content and deleted with it by the cascade, so a statement's removal or
-- replacement takes its questions with it.
CREATE TABLE paragraph_hints (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs (id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,   -- the question's place among its paragraph's
    text         TEXT    NOT NULL,
    PRIMARY KEY (paragraph_id, n)
) WITHOUT ROWID;
