-- Presence and boot history (docs/portal.md, "Presence and boots"): when a router last went
-- online or offline, when its present run (boot id) was first seen, and its last 50 ended runs.
-- Kept by triggers on routers, so ingest writes exactly what it wrote before. PostgreSQL 15
-- features only.

-- The portal's clock (routers.last_seen of the batch that made the change), never a router's.
-- NULL: not known (no state document yet, or the change was before this migration).
ALTER TABLE routers
  ADD COLUMN presence_since timestamptz,
  ADD COLUMN boot_seen_at timestamptz;

-- The ended runs of each router, newest first by ended_at.
-- ended_by: stopped  the run's offline document was made after its online one (the goodbye of a
--                    clean stop);
--           lost     it was made before (the Last Will, made when the connection was set up);
--           offline  an offline document of unknown kind (made in the same millisecond);
--           replaced a new run announced itself while this one was online (a restart faster
--                    than its offline document, or one that came in the same batch).
CREATE TABLE router_boots (
  router_id text NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
  boot text NOT NULL,
  agent_version text,
  -- NULL: the run began before this migration
  first_seen timestamptz,
  ended_at timestamptz NOT NULL,
  ended_by text NOT NULL CHECK (ended_by IN ('stopped', 'lost', 'offline', 'replaced')),
  PRIMARY KEY (router_id, boot)
);
CREATE INDEX router_boots_newest ON router_boots (router_id, ended_at DESC, boot DESC);

-- How a run that is offline ended: its offline document's `at` against the run's latest online
-- `at` (routers.state_at). A value that does not read as a time is "offline", never an error
-- (an error here would fail the whole ingest batch).
CREATE FUNCTION router_boot_end(offline_doc jsonb, online_at timestamptz) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  made timestamptz;
BEGIN
  made := (offline_doc->>'at')::timestamptz;
  RETURN CASE WHEN made > online_at THEN 'stopped' WHEN made < online_at THEN 'lost'
              ELSE 'offline' END;
EXCEPTION WHEN others THEN
  RETURN 'offline';
END
$$;

-- Before an update that changes online or boot: the presence times, and the ended run.
CREATE FUNCTION routers_presence_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.presence_since := NEW.last_seen;
  IF NEW.boot IS DISTINCT FROM OLD.boot THEN
    NEW.boot_seen_at := NEW.last_seen;
    IF OLD.boot IS NOT NULL AND NEW.boot IS NOT NULL THEN
      INSERT INTO router_boots AS b (router_id, boot, agent_version, first_seen, ended_at, ended_by)
      VALUES (
        OLD.id, OLD.boot, OLD.agent_version, OLD.boot_seen_at,
        CASE WHEN OLD.online THEN NEW.last_seen ELSE COALESCE(OLD.presence_since, NEW.last_seen) END,
        CASE WHEN OLD.online THEN 'replaced' ELSE router_boot_end(OLD.state, OLD.state_at) END)
      -- A run seen again (its online document delivered twice) keeps one row.
      ON CONFLICT (router_id, boot) DO UPDATE SET
        agent_version = EXCLUDED.agent_version,
        first_seen = LEAST(b.first_seen, EXCLUDED.first_seen),
        ended_at = GREATEST(b.ended_at, EXCLUDED.ended_at),
        ended_by = EXCLUDED.ended_by;
      -- The last 50 per router.
      DELETE FROM router_boots d
       WHERE d.router_id = OLD.id
         AND (d.ended_at, d.boot) < (SELECT k.ended_at, k.boot FROM router_boots k
                                      WHERE k.router_id = OLD.id
                                      ORDER BY k.ended_at DESC, k.boot DESC OFFSET 49 LIMIT 1);
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- WHEN is checked without calling the function: updates that leave presence alone (every status,
-- every desired state sent) cost nothing more.
CREATE TRIGGER routers_presence_changed
  BEFORE UPDATE OF online, boot ON routers
  FOR EACH ROW
  WHEN (OLD.online IS DISTINCT FROM NEW.online OR OLD.boot IS DISTINCT FROM NEW.boot)
  EXECUTE FUNCTION routers_presence_changed();

-- New routers with a state: present since first seen. Before each proposed row, also those an
-- upsert then takes as an update (where these values are unused), but WHEN skips rows without a
-- state, which is every status-only row of a batch: no function call for them.
CREATE FUNCTION routers_presence_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.presence_since := NEW.first_seen;
  NEW.boot_seen_at := NEW.first_seen;
  RETURN NEW;
END
$$;

CREATE TRIGGER routers_presence_added
  BEFORE INSERT ON routers
  FOR EACH ROW
  WHEN (NEW.boot IS NOT NULL AND NEW.presence_since IS NULL)
  EXECUTE FUNCTION routers_presence_added();
