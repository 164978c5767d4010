-- Users. The email is stored trimmed and lower-cased (the API normalises it; the CHECK makes
-- sure nothing else slips in), so the unique index on it is case-insensitive uniqueness.
CREATE TABLE users (
  user_id    uuid PRIMARY KEY,
  email      text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- Keyset pagination walks (created_at, user_id).
CREATE INDEX users_created_at_user_id_idx ON users (created_at, user_id);
