-- Operator accounts, login sessions and API tokens (portal/auth/accounts-store.ts).
-- Secrets are stored only as SHA-256 (tokens, session ids) or scrypt (passwords).
CREATE TABLE accounts (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  account text NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  account text NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
  label text NOT NULL DEFAULT '',
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
