-- Sessions, their append-only event logs, and which node drives each.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    -- SHA-256 of the candidate's token: a leaked database does not leak access.
    token_hash   TEXT NOT NULL,
    loop_id      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE INDEX sessions_newest_first ON sessions (created_at DESC, id);

CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    type       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- At most one row per session: the node driving it, until expires_at (the
-- database's clock). `wanted` is set by another node's socket asking for it.
CREATE TABLE leases (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    token      TEXT NOT NULL,
    node       TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    wanted     BOOLEAN NOT NULL DEFAULT FALSE
);
