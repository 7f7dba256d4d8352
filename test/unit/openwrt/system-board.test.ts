import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boardReport, parseSystemBoard, releaseText } from '../../../agent/openwrt/system-board.ts';
import { createUbus } from '../../../agent/openwrt/ubus.ts';
import { fakeRuntime } from './fake-runtime.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

test('parses model, board name and release', () => {
  const board = parseSystemBoard(fixture('system-board.json'));
  assert.equal(board, {
    model: 'Linksys E8450 (UBI)',
    boardName: 'linksys,e8450-ubi',
    release: {
      distribution: 'OpenWrt',
      version: '23.05.3',
      revision: 'r23809-234f1a2efa',
      description: 'OpenWrt 23.05.3 r23809-234f1a2efa',
    },
  });
  assert.is(releaseText(board), 'OpenWrt 23.05.3 r23809-234f1a2efa');
});

test('release text from its parts when the description is missing', () => {
  const board = parseSystemBoard({
    release: { distribution: 'OpenWrt', version: '24.10.0', revision: 'r28427-6df0e3d02a' },
  });
  assert.is(releaseText(board), 'OpenWrt 24.10.0 r28427-6df0e3d02a');
  assert.is(releaseText(parseSystemBoard({})), null);
});

test('anything malformed reads as unknown, never throws', () => {
  for (const value of [null, [], 'x', 1, { model: 1, board_name: ['a'], release: 'OpenWrt' }]) {
    const board = parseSystemBoard(value);
    assert.is(board.model, null);
    assert.is(board.boardName, null);
    assert.is(releaseText(board), null);
  }
  const odd = parseSystemBoard({
    model: 'a\nb',
    board_name: '',
    release: { version: 'x'.repeat(200) },
  });
  assert.equal([odd.model, odd.boardName, odd.release.version], [null, null, null]);
});

test('boardReport: the status fields from `ubus call system board`, none when it fails', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer('ubus -S -t 5 call system board', {
    stdout: `${JSON.stringify(fixture('system-board.json'))}\n`,
  });
  assert.equal(await boardReport(createUbus(runtime)), {
    model: 'Linksys E8450 (UBI)',
    board: 'linksys,e8450-ubi',
    release: 'OpenWrt 23.05.3 r23809-234f1a2efa',
  });
  runtime.answer('ubus -S -t 5 call system board', { code: 255 });
  assert.equal(await boardReport(createUbus(runtime)), {});
  runtime.answer('ubus -S -t 5 call system board', { stdout: '{"model":"Only a model"}' });
  assert.equal(await boardReport(createUbus(runtime)), { model: 'Only a model' });
});

test.run();
