CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    owner_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content BLOB NOT NULL,
    size_bytes INTEGER NOT NULL,
    mapping TEXT,
    status TEXT NOT NULL CHECK (status IN ('uploaded','committed')),
    result TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX imports_owner_idx ON imports (owner_user_id, id);
CREATE INDEX imports_expires_idx ON imports (expires_at);
