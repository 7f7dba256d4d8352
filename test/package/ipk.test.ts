// The .ipk that `npm run package` writes: its archive layout, control fields, file modes and
// owners, against the Makefile it is built from. Nothing here needs root or a namespace.
import { configFromUci } from '../../agent/config/agent-config.ts';
import { parseUci } from '../../agent/config/uci-parse.ts';
import { remoteControl } from '../../agent/remote/claims.ts';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildIpk,
  evaluateDepends,
  evaluateMakefile,
  OPENWRT_24_10,
  REPO_ROOT,
} from '../../build/package-ipk.ts';
import {
  agentPath,
  BUNDLE,
  EPOCH,
  listTar,
  PACKAGE_FILES,
  packaged,
  run,
  scratch,
  writeExecutable,
} from './support.ts';

const test = suite('package: ipk');

const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The bundle's files (the entry and the chunks it loads), as the build listed them. */
const BUNDLE_FILES = readFileSync(join(REPO_ROOT, 'dist', 'op25b-agent.files'), 'utf8')
  .split('\n')
  .filter(Boolean);

/** What the package installs, and how: the table a reviewer checks the Makefile against. */
const DATA: Record<string, string> = {
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

const CONTROL: Record<string, string> = {
  './': 'drwxr-xr-x',
  './conffiles': '-rw-r--r--',
  './control': '-rw-r--r--',
  './postinst': '-rwxr-xr-x',
  './postinst-pkg': '-rwxr-xr-x',
  './postrm': '-rwxr-xr-x',
  './prerm': '-rwxr-xr-x',
  './prerm-pkg': '-rwxr-xr-x',
};

const MTIME = new Date(EPOCH * 1000).toISOString().replace('T', ' ').replace('.000Z', '');

/** tar --sort=name order: depth first, each directory's entries sorted by name. */
function depthFirst(names: readonly string[]): string[] {
  const parts = (n: string) => n.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  return [...names].sort((a, b) => {
    const pa = parts(a);
    const pb = parts(b);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++)
      if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
    return pa.length - pb.length;
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function controlFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last = '';
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.startsWith(' ')) fields.set(last, `${fields.get(last)}\n${line}`);
    else {
      const at = line.indexOf(': ');
      last = line.slice(0, at);
      fields.set(last, line.slice(at + 2));
    }
  }
  return fields;
}

test('the file is dist-style op25b_<version>-<release>_all.ipk', () => {
  const { built } = packaged();
  assert.is(built.path.split('/').pop(), `op25b_${VERSION}-1_all.ipk`);
});

test('outer archive: debian-binary, data.tar.gz, control.tar.gz in that order, root-owned', () => {
  const { built, outer } = packaged();
  const entries = listTar(built.path);
  assert.equal(
    entries.map((e) => e.name),
    ['./debian-binary', './data.tar.gz', './control.tar.gz'],
  );
  for (const e of entries) {
    assert.is(e.mode, '-rw-r--r--', e.name);
    assert.equal([e.uid, e.gid], [0, 0], e.name);
    assert.is(e.mtime, MTIME, e.name);
  }
  assert.is(readFileSync(join(outer, 'debian-binary'), 'utf8'), '2.0\n');
});

test('data.tar.gz: exactly the files of the Makefile, modes, owner 0/0, sorted, one mtime', () => {
  const { outer } = packaged();
  const entries = listTar(join(outer, 'data.tar.gz'));
  const names = entries.map((e) => e.name);
  assert.equal(names, depthFirst(names), 'sorted as tar --sort=name');
  assert.equal(Object.fromEntries(entries.map((e) => [e.name, e.mode])), DATA, 'paths and modes');
  for (const e of entries) {
    assert.equal([e.uid, e.gid], [0, 0], e.name);
    assert.is(e.mtime, MTIME, e.name);
  }
});

test('every file under openwrt/op25b-agent/files is installed unchanged', () => {
  const { root } = packaged();
  const shipped = files(PACKAGE_FILES);
  assert.ok(shipped.length >= 6, 'files/ has the package files');
  for (const file of shipped) {
    const path = relative(PACKAGE_FILES, file);
    assert.equal(readFileSync(join(root, path)), readFileSync(file), path);
  }
  assert.equal(
    readFileSync(join(root, 'usr', 'share', 'op25b', 'op25b-agent.js')),
    readFileSync(BUNDLE),
    'the bundle is dist/op25b-agent.js',
  );
});

test('the bundle ships as the build split it: the entry, a shared chunk, the daemon', () => {
  const { root } = packaged();
  assert.is(BUNDLE_FILES[0], 'op25b-agent.js');
  assert.ok(BUNDLE_FILES.length >= 3, BUNDLE_FILES.join(' '));
  for (const file of BUNDLE_FILES)
    assert.equal(
      readFileSync(join(root, 'usr', 'share', 'op25b', file)),
      readFileSync(join(REPO_ROOT, 'dist', file)),
      file,
    );
  // Every `./` import of a shipped file names a shipped file (qjs loads them by relative path).
  for (const file of BUNDLE_FILES) {
    const text = readFileSync(join(root, 'usr', 'share', 'op25b', file), 'utf8');
    for (const [, name] of text.matchAll(/(?:from|import)\s*\(?\s*"\.\/([^"]+)"/g))
      assert.ok(BUNDLE_FILES.includes(name!), `${file} imports ./${name}`);
  }
});

test('the packaged `run` loads the daemon chunk beside the entry', () => {
  const { root } = packaged();
  const wrapper = join(root, 'usr', 'sbin', 'op25b');
  const path = agentPath({ config: '/nonexistent', standinDir: scratch('standin-run') });
  // The daemon's own config error (exit 2), not a module that failed to load (exit 1).
  const out = run([wrapper, 'run', '--config', '/nonexistent/op25b'], { env: path.env });
  assert.is(out.code, 2, out.stderr);
  assert.match(out.stderr, /\/nonexistent\/op25b/);
  assert.not.match(out.stderr, /internal error|could not load/);
});

test('control.tar.gz: control, conffiles and the maintainer scripts', () => {
  const { outer, control } = packaged();
  const entries = listTar(join(outer, 'control.tar.gz'));
  assert.equal(Object.fromEntries(entries.map((e) => [e.name, e.mode])), CONTROL);
  for (const e of entries) assert.equal([e.uid, e.gid], [0, 0], e.name);
  assert.is(readFileSync(join(control, 'conffiles'), 'utf8'), '/etc/config/op25b\n');
  // Not in the package, kept across sysupgrade all the same: the state and the key files.
  assert.is(
    readFileSync(join(packaged().root, 'lib', 'upgrade', 'keep.d', 'op25b'), 'utf8'),
    '/etc/op25b/\n',
  );
  // The build system's wrappers hand over to the Makefile's scripts in *-pkg.
  assert.match(readFileSync(join(control, 'postinst'), 'utf8'), /default_postinst "\$0" "\$@"/);
  assert.match(readFileSync(join(control, 'prerm'), 'utf8'), /default_prerm "\$0" "\$@"/);
});

test('control fields', () => {
  const { outer, control } = packaged();
  const fields = controlFields(readFileSync(join(control, 'control'), 'utf8'));
  assert.equal(
    [...fields.keys()],
    [
      'Package',
      'Version',
      'Depends',
      'Source',
      'SourceName',
      'License',
      'Section',
      'SourceDateEpoch',
      'Architecture',
      'Installed-Size',
      'Description',
    ],
  );
  assert.is(fields.get('Package'), 'op25b');
  assert.is(fields.get('Version'), `${VERSION}-1`);
  assert.is(fields.get('Depends'), 'libc, nftables-json, kmod-nft-core');
  assert.is(fields.get('Source'), 'feeds/op25b/op25b-agent');
  assert.is(fields.get('SourceName'), 'op25b-agent');
  assert.is(fields.get('License'), 'MIT');
  assert.is(fields.get('Section'), 'net');
  assert.is(fields.get('SourceDateEpoch'), String(EPOCH));
  assert.is(fields.get('Architecture'), 'all');
  // As ipkg-build counts it: the size of the uncompressed data tar.
  const dataTar = gunzipSync(readFileSync(join(outer, 'data.tar.gz')));
  assert.is(fields.get('Installed-Size'), String(dataTar.length));
  const description = fields.get('Description')!;
  assert.match(description, /^ Outbound Port 25 Blocking/);
  assert.ok(description.split('\n').length > 1);
});

test('two builds with the same epoch are byte for byte the same', () => {
  const again = buildIpk({ outDir: scratch('again'), epoch: EPOCH });
  assert.is(again.sha256, packaged().built.sha256);
  const other = buildIpk({ outDir: scratch('other'), epoch: EPOCH + 1 });
  assert.is.not(other.sha256, again.sha256, 'the epoch is in the archive');
});

test('the Makefile: version as package.json, dependencies per release and firewall', () => {
  const plain = evaluateMakefile({ stageDir: scratch('stage-plain') });
  assert.is(plain.version, VERSION);
  assert.is(plain.name, 'op25b');
  assert.is(plain.arch, 'all');
  assert.equal(evaluateDepends(plain.depends, OPENWRT_24_10), [
    'libc',
    'nftables-json',
    'kmod-nft-core',
  ]);
  const fw3 = { label: 'fw3', symbols: ['PACKAGE_firewall'] };
  assert.equal(evaluateDepends(plain.depends, fw3), ['libc', 'iptables-mod-conntrack-extra']);

  // A tree with the packages feed of 25.12, which has lang/quickjs: the package needs it.
  const top = scratch('top');
  mkdirSync(join(top, 'feeds', 'packages', 'lang', 'quickjs'), { recursive: true });
  writeExecutable(join(top, 'feeds', 'packages', 'lang', 'quickjs', 'Makefile'), '');
  const with2512 = evaluateMakefile({ stageDir: scratch('stage-2512'), topDir: top });
  assert.equal(evaluateDepends(with2512.depends, OPENWRT_24_10), [
    'libc',
    'nftables-json',
    'kmod-nft-core',
    'quickjs',
  ]);
});

test('the Makefile stops with a clear message when the bundle is missing', () => {
  try {
    evaluateMakefile({ stageDir: scratch('stage-missing'), bundle: '/nonexistent/op25b-agent.js' });
    assert.unreachable('must fail');
  } catch (error) {
    assert.match(String(error), /op25b-agent\.js is missing: run 'npm run build'/);
  }
});

test('the shipped config is valid and complete: print reads it without a warning', () => {
  const { root } = packaged();
  const config = join(root, 'etc', 'config', 'op25b');
  const path = agentPath({ config, standinDir: scratch('standin-print') });
  const out = run(['op25b', 'print'], { env: path.env });
  assert.is(out.code, 0, out.stderr);
  assert.not.match(out.stderr, /unknown option|invalid/, out.stderr);
  assert.match(out.stdout, /--dport 25|dport @ports|ports .*25/);
});

// BUG: the shipped config said that without verify_key_file the router "accepts no remote
// changes", but with a broker set it obeyed any unsigned JSON on its topics.
test('the shipped config with a broker but no key takes no remote control', () => {
  const { root } = packaged();
  const text = readFileSync(join(root, 'etc', 'config', 'op25b'), 'utf8');
  assert.match(text, /accepts no remote changes/);
  const withBroker = text
    .replace(/#option broker /, 'option broker ')
    .replace(/#option ca_file /, 'option ca_file ');
  assert.not.equal(withBroker, text);
  const config = configFromUci(parseUci(withBroker));
  assert.ok(config.mqtt, 'the broker is read');
  assert.is(config.agent.verifyKeyFile, null);
  assert.is(remoteControl({ keys: null, allowUnsigned: config.agent.allowUnsigned }), 'off');
});

test('the wrapper runs the bundle next to it, and says so when qjs is missing', () => {
  const { root } = packaged();
  const wrapper = join(root, 'usr', 'sbin', 'op25b');
  const path = agentPath({ config: '/nonexistent', standinDir: scratch('standin-w') });
  const version = run([wrapper, 'version'], { env: path.env });
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout, `op25b-agent ${VERSION} (quickjs)\n`);

  const noQjs = run([wrapper, 'version'], { env: { PATH: '/usr/bin:/bin' } });
  assert.is(noQjs.code, 1);
  assert.match(noQjs.stderr, /^op25b: error: qjs \(QuickJS\) not found/);
});

test('the archive is what a gzip reader and tar agree on: no trailing garbage', () => {
  const { built } = packaged();
  const bytes = readFileSync(built.path);
  assert.is(bytes.length, statSync(built.path).size);
  assert.is(createHash('sha256').update(bytes).digest('hex'), built.sha256);
  assert.ok(gunzipSync(bytes).length % 512 === 0, 'a whole number of tar blocks');
});

test.run();
