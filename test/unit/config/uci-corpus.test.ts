// The agent's UCI parser against what the real `uci export` (libuci, built from OpenWrt's
// sources) printed for each file of test/unit/fixtures/uci/: the same sections, options and
// lists, or the same error on the same line.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { inputError } from '../helpers.ts';
import { agentError, agentSections, exportText, libuciLine } from './uci-export-text.ts';

const dir = new URL('../fixtures/uci/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.uci'))
  .map((f) => f.slice(0, -'.uci'.length))
  .sort();

test('the corpus has accepted and refused files', () => {
  const refused = cases.filter((c) => c.startsWith('err-'));
  assert.ok(cases.length - refused.length >= 20, `${cases.length - refused.length} accepted`);
  assert.ok(refused.length >= 12, `${refused.length} refused`);
});

for (const name of cases) {
  const text = read(`${name}.uci`);
  if (name.startsWith('err-')) {
    test(`refused as uci refuses it: ${name}`, () => {
      // "Parse error (<why>) at line N, byte M", as uci printed it.
      const recorded = /^Parse error \((.*)\) at line (\d+), byte \d+\n$/.exec(
        read(`${name}.error`),
      );
      assert.ok(recorded, 'a recorded uci parse error');
      const error = inputError(() => parseUci(text, '/etc/config/op25b'));
      assert.is(error.code, 'invalid_config');
      assert.match(error.message, /^\/etc\/config\/op25b: parse error \(/);
      const [why, line] = agentError(error.message).split('@');
      assert.is(why, recorded![1]);
      assert.is(libuciLine(text, Number(line)), Number(recorded![2]));
    });
  } else {
    test(`read as uci export shows it: ${name}`, () => {
      assert.is(exportText('t', agentSections(parseUci(text))), read(`${name}.export`));
    });
  }
}

test.run();
