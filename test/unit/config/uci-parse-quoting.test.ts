// How parseUci reads words: uci export's own output, quoting, escapes, comments and the
// short forms libuci accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  listValues,
  optionValue,
  parseUci,
  type UciPackage,
} from '../../../agent/config/uci-parse.ts';
import { only } from './uci-only-section.ts';

/** Sections as plain data: type, name, line and options (Map -> object). */
function plain(pkg: UciPackage) {
  return pkg.sections.map((s) => ({
    type: s.type,
    name: s.name,
    line: s.line,
    options: Object.fromEntries(s.options),
  }));
}

// Exactly what `uci export op25b` prints: a package line, a blank line before each section,
// tab-indented options and lists, every value single-quoted, a trailing blank line.
const UCI_EXPORT = [
  'package op25b',
  '',
  "config policy 'policy'",
  "\toption enabled '1'",
  "\toption action 'reject'",
  "\tlist port '25'",
  "\tlist port '587'",
  "\tlist allow '203.0.113.25'",
  "\tlist allow '2001:db8::/32'",
  "\tlist wan_device 'wan'",
  "\toption backend 'auto'",
  '',
  'config note',
  "\toption text 'it'\\''s a relay'",
  '',
].join('\n');

test('reads what `uci export` writes', () => {
  const pkg = parseUci(UCI_EXPORT);
  assert.is(pkg.name, 'op25b');
  assert.equal(plain(pkg), [
    {
      type: 'policy',
      name: 'policy',
      line: 3,
      options: {
        enabled: { kind: 'option', value: '1' },
        action: { kind: 'option', value: 'reject' },
        port: { kind: 'list', values: ['25', '587'] },
        allow: { kind: 'list', values: ['203.0.113.25', '2001:db8::/32'] },
        wan_device: { kind: 'list', values: ['wan'] },
        backend: { kind: 'option', value: 'auto' },
      },
    },
    {
      type: 'note',
      name: null,
      line: 13,
      options: { text: { kind: 'option', value: "it's a relay" } },
    },
  ]);
});

test("'\\'' puts a single quote inside a single-quoted value", () => {
  const section = only(parseUci("config a\n\toption x 'a'\\''b'\\'''\n"));
  assert.is(optionValue(section, 'x'), "a'b'");
  assert.is(optionValue(only(parseUci("config a\n option x ''\\'''")), 'x'), "'");
});

test('double quotes group words and take backslash escapes', () => {
  const section = only(
    parseUci(
      [
        'config a',
        '\toption plain "two words"',
        '\toption quote "say \\"hi\\""',
        '\toption backslash "a\\\\b"',
        '\toption single "it\'s"',
        '\toption hash "a # b"',
      ].join('\n'),
    ),
  );
  assert.is(optionValue(section, 'plain'), 'two words');
  assert.is(optionValue(section, 'quote'), 'say "hi"');
  assert.is(optionValue(section, 'backslash'), 'a\\b');
  assert.is(optionValue(section, 'single'), "it's");
  assert.is(optionValue(section, 'hash'), 'a # b');
});

test('unquoted words, mixed quoting and backslash escapes outside quotes', () => {
  const section = only(
    parseUci(
      [
        'config policy policy',
        'option action drop',
        'option joined abc\'def\'"ghi"',
        'option escaped a\\ b',
        "option spaced '  padded  '",
        "option empty ''",
      ].join('\n'),
    ),
  );
  assert.is(section.name, 'policy');
  assert.is(optionValue(section, 'action'), 'drop');
  assert.is(optionValue(section, 'joined'), 'abcdefghi');
  assert.is(optionValue(section, 'escaped'), 'a b');
  assert.is(optionValue(section, 'spaced'), '  padded  ');
  assert.is(section.options.get('empty'), undefined, "uci_set() ignores ''");
});

test('comments, blank lines, CRLF line ends and stray whitespace are ignored', () => {
  const text = [
    '# op25b configuration',
    '   ',
    '\t# indented comment',
    "config policy 'policy' # trailing comment",
    "\toption enabled '0'\t# off for now",
    "  list port '25'  \r",
    "\tlist port '#not-a-comment'",
    '',
    '',
  ].join('\r\n');
  const section = only(parseUci(text));
  assert.is(section.type, 'policy');
  assert.is(section.name, 'policy');
  assert.is(section.line, 4);
  assert.is(optionValue(section, 'enabled'), '0');
  assert.equal(listValues(section, 'port'), ['25', '#not-a-comment']);
  assert.equal([...section.options.keys()], ['enabled', 'port']);
});

test('an unquoted # starts a comment even inside a word, as in uci', () => {
  const section = only(parseUci("config policy\n\toption action drop#x\n\toption note 'a#b'\n"));
  assert.is(optionValue(section, 'action'), 'drop');
  assert.is(optionValue(section, 'note'), 'a#b');
});

test("option x '' and option x without a value change nothing, as in libuci", () => {
  const section = only(
    parseUci(
      "config policy\n\toption action ''\n\tlist port 25\n\toption port ''\n\toption port\n",
    ),
  );
  assert.is(optionValue(section, 'action'), undefined);
  assert.equal(listValues(section, 'port'), ['25']);
  assert.equal([...section.options.keys()], ['port']);
});

test('what libuci accepts and the agent once refused', () => {
  const pkg = parseUci(
    [
      "c policy 'policy'",
      "\to note 'two",
      "lines'",
      '\tl port 25 ; l port 587',
      '\toption action re\\',
      'ject',
      'config port-block',
      '',
    ].join('\n'),
  );
  const [policy, block] = pkg.sections;
  assert.is(optionValue(policy, 'note'), 'two\nlines');
  assert.equal(listValues(policy, 'port'), ['25', '587']);
  assert.is(optionValue(policy, 'action'), 'reject');
  assert.is(block!.type, 'port-block');
  assert.is(block!.line, 7, 'a section starts where its config line starts');
});

test.run();
