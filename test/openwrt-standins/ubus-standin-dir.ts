// What the ubus stand-in tests share: a fresh stand-in directory for each test, answering for
// the board and a PPPoE wan, and `ubus` run against it.
import type { Test } from 'uvu';
import { BOARD } from './board.ts';
import { run } from './run.ts';
import { createStandinDir, type StandinDir } from './standin-dir.ts';

/** The current test's stand-in directory (set before each test of a suite given to standinEach). */
export let dir: StandinDir;
export const ubus = (args: string[], env = dir.env()) => run(['ubus', ...args], env);

/** A fresh stand-in directory before each test of `test`, removed after it. */
export function standinEach(test: Test): void {
  test.before.each(() => {
    dir = createStandinDir();
    dir.answer('system', 'board', BOARD);
    dir.setInterface('wan', {
      up: true,
      proto: 'pppoe',
      device: 'wan',
      l3_device: 'pppoe-wan',
      'ipv4-address': [{ address: '203.0.113.7', mask: 32 }],
      'ipv6-address': [],
      data: {},
    });
  });
  test.after.each(() => dir.remove());
}
