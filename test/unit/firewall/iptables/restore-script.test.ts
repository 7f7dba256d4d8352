import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyScript, removeScript } from '../../../../agent/firewall/iptables/restore-script.ts';
import { desiredRules } from '../../../../agent/firewall/iptables/rules.ts';
import {
  EMPTY_FILTER_TABLE,
  parseFilterTable,
  type SavedFilterTable,
} from '../../../../agent/firewall/iptables/save-output.ts';
import { fixture, policy } from '../../helpers.ts';
import { COUNTED } from './fixture-policies.ts';

const saved = (name: string): SavedFilterTable =>
  parseFilterTable(fixture(`iptables/${name}.save`));
const want4 = desiredRules(policy(COUNTED), 'ipv4')!;
const lines = (...text: string[]): string => `${text.join('\n')}\n`;

const CHAINS_V4 = [
  '*filter',
  ':OP25B - [0:0]',
  ':OP25B_BLOCK - [0:0]',
  '-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK',
  '-A OP25B_BLOCK -d 203.0.113.25/32 -j RETURN',
  '-A OP25B_BLOCK -m recent --set --name op25b_v4 --mask 255.255.255.255 --rsource',
  '-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset',
];

test('apply from scratch: declare (create or empty) both chains, fill them, insert both jumps', () => {
  const expected = lines(...CHAINS_V4, '-I FORWARD 1 -j OP25B', '-I OUTPUT 1 -j OP25B', 'COMMIT');
  assert.fixture(applyScript(want4, EMPTY_FILTER_TABLE), expected);
  assert.fixture(applyScript(want4, saved('fw3-base-ipv4')), expected);
});

test('apply over a table in place: chains rewritten, jumps left alone', () => {
  assert.fixture(applyScript(want4, saved('counted-ipv4')), lines(...CHAINS_V4, 'COMMIT'));
});

test('apply with a jump missing: insert it, delete nothing', () => {
  assert.fixture(
    applyScript(want4, saved('tampered-jump-missing')),
    lines(...CHAINS_V4, '-I OUTPUT 1 -j OP25B', 'COMMIT'),
  );
});

test('apply with a jump not first: delete the listed one, re-insert at position 1', () => {
  assert.fixture(
    applyScript(want4, saved('tampered-jump-not-first')),
    lines(...CHAINS_V4, '-D FORWARD -j OP25B', '-I FORWARD 1 -j OP25B', 'COMMIT'),
  );
});

test('apply with a duplicate jump: delete each listed copy, insert one', () => {
  assert.fixture(
    applyScript(want4, saved('tampered-duplicate-jump')),
    lines(
      ...CHAINS_V4,
      '-D OUTPUT -j OP25B',
      '-D OUTPUT -j OP25B',
      '-I OUTPUT 1 -j OP25B',
      'COMMIT',
    ),
  );
});

test('apply leaves jumps from other chains (and conditional ones) alone', () => {
  const script = applyScript(want4, saved('tampered-extra-jumps'));
  assert.fixture(
    script,
    lines(
      ...CHAINS_V4,
      '-D OUTPUT -j OP25B',
      '-D OUTPUT -j OP25B',
      '-I OUTPUT 1 -j OP25B',
      'COMMIT',
    ),
  );
  assert.not.ok(script.includes('INPUT'));
  assert.not.ok(script.includes('forwarding_rule'));
});

test('apply after a chain went missing: declares both again', () => {
  assert.fixture(
    applyScript(want4, saved('tampered-chain-missing')),
    lines(...CHAINS_V4, 'COMMIT'),
  );
});

test('apply for IPv6', () => {
  const script = applyScript(desiredRules(policy(COUNTED), 'ipv6')!, EMPTY_FILTER_TABLE);
  assert.fixture(
    script,
    lines(
      '*filter',
      ':OP25B - [0:0]',
      ':OP25B_BLOCK - [0:0]',
      '-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK',
      '-A OP25B_BLOCK -d 2001:db8::25/128 -j RETURN',
      '-A OP25B_BLOCK -m recent --set --name op25b_v6 --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource',
      '-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset',
      '-I FORWARD 1 -j OP25B',
      '-I OUTPUT 1 -j OP25B',
      'COMMIT',
    ),
  );
});

test('remove: null when there is nothing to remove', () => {
  assert.is(removeScript(EMPTY_FILTER_TABLE), null);
  assert.is(removeScript(saved('fw3-base-ipv4')), null);
});

test('remove: delete the jumps, then empty and delete both chains', () => {
  assert.fixture(
    removeScript(saved('counted-ipv4'))!,
    lines(
      '*filter',
      '-D FORWARD -j OP25B',
      '-D OUTPUT -j OP25B',
      ':OP25B - [0:0]',
      ':OP25B_BLOCK - [0:0]',
      '-X OP25B',
      '-X OP25B_BLOCK',
      'COMMIT',
    ),
  );
});

test('remove: every jump into OP25B, from any chain, exactly as listed', () => {
  // This script was run through iptables-legacy-restore --noflush against this very table and
  // left fw3-base-ipv4.save behind.
  assert.fixture(
    removeScript(saved('tampered-extra-jumps'))!,
    lines(
      '*filter',
      '-D INPUT -i wan -p tcp -m tcp --dport 25 -j OP25B',
      '-D FORWARD -j OP25B',
      '-D OUTPUT -j OP25B',
      '-D OUTPUT -j OP25B',
      '-D forwarding_rule -j OP25B',
      ':OP25B - [0:0]',
      ':OP25B_BLOCK - [0:0]',
      '-X OP25B',
      '-X OP25B_BLOCK',
      'COMMIT',
    ),
  );
});

test('remove: a goto into OP25B and a jump into OP25B_BLOCK are deleted too', () => {
  const table = parseFilterTable(
    lines(
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':OP25B - [0:0]',
      ':OP25B_BLOCK - [0:0]',
      '-A FORWARD -i lan -g OP25B',
      '-A OUTPUT -p tcp -j OP25B_BLOCK',
      '-A OUTPUT -j OP25B_BLOCKED_ELSEWHERE',
      '-A OP25B_BLOCK -j DROP',
      'COMMIT',
    ),
  );
  assert.fixture(
    removeScript(table)!,
    lines(
      '*filter',
      '-D FORWARD -i lan -g OP25B',
      '-D OUTPUT -p tcp -j OP25B_BLOCK',
      ':OP25B - [0:0]',
      ':OP25B_BLOCK - [0:0]',
      '-X OP25B',
      '-X OP25B_BLOCK',
      'COMMIT',
    ),
  );
});

test('remove: only the chains that exist', () => {
  assert.fixture(
    removeScript(saved('tampered-chain-missing'))!,
    lines(
      '*filter',
      '-D FORWARD -j OP25B',
      '-D OUTPUT -j OP25B',
      ':OP25B - [0:0]',
      '-X OP25B',
      'COMMIT',
    ),
  );
  const onlyBlock = parseFilterTable(
    '*filter\n:OUTPUT ACCEPT [0:0]\n:OP25B_BLOCK - [0:0]\nCOMMIT\n',
  );
  assert.fixture(
    removeScript(onlyBlock)!,
    lines('*filter', ':OP25B_BLOCK - [0:0]', '-X OP25B_BLOCK', 'COMMIT'),
  );
});

test('remove: jump deletions come before the chains are emptied and deleted', () => {
  const script = removeScript(saved('tampered-extra-jumps'))!.split('\n');
  const lastDelete = script.map((l) => l.startsWith('-D ')).lastIndexOf(true);
  const firstDeclare = script.findIndex((l) => l.startsWith(':'));
  const firstDeleteChain = script.findIndex((l) => l.startsWith('-X '));
  assert.ok(lastDelete < firstDeclare);
  assert.ok(script.filter((l) => l.startsWith(':')).length === 2);
  assert.ok(firstDeclare < firstDeleteChain);
});

test.run();
