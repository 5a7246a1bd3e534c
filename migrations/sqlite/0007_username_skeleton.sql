-- Usernames that only look alike (Cyrillic "аdmin" next to "admin", "rnary" next to "mary")
-- are one name: username_skeleton holds the Unicode TR39 skeleton of username_folded and is
-- unique. SQL cannot compute skeletons, so rows from before this migration are filled in by
-- the store's migrate step in Rust, right after it (SqlStore::migrate); until then they are
-- NULL, and NULLs do not collide in a unique index.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_username_skeleton_key ON users (username_skeleton);
