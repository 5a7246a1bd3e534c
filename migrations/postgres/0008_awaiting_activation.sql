-- Hybrid registration: an account waiting for its first upstream connection is a status of
-- the account, not a key in the free-form attributes (which reach apps as claims).
ALTER TABLE users ADD COLUMN awaiting_activation BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET awaiting_activation = TRUE
    WHERE (attributes::jsonb ->> 'tessera_awaiting_activation') = 'true';
UPDATE users SET attributes = (attributes::jsonb - 'tessera_awaiting_activation')::text
    WHERE attributes::jsonb ? 'tessera_awaiting_activation';
