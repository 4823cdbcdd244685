-- API keys: only the SHA-256 of the whole key is stored. Keys and revocations are append-only: revoking a key
-- adds a row, so the history of who could call what, when, is never lost.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  name         text NOT NULL,
  environment  text NOT NULL CHECK (environment IN ('live', 'test')),
  sha256       text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE api_key_revocations (
  key_id      text PRIMARY KEY REFERENCES api_keys (id),
  revoked_at  timestamptz NOT NULL
);

SELECT tollgate_make_append_only('api_keys');
SELECT tollgate_make_append_only('api_key_revocations');
GRANT SELECT, INSERT ON api_keys, api_key_revocations TO {{service_role}};
