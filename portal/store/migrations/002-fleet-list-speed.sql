-- The fleet list, the overview and ingest at 100,000 routers (docs/portal.md, "Indexes and
-- paging"). PostgreSQL 15 features only.

-- The planner never filters on the documents: ANALYZE need not sample them (it blocks PGlite).
ALTER TABLE routers
  ALTER COLUMN state SET STATISTICS 0,
  ALTER COLUMN status SET STATISTICS 0,
  ALTER COLUMN desired SET STATISTICS 0,
  ALTER COLUMN desired_token SET STATISTICS 0;

-- Blocked packets in the 24 hours ending at blocked_24h_hour (the current hour after the
-- store's refresh), kept on write by ingest so the list sorts and filters on an index.
ALTER TABLE routers
  ADD COLUMN blocked_24h bigint NOT NULL DEFAULT 0,
  ADD COLUMN blocked_24h_hour timestamptz;

UPDATE routers r
   SET blocked_24h = s.blocked, blocked_24h_hour = date_trunc('hour', now())
  FROM (SELECT router_id, sum(blocked) AS blocked FROM blocked_hourly
         WHERE hour >= date_trunc('hour', now()) - interval '23 hours' GROUP BY router_id) s
 WHERE r.id = s.router_id;

-- Every sort key with the id as tie-breaker, nulls first ascending (last descending), exactly as
-- the list orders, so a page is an index range scan, never a sort of the fleet.
DROP INDEX routers_last_seen;
DROP INDEX routers_first_seen;
DROP INDEX routers_applied_version;
DROP INDEX routers_model;
CREATE INDEX routers_last_seen_id ON routers (last_seen, id);
CREATE INDEX routers_first_seen_id ON routers (first_seen, id);
CREATE INDEX routers_applied_version_id ON routers (applied_version NULLS FIRST, id);
CREATE INDEX routers_model_id ON routers (model NULLS FIRST, id);
CREATE INDEX routers_blocked_24h_id ON routers (blocked_24h, id);
-- Rows whose window must move on at the next hour (only routers with something blocked).
CREATE INDEX routers_blocked_24h_stale ON routers (blocked_24h_hour) WHERE blocked_24h > 0;

-- The whole fleet's blocked packets per hour, kept on write, for the overview's history.
CREATE TABLE blocked_fleet_hourly (
  hour timestamptz PRIMARY KEY,
  blocked bigint NOT NULL
);
INSERT INTO blocked_fleet_hourly (hour, blocked)
  SELECT hour, sum(blocked) FROM blocked_hourly GROUP BY hour;

-- Filters: the rare side of each flag a NOC looks for (an index costs ingest nothing for rows
-- it does not hold), and the columns whose values split the fleet.
CREATE INDEX routers_offline ON routers (id) WHERE NOT online;
CREATE INDEX routers_disabled ON routers (id) WHERE enabled = false;
CREATE INDEX routers_not_applied ON routers (id) WHERE applied = false;
CREATE INDEX routers_has_error ON routers (id) WHERE has_error;
CREATE INDEX routers_iptables ON routers (id) WHERE backend = 'iptables';
CREATE INDEX routers_wan_proto ON routers (wan_proto);

-- The `q` search: id, model, board and release in lower case, one row per router, written only
-- when they change (not on every status), with a trigram index for substring matches.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE router_search (
  id text PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
  text text NOT NULL
);
CREATE INDEX router_search_trgm ON router_search USING gin (text gin_trgm_ops);
INSERT INTO router_search (id, text)
  SELECT id, lower(concat_ws(E'\n', id, model, board, release)) FROM routers;
