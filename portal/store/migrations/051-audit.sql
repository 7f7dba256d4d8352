-- The audit log: every change, who made it, when, to which routers, why and how it went
-- (portal/auth/audit-store.ts). Rows are only ever inserted.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  operator text NOT NULL,
  action text NOT NULL,
  routers text[] NOT NULL,
  router_count integer NOT NULL,
  reason text NOT NULL,
  outcome text NOT NULL,
  detail jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_operator ON audit_log (operator, at DESC);
CREATE INDEX audit_log_routers ON audit_log USING gin (routers);
