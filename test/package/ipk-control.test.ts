// The .ipk's control fields and the Makefile they come from: version as package.json,
// dependencies per release and firewall, a clear stop when the bundle is missing.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateDepends, evaluateMakefile, OPENWRT_24_10 } from '../../build/package-ipk.ts';
import { VERSION } from './ipk-expected.ts';
import { EPOCH, packaged, scratch, writeExecutable } from './support.ts';

const test = suite('package: ipk: control and Makefile');

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

test.run();
