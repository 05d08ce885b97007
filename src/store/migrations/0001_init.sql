-- Sessions and their append-only event logs.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    -- SHA-256 of the candidate's token: a leaked database does not leak access.
    token_hash   TEXT NOT NULL,
    loop_id      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
