// The hostile cases of issue 11, each sent once per fuzz run: sizes at and over the limit,
// deep nesting, long lists, toString objects, numbers and escapes QuickJS's JSON.parse takes.
import { baseDesired, MAX_VERSION, type FuzzCase } from './fuzz-case.ts';
import { nested, text, withField } from './json-text.ts';

/** The hostile cases of issue 11 (each once per run), for `desired` unless said otherwise. */
export function hostileCases(idPrefix: string): FuzzCase[] {
  const d = baseDesired();
  const pad = (size: number): Uint8Array => {
    const body = JSON.stringify(d);
    return text(body + ' '.repeat(size - body.length));
  };
  return [
    { family: 'hostile.size_16384', kind: 'desired', bytes: pad(16384), expect: ['ok'] },
    {
      family: 'hostile.size_16385',
      kind: 'desired',
      bytes: pad(16385),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.cmd_16385',
      kind: 'cmd',
      bytes: text(`{"id":"${idPrefix}-big","op":"verify"}`.padEnd(16385)),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.ff_70000',
      kind: 'desired',
      bytes: new Uint8Array(70000).fill(0xff),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.nested_150',
      kind: 'desired',
      bytes: text(`{"version":${MAX_VERSION},"enabled":true,"allow":[${nested(150)}]}`),
      expect: ['malformed_json', 'invalid_address'],
    },
    {
      family: 'hostile.nested_10000',
      kind: 'desired',
      bytes: text(`{"version":${MAX_VERSION},"enabled":true,"allow":[${nested(8000)}]}`),
      expect: ['malformed_json', 'invalid_address'],
    },
    {
      family: 'hostile.toString',
      kind: 'desired',
      bytes: text(withField(d, 'allow', [{ toString: '203.0.113.25' }])),
      expect: ['invalid_address'],
    },
    {
      family: 'hostile.allow_257',
      kind: 'desired',
      bytes: text(
        withField(
          d,
          'allow',
          Array.from({ length: 257 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
        ),
      ),
      expect: ['list_too_long'],
    },
    {
      family: 'hostile.stale_allow_256',
      kind: 'desired',
      bytes: text(
        withField(
          { ...d, version: 3 },
          'allow',
          Array.from({ length: 256 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
        ),
      ),
      expect: ['stale_version'],
    },
    {
      family: 'hostile.version_3_dot',
      kind: 'desired',
      bytes: text('{"version":3.,"enabled":true}'),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.escaped_verify',
      kind: 'cmd',
      bytes: text(`{"id":"${idPrefix}-esc","op":"\\x76erify"}`),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.minus_01',
      kind: 'desired',
      bytes: text('{"version":-01,"enabled":true}'),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.invalid_utf8_string',
      kind: 'desired',
      bytes: Uint8Array.from([
        ...text('{"version":1,"enabled":true,"action":"'),
        0xff,
        0xfe,
        ...text('"}'),
      ]),
      expect: ['malformed_json', 'invalid_action', 'stale_version'],
    },
  ];
}
