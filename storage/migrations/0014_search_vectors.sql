-- Dense search vectors are index data: one per distinct embedded text (keyed by the SHA-256
-- of that text and the model that made it), so an unchanged paragraph is never re-embedded
-- and a changed one gets a new key. Rows no paragraph uses any more are pruned on refresh.
CREATE TABLE search_vectors (
    text_hash TEXT NOT NULL,
    model     TEXT NOT NULL,
    vector    BLOB NOT NULL,   -- float32 little-endian, unit length
    PRIMARY KEY (text_hash, model)
) WITHOUT ROWID;

-- The language a statement is written in, and the statement it translates (uploads only).
ALTER TABLE statements ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE statements ADD COLUMN translation_of TEXT;
