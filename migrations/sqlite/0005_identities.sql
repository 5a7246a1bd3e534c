-- Upstream identities linked to local accounts, their friends lists, and upstream logins in
-- flight. Upstream tokens and per-login protocol data are sealed with the master key.
CREATE TABLE identities (
    provider       TEXT NOT NULL,
    subject        TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    username       TEXT,
    email          TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    profile        TEXT NOT NULL DEFAULT '{}',
    tokens_sealed  TEXT,
    linked_at      BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX identities_user_idx ON identities (user_id);

CREATE TABLE contacts (
    provider       TEXT NOT NULL,
    subject        TEXT NOT NULL,
    friend_subject TEXT NOT NULL,
    PRIMARY KEY (provider, subject, friend_subject)
);

CREATE TABLE upstream_logins (
    state_digest TEXT PRIMARY KEY,
    upstream     TEXT NOT NULL,
    browser      TEXT NOT NULL,
    purpose      TEXT NOT NULL,          -- login | link
    user_id      TEXT,                   -- the account to link to (purpose = link)
    next         TEXT,
    sealed_data  TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
