-- Hybrid registration: an account waiting for its first upstream connection is a status of
-- the account, not a key in the free-form attributes (which reach apps as claims).
ALTER TABLE users ADD COLUMN awaiting_activation BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET awaiting_activation = TRUE,
                 attributes = json_remove(attributes, '$.tessera_awaiting_activation')
    WHERE json_extract(attributes, '$.tessera_awaiting_activation') = 1;
UPDATE users SET attributes = json_remove(attributes, '$.tessera_awaiting_activation')
    WHERE json_extract(attributes, '$.tessera_awaiting_activation') IS NOT NULL;
