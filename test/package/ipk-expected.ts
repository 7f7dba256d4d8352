// What the .ipk must hold, for the ipk tests: the version, the data and control archives' file
// tables with their modes, the one mtime, tar's name order; and the files below a directory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../build/package-ipk.ts';
import { EPOCH } from './support.ts';

export const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The bundle's files (the entry and the chunks it loads), as the build listed them. */
export const BUNDLE_FILES = readFileSync(join(REPO_ROOT, 'dist', 'op25b-agent.files'), 'utf8')
  .split('\n')
  .filter(Boolean);

/** What the package installs, and how: the table a reviewer checks the Makefile against. */
export const DATA: Record<string, string> = {
  './': 'drwxr-xr-x',
  './etc/': 'drwxr-xr-x',
  './etc/config/': 'drwxr-xr-x',
  './etc/config/op25b': '-rw-------',
  './etc/init.d/': 'drwxr-xr-x',
  './etc/init.d/op25b': '-rwxr-xr-x',
  './etc/uci-defaults/': 'drwxr-xr-x',
  './etc/uci-defaults/90-op25b-firewall': '-rwxr-xr-x',
  './lib/': 'drwxr-xr-x',
  './lib/upgrade/': 'drwxr-xr-x',
  './lib/upgrade/keep.d/': 'drwxr-xr-x',
  './lib/upgrade/keep.d/op25b': '-rw-r--r--',
  './usr/': 'drwxr-xr-x',
  './usr/libexec/': 'drwxr-xr-x',
  './usr/libexec/rpcd/': 'drwxr-xr-x',
  './usr/libexec/rpcd/op25b': '-rwxr-xr-x',
  './usr/sbin/': 'drwxr-xr-x',
  './usr/sbin/op25b': '-rwxr-xr-x',
  './usr/share/': 'drwxr-xr-x',
  './usr/share/op25b/': 'drwxr-xr-x',
  './usr/share/op25b/firewall.include': '-rw-r--r--',
  ...Object.fromEntries(BUNDLE_FILES.map((f) => [`./usr/share/op25b/${f}`, '-rw-r--r--'])),
  './usr/share/rpcd/': 'drwxr-xr-x',
  './usr/share/rpcd/acl.d/': 'drwxr-xr-x',
  './usr/share/rpcd/acl.d/op25b.json': '-rw-r--r--',
};

export const CONTROL: Record<string, string> = {
  './': 'drwxr-xr-x',
  './conffiles': '-rw-r--r--',
  './control': '-rw-r--r--',
  './postinst': '-rwxr-xr-x',
  './postinst-pkg': '-rwxr-xr-x',
  './postrm': '-rwxr-xr-x',
  './prerm': '-rwxr-xr-x',
  './prerm-pkg': '-rwxr-xr-x',
};

export const MTIME = new Date(EPOCH * 1000).toISOString().replace('T', ' ').replace('.000Z', '');

/** tar --sort=name order: depth first, each directory's entries sorted by name. */
export function depthFirst(names: readonly string[]): string[] {
  const parts = (n: string) => n.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  return [...names].sort((a, b) => {
    const pa = parts(a);
    const pb = parts(b);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++)
      if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
    return pa.length - pb.length;
  });
}

export function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}
