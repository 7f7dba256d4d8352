-- The fleet: one row per router, its blocked-attempt history per hour, its LAN sources, every
-- desired state and command sent, and staged rollouts. PostgreSQL 15 features only.

CREATE TABLE routers (
  id text PRIMARY KEY,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  -- presence by the boot-id rule
  online boolean NOT NULL DEFAULT false,
  boot text,
  agent_version text,
  state jsonb,
  state_at timestamptz,
  -- the latest status document and the columns the fleet list filters and sorts on
  status jsonb,
  status_received_at timestamptz,
  reported_at timestamptz,
  status_boot text,
  model text,
  board text,
  release text,
  wan_proto text,
  enabled boolean,
  applied_version bigint,
  policy_source text,
  policy_action text,
  applied boolean,
  backend text,
  drift_count integer NOT NULL DEFAULT 0,
  repairs integer NOT NULL DEFAULT 0,
  has_error boolean NOT NULL DEFAULT false,
  blocked_packets bigint NOT NULL DEFAULT 0,
  -- the version allocator: the last version handed out for this router
  last_version bigint NOT NULL DEFAULT 0,
  -- the desired state in force on the broker (retained), as published
  desired jsonb,
  desired_version bigint,
  desired_token text,
  desired_exp timestamptz
);

CREATE INDEX routers_last_seen ON routers (last_seen);
CREATE INDEX routers_first_seen ON routers (first_seen);
CREATE INDEX routers_applied_version ON routers (applied_version);
CREATE INDEX routers_model ON routers (model);
CREATE INDEX routers_status_received_at ON routers (status_received_at);
CREATE INDEX routers_desired_exp ON routers (desired_exp) WHERE desired_exp IS NOT NULL;

-- Blocked packets per router and hour, as deltas (a counter that drops has restarted).
CREATE TABLE blocked_hourly (
  router_id text NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  hour timestamptz NOT NULL,
  blocked bigint NOT NULL,
  PRIMARY KEY (router_id, hour)
);
CREATE INDEX blocked_hourly_hour ON blocked_hourly (hour);

-- Attempts per LAN source, summed over counter resets.
CREATE TABLE router_sources (
  router_id text NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  address text NOT NULL,
  attempts bigint NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (router_id, address)
);

CREATE TABLE rollouts (
  id text PRIMARY KEY,
  action text NOT NULL,
  reason text NOT NULL,
  operator text NOT NULL,
  policy jsonb,
  state text NOT NULL,
  halt_reason text,
  -- the router ids of each wave, fixed when the rollout starts
  plan jsonb NOT NULL,
  waves jsonb NOT NULL,
  current_wave integer NOT NULL DEFAULT 0,
  max_error_share double precision NOT NULL,
  max_missing_share double precision NOT NULL,
  wave_timeout_ms integer NOT NULL,
  -- compare-and-set: every change checks and bumps it, so two instances never both act
  revision integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every desired state and command sent, with who and why, and how the router answered.
CREATE TABLE actions (
  id bigserial PRIMARY KEY,
  router_id text NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('desired', 'command')),
  action text NOT NULL,
  version bigint,
  command_id text,
  content jsonb NOT NULL,
  operator text NOT NULL,
  reason text NOT NULL,
  rollout_id text REFERENCES rollouts (id),
  wave integer,
  status text NOT NULL,
  reply jsonb,
  sent_at timestamptz NOT NULL DEFAULT now(),
  replied_at timestamptz
);
CREATE INDEX actions_router ON actions (router_id, id DESC);
CREATE INDEX actions_open ON actions (sent_at) WHERE status IN ('sent', 'pending: router offline');
CREATE INDEX actions_rollout ON actions (rollout_id, wave) WHERE rollout_id IS NOT NULL;
CREATE UNIQUE INDEX actions_version ON actions (router_id, version) WHERE version IS NOT NULL;
CREATE UNIQUE INDEX actions_command ON actions (router_id, command_id) WHERE command_id IS NOT NULL;
