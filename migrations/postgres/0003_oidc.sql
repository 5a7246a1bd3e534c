-- OpenID Connect provider state. Secrets (codes, refresh tokens) are stored as SHA-256
-- digests; private keys are sealed with the master key (AES-256-GCM) and base64-encoded.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    sealed_private TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    activates_at   BIGINT NOT NULL,  -- published from creation, signs from here (RFC 7517 key rollover)
    retires_at     BIGINT,           -- stops signing
    expires_at     BIGINT            -- leaves the JWKS once every token it signed has expired
);

-- One row per algorithm; the conditional UPDATE on it elects the single node that rotates.
CREATE TABLE key_rotations (
    alg             TEXT PRIMARY KEY,
    last_rotated_at BIGINT NOT NULL
);

CREATE TABLE auth_requests (
    id             TEXT PRIMARY KEY,
    browser        TEXT NOT NULL,   -- digest binding the request to the browser that started it
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    state          TEXT,
    nonce          TEXT,
    code_challenge TEXT,
    prompt         TEXT NOT NULL,
    max_age        BIGINT,
    login_hint     TEXT,
    hint_subject   TEXT,            -- sub of a verified id_token_hint
    session_at_start TEXT,          -- prompt=login: this session is not a fresh enough login
    consented      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

CREATE TABLE authorization_codes (
    digest         TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      BIGINT NOT NULL,
    sid            TEXT NOT NULL,
    amr            TEXT NOT NULL,
    used           BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at     BIGINT NOT NULL
);

-- A family is every refresh token descended from one authorization; reuse of a rotated
-- token revokes the whole family (OAuth 2.0 Security BCP §4.14.2).
CREATE TABLE refresh_tokens (
    digest      TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes      TEXT NOT NULL,
    auth_time   BIGINT NOT NULL,
    sid         TEXT NOT NULL,
    amr         TEXT NOT NULL,
    code_digest TEXT,
    rotated     BOOLEAN NOT NULL DEFAULT FALSE,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE,
    issued_at   BIGINT NOT NULL,
    family_expires_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Every access token's jti, so revocation and introspection can answer for JWTs too.
CREATE TABLE access_tokens (
    jti         TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    user_id     TEXT,
    scopes      TEXT NOT NULL,
    family_id   TEXT,
    code_digest TEXT,
    sid         TEXT,
    revoked     BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX access_tokens_family_idx ON access_tokens (family_id);
CREATE INDEX access_tokens_code_idx ON access_tokens (code_digest);

-- Remembered consent: the scopes a person let an app have.
CREATE TABLE grants (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
