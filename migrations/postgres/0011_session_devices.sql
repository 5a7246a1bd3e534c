-- Which device and address each session was started from, so that the account page can list
-- a person's sessions in words they recognise and let them end the ones they do not
-- (ASVS 4.0.3 V3.3.4): the browser's User-Agent as it sent it (at most 512 characters) and
-- the client's IP address (behind a trusted proxy, the address it forwarded for). Sessions
-- from before this migration have neither.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
