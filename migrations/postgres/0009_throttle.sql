-- Failed password logins, counted in the database so every node sees the same counts.
-- `scope` says what is counted (login_pair: "{account}|{ip}", login_ip: an IP address,
-- login_account: a user id); times are Unix seconds like every other time column.
CREATE TABLE throttles (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, subject)
);
