-- The number of routers, for the overview (portal/store/fleet-summary.ts): counting it read
-- 100,000 index entries on every summary. It changes only when a router is added or deleted,
-- so it is kept on those writes: statement triggers on router_search (one row per router,
-- written with it), which status messages never touch. PostgreSQL 15 features only.
CREATE TABLE fleet_count (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  routers bigint NOT NULL
);
INSERT INTO fleet_count (routers) SELECT count(*) FROM router_search;

CREATE FUNCTION fleet_count_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE fleet_count SET routers = routers + (SELECT count(*) FROM added);
  RETURN NULL;
END $$;

CREATE FUNCTION fleet_count_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE fleet_count SET routers = routers - (SELECT count(*) FROM removed);
  RETURN NULL;
END $$;

CREATE FUNCTION fleet_count_emptied() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE fleet_count SET routers = 0;
  RETURN NULL;
END $$;

-- An upsert that only updates search rows (a device's fields changed) adds nothing: the
-- transition table holds the rows actually inserted.
CREATE TRIGGER fleet_count_added AFTER INSERT ON router_search
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_added();
-- Also when a router's deletion cascades here.
CREATE TRIGGER fleet_count_removed AFTER DELETE ON router_search
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_removed();
CREATE TRIGGER fleet_count_emptied AFTER TRUNCATE ON router_search
  FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_emptied();
