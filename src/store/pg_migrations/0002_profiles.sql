-- Candidates' profiles: a résumé and a job posting, and the sessions run
-- with them. No account: the token's hash is the only key.
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Profiles unused for `[profiles] unused_days` are deleted.
    used_at    BIGINT NOT NULL
);

CREATE INDEX profiles_used_at ON profiles (used_at);

-- The text extracted from each document (the uploaded file is not kept).
CREATE TABLE profile_documents (
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (profile_id, kind)
);

-- Deleting either side removes the link; the session itself is deleted
-- with its own token.
CREATE TABLE profile_sessions (
    profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    linked_at  BIGINT NOT NULL,
    PRIMARY KEY (profile_id, session_id)
);

CREATE INDEX profile_sessions_by_session ON profile_sessions (session_id);
