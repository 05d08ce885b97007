-- Events move from a table clustered on (session_id, seq) to one in arrival
-- order, with that key as a unique index. Clustered, each append wrote its
-- event body into a page of its own session's rows, so a group commit of
-- many sessions' events rewrote one page of bodies per session; now the
-- bodies of a commit share the newest pages, and each session touches only
-- a small index entry.
CREATE TABLE events_in_order (
    id         INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL
);

INSERT INTO events_in_order (session_id, seq, type, at, body)
    SELECT session_id, seq, type, at, body FROM events ORDER BY session_id, seq;

DROP TABLE events;

ALTER TABLE events_in_order RENAME TO events;

CREATE UNIQUE INDEX events_session_seq ON events (session_id, seq);
