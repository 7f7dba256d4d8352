// Differential test: 1,500 seeded UCI-like files read by the agent's parser and by the `uci`
// stand-in's parser (a separate, byte-level port of libuci's file.c, itself pinned to the real
// uci by test/openwrt-standins/uci.test.ts). Both must see the same sections, options and lists,
// or refuse with the same reason on the same line.
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { InputError } from '../../../agent/input-error.ts';
import { agentError, agentSections, exportText, libuciLine } from './uci-export-text.ts';
import { prng, uciFuzzFile } from './uci-fuzz-files.ts';

interface StandinSection {
  type: string;
  name: string;
  anonymous: boolean;
  options: Map<string, string | string[]>;
}
const { parseConfig, ParseError } = createRequire(import.meta.url)(
  '../../openwrt-standins/lib/uci-file.cjs',
) as {
  parseConfig(bytes: Buffer, name: string): { sections: StandinSection[] };
  ParseError: new () => { reason: string; line: number; byte: number };
};

function standin(text: string): string {
  try {
    const pkg = parseConfig(Buffer.from(text, 'utf8'), 't');
    return exportText(
      't',
      pkg.sections.map((s) => ({
        type: s.type,
        name: s.anonymous ? null : s.name,
        options: [...s.options],
      })),
    );
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return `${error.reason}@${error.line}`;
  }
}

function agent(text: string): string {
  try {
    return exportText('t', agentSections(parseUci(text)));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const [why, line] = agentError(error.message).split('@');
    return `${why}@${libuciLine(text, Number(line))}`;
  }
}

test('the agent and the stand-in read 1,500 generated files alike', () => {
  const random = prng(20261201);
  let accepted = 0;
  const disagreements: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const text = uciFuzzFile(random);
    const expected = standin(text);
    if (expected.startsWith('package ')) accepted++;
    const got = agent(text);
    if (got !== expected && disagreements.length < 5)
      disagreements.push(`${JSON.stringify(text)}\nstand-in: ${expected}\nagent:    ${got}`);
  }
  assert.equal(disagreements, []);
  // Both outcomes are common, or the comparison would prove little.
  assert.ok(accepted > 450 && accepted < 1050, `${accepted} of 1500 accepted`);
});

test('the generator is deterministic for a seed', () => {
  const a = prng(7);
  const b = prng(7);
  for (let i = 0; i < 20; i++) assert.is(uciFuzzFile(a), uciFuzzFile(b));
});

test.run();
