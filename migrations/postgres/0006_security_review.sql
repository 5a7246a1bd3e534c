-- Fixes from the outside security review (docs/security.md).

-- Token issuance is guarded by what it comes from: a code or a refresh family. Issuing takes
-- the guard row's lock and checks it is not revoked; reuse detection and revocation flag the
-- guard first, so a revocation and a concurrent issuance serialize on one row and no token
-- issued from a revoked code or family stays live (OAuth 2.0 Security BCP §4.14.2).
ALTER TABLE authorization_codes ADD COLUMN revoked BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE refresh_families (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_digest TEXT,                 -- the code the family was started with
    revoked     BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX refresh_families_code_idx ON refresh_families (code_digest);
CREATE INDEX refresh_families_user_idx ON refresh_families (user_id, client_id);
INSERT INTO refresh_families (id, client_id, user_id, code_digest, revoked, expires_at)
    SELECT family_id, MIN(client_id), MIN(user_id), MIN(code_digest), FALSE, MAX(family_expires_at)
    FROM refresh_tokens GROUP BY family_id;

-- Account pre-hijacking: an unconfirmed address never blocks another account, so only
-- confirmed addresses are unique; an email change waits in pending_email until confirmed.
DROP INDEX users_email_folded_key;
CREATE UNIQUE INDEX users_verified_email_key ON users (email_folded) WHERE email_verified;
CREATE INDEX users_email_folded_idx ON users (email_folded);
ALTER TABLE users ADD COLUMN pending_email TEXT;
ALTER TABLE users ADD COLUMN pending_email_folded TEXT;
CREATE INDEX users_pending_email_idx ON users (pending_email_folded);

-- The identity an account was created with (social registration): a confirmation by a
-- signed-out browser keeps it, while identities connected later before any proof go.
ALTER TABLE identities ADD COLUMN founding BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE identities SET founding = TRUE
    WHERE linked_at <= (SELECT date_joined FROM users WHERE users.id = identities.user_id) + 60;
