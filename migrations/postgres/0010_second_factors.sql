-- Second factors: an authenticator app (RFC 6238 TOTP), single-use recovery codes and
-- passkeys (WebAuthn), and the ceremonies in flight between two requests (a half-done login
-- waiting for its second factor, a passkey registration or sign-in waiting for the browser).

-- At most one authenticator app per account. The secret is sealed with the master key
-- (context "totp:<user id>"); `confirmed` turns true when the person typed a valid code.
CREATE TABLE totp_factors (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,
    confirmed     BOOLEAN NOT NULL DEFAULT FALSE,
    -- The newest time step a code was accepted for: a code (and any older one) is accepted
    -- once (RFC 6238 §5.2), on every node, by a conditional UPDATE.
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- SHA-256 digests of 80-bit random codes (the codes are shown once).
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, digest)
);

-- A credential id belongs to one account only (WebAuthn §7.1 step 22).
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY,     -- base64url, unpadded
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,        -- webauthn-rs Passkey (public key, counter) as JSON
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- Taken (deleted) by the request that finishes it: each is used at most once.
CREATE TABLE mfa_ceremonies (
    id_digest  TEXT PRIMARY KEY,
    browser    TEXT NOT NULL,           -- digest binding it to the browser that started it
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,           -- second_step | passkey_register | passkey_sign_in
    state      TEXT NOT NULL,           -- JSON
    expires_at BIGINT NOT NULL
);

-- An app's acr_values (OIDC Core §3.1.2.1), space-separated: a request for the multi-factor
-- class is a step-up.
ALTER TABLE auth_requests ADD COLUMN acr_values TEXT;
