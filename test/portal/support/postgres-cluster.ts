// A private PostgreSQL 15 cluster for tests: initdb and pg_ctl (Debian's `postgresql`, see
// build/host-deps.sh) in a temporary directory, run as the unprivileged user `postgres`
// (PostgreSQL refuses to run as root), listening only on a Unix socket in that directory.
// stop() shuts it down and removes the directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort() : [];
  return versions.length ? join(root, versions[versions.length - 1]!, 'bin') : null;
})();

export interface PostgresCluster {
  readonly url: string;
  readonly dir: string;
  /** A fresh empty database on the cluster, as a URL. */
  createDatabase(name: string): string;
  stop(): void;
}

function asPostgres(program: string, args: string[]): string {
  const user = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const [cmd, ...rest] = [...user, join(PG_BIN!, program), ...args];
  return execFileSync(cmd!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function startPostgresCluster(): PostgresCluster {
  if (!PG_BIN) throw new Error('PostgreSQL is not installed (build/host-deps.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'op25b-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const stop = () => {
    try {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    asPostgres('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      `-k ${dir} -c listen_addresses='' -c fsync=off -c max_connections=50`,
      'start',
    ]);
  } catch (error) {
    stop();
    throw error;
  }
  const urlFor = (db: string) =>
    `postgres://postgres@localhost/${db}?host=${encodeURIComponent(dir)}`;
  return {
    url: urlFor('postgres'),
    dir,
    createDatabase(name) {
      asPostgres('psql', ['-h', dir, '-U', 'postgres', '-qc', `CREATE DATABASE "${name}"`]);
      return urlFor(name);
    },
    stop,
  };
}
