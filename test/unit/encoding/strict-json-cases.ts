// Tricky JSON texts and what a strict RFC 8259 parser makes of them: shared by the unit test
// (Node) and test/runtime/strict-json-quickjs.test.ts (the same cases under dist/qjs).

/** A text and its value, or null when it must be refused. */
export type JsonCase = readonly [text: string, value: unknown];

const deep = (n: number, open: string, close: string, inner = '1'): string =>
  open.repeat(n) + inner + close.repeat(n);

export const ACCEPTED: readonly JsonCase[] = [
  ['{"version":3,"enabled":true}', { version: 3, enabled: true }],
  [
    ' \t\r\n{ "a" : [ 1 , -0 , 0.5 , 1e3 , 1E-2 , -12.5e+2 ] }\n',
    { a: [1, -0, 0.5, 1000, 0.01, -1250] },
  ],
  ['"\\u0041\\n\\t\\"\\\\\\/\\b\\f\\r"', 'A\n\t"\\/\b\f\r'],
  ['"\\ud83d\\ude00 caf\u00e9"', '\u{1F600} caf\u00e9'],
  ['[]', []],
  ['{}', {}],
  ['null', null],
  ['false', false],
  ['0', 0],
  ['[[[[[[[[[[1]]]]]]]]]]', [[[[[[[[[[1]]]]]]]]]]],
  [deep(32, '[', ']'), JSON.parse(deep(32, '[', ']'))],
  ['{"__proto__":{"x":1}}', JSON.parse('{"__proto__":{"x":1}}')],
];

export const REFUSED: readonly string[] = [
  '',
  ' ',
  '{"version":3.,"enabled":true}',
  '"\\x76erify"',
  '-01',
  '01',
  '1.',
  '.5',
  '+1',
  '1e',
  '1e+',
  '-',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '{"a":1,}',
  '[1,]',
  '[,1]',
  '{a:1}',
  "{'a':1}",
  "'a'",
  '"\\u12"',
  '"\\u12G4"',
  '"tab\there"',
  '"line\nbreak"',
  '"unterminated',
  '{"a":1 "b":2}',
  '{"a" 1}',
  '[1 2]',
  'true false',
  '{"a":1}x',
  'tru',
  'nul',
  'True',
  '\u00a0{}',
  '\ufeff{}',
  '{}\u2028',
  '{"a":1,"a":2}',
  '{"version":1,"version":9}',
  deep(33, '[', ']'),
  deep(150, '[', ']'),
  deep(150, '{"a":', '}'),
  '[' + deep(40, '{"x":', '}') + ']',
  '/* comment */ {}',
  '{} // comment',
  '"\\v"',
  '"\\0"',
  '"\\\'"',
];
