-- Version allocation and the desired state in force on the broker, in a narrow table of their
-- own. A bulk action writes each router's row twice (allocate the version, then record what the
-- broker acknowledged); on the wide routers row (its status document, a dozen indexes) each such
-- write copied about 1.3 KB and touched every index: about four times the cost measured here.
-- fillfactor leaves room on each page, so an allocation (no indexed column changes) is a HOT
-- update. A row is made at a router's first allocation. PostgreSQL 15 features only.
CREATE TABLE router_desired (
  id text PRIMARY KEY REFERENCES routers (id) ON DELETE CASCADE,
  -- the version allocator: the last version handed out for this router
  last_version bigint NOT NULL,
  -- the desired state in force on the broker (retained), as published
  desired jsonb,
  desired_version bigint,
  desired_token text,
  desired_exp timestamptz
) WITH (fillfactor = 70);

INSERT INTO router_desired (id, last_version, desired, desired_version, desired_token, desired_exp)
  SELECT id, last_version, desired, desired_version, desired_token, desired_exp FROM routers
   WHERE last_version > 0 OR desired_version IS NOT NULL;

CREATE INDEX router_desired_exp ON router_desired (desired_exp) WHERE desired_exp IS NOT NULL;
ALTER TABLE router_desired
  ALTER COLUMN desired SET STATISTICS 0,
  ALTER COLUMN desired_token SET STATISTICS 0;

DROP INDEX routers_desired_exp;
ALTER TABLE routers
  DROP COLUMN last_version,
  DROP COLUMN desired,
  DROP COLUMN desired_version,
  DROP COLUMN desired_token,
  DROP COLUMN desired_exp;
