-- Append-only audit log: who did what, when, from where. Never secrets.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    user_id    TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',
    ip         TEXT,
    user_agent TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, at);
