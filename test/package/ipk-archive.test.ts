// The .ipk that `npm run package` writes, as an archive: its name, the outer ar-style layout,
// data.tar.gz and control.tar.gz with their modes and owners, the bundle's chunks, and
// reproducible bytes. Nothing here needs root or a namespace.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildIpk, REPO_ROOT } from '../../build/package-ipk.ts';
import { BUNDLE_FILES, CONTROL, DATA, depthFirst, files, MTIME, VERSION } from './ipk-expected.ts';
import {
  agentPath,
  BUNDLE,
  EPOCH,
  listTar,
  PACKAGE_FILES,
  packaged,
  run,
  scratch,
} from './support.ts';

const test = suite('package: ipk: archive');

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

test('two builds with the same epoch are byte for byte the same', () => {
  const again = buildIpk({ outDir: scratch('again'), epoch: EPOCH });
  assert.is(again.sha256, packaged().built.sha256);
  const other = buildIpk({ outDir: scratch('other'), epoch: EPOCH + 1 });
  assert.is.not(other.sha256, again.sha256, 'the epoch is in the archive');
});

test('the archive is what a gzip reader and tar agree on: no trailing garbage', () => {
  const { built } = packaged();
  const bytes = readFileSync(built.path);
  assert.is(bytes.length, statSync(built.path).size);
  assert.is(createHash('sha256').update(bytes).digest('hex'), built.sha256);
  assert.ok(gunzipSync(bytes).length % 512 === 0, 'a whole number of tar blocks');
});

test.run();
