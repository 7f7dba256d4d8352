import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  findSection,
  listValues,
  optionValue,
  parseUci,
  type UciPackage,
  type UciSection,
} from '../../../agent/config/uci-parse.ts';
import { inputError } from '../helpers.ts';

/** Sections as plain data: type, name, line and options (Map -> object). */
function plain(pkg: UciPackage) {
  return pkg.sections.map((s) => ({
    type: s.type,
    name: s.name,
    line: s.line,
    options: Object.fromEntries(s.options),
  }));
}

function only(pkg: UciPackage): UciSection {
  assert.is(pkg.sections.length, 1);
  return pkg.sections[0]!;
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

test('a file without a package line has no package name', () => {
  const pkg = parseUci("config policy\n\toption enabled '1'\n");
  assert.is(pkg.name, null);
  assert.is(only(pkg).name, null);
});

test('an empty file or one with only comments has no sections', () => {
  assert.equal(parseUci(''), { name: null, sections: [] });
  assert.equal(parseUci('# nothing\n\n'), { name: null, sections: [] });
  assert.equal(parseUci('package op25b\n'), { name: 'op25b', sections: [] });
});

test('named and anonymous sections keep their order and line numbers', () => {
  const pkg = parseUci(
    [
      'config rule', // 1
      "\toption name 'first'",
      "config policy 'policy'", // 3
      "\toption action 'drop'",
      'config rule', // 5
      "\toption name 'second'",
    ].join('\n'),
  );
  assert.equal(
    pkg.sections.map((s) => [s.type, s.name, s.line]),
    [
      ['rule', null, 1],
      ['policy', 'policy', 3],
      ['rule', null, 5],
    ],
  );
  assert.equal(
    pkg.sections.map((s) => optionValue(s, 'name') ?? optionValue(s, 'action')),
    ['first', 'drop', 'second'],
  );
});

test('a repeated named section merges into the first one', () => {
  const pkg = parseUci(
    [
      "config policy 'policy'",
      "\toption enabled '1'",
      "\tlist port '25'",
      'config rule',
      "config policy 'policy'",
      "\toption action 'reject'",
      "\tlist port '587'",
    ].join('\n'),
  );
  const policy = pkg.sections.filter((s) => s.type === 'policy');
  assert.is(policy.length, 1);
  assert.is(policy[0]!.line, 1);
  assert.is(optionValue(policy[0], 'enabled'), '1');
  assert.is(optionValue(policy[0], 'action'), 'reject');
  assert.equal(listValues(policy[0], 'port'), ['25', '587']);
});

test('list lines accumulate in order; a later option replaces the whole value', () => {
  const section = only(
    parseUci(
      [
        'config policy',
        "\tlist port '587'",
        "\tlist port '25'",
        "\tlist port '587'",
        "\tlist family 'ipv4'",
        "\toption family 'ipv6'",
        "\toption action 'drop'",
        "\toption action 'reject'",
      ].join('\n'),
    ),
  );
  assert.equal(listValues(section, 'port'), ['587', '25', '587']);
  assert.equal(section.options.get('family'), { kind: 'option', value: 'ipv6' });
  assert.is(optionValue(section, 'action'), 'reject');
});

// uci's uci_add_list() turns an existing single-value option into a list that keeps the old
// value, so on the router `option port '25'` + `list port '587'` means ports 25 and 587.
test('a list line after an option of the same name keeps the option value (as uci does)', () => {
  const section = only(parseUci("config policy\n\toption port '25'\n\tlist port '587'\n"));
  assert.equal(listValues(section, 'port'), ['25', '587']);
});

test('listValues reads an option as a one-element list; missing is an empty list', () => {
  const section = only(parseUci("config policy\n\toption allow '203.0.113.25'\n"));
  assert.equal(listValues(section, 'allow'), ['203.0.113.25']);
  assert.equal(listValues(section, 'port'), []);
  assert.equal(listValues(undefined, 'port'), []);
});

test('listValues returns a copy the caller may change', () => {
  const section = only(parseUci("config policy\n\tlist port '25'\n"));
  listValues(section, 'port').push('587');
  assert.equal(listValues(section, 'port'), ['25']);
});

test('optionValue: a value, undefined when missing, an InputError for a list', () => {
  const section = only(parseUci("config policy\n\toption action 'drop'\n\tlist port '25'\n"));
  assert.is(optionValue(section, 'action'), 'drop');
  assert.is(optionValue(section, 'enabled'), undefined);
  assert.is(optionValue(undefined, 'enabled'), undefined);
  const error = inputError(() => optionValue(section, 'port'));
  assert.is(error.code, 'invalid_config');
  assert.match(error.message, /option port must be a single value, not a list/);
});

test('findSection prefers the section with that name, else the first of the type', () => {
  const pkg = parseUci(
    [
      'config policy',
      "\toption action 'reject'",
      "config policy 'other'",
      "config policy 'policy'",
      "\toption action 'drop'",
    ].join('\n'),
  );
  assert.is(findSection(pkg, 'policy', 'policy')?.line, 4);
  assert.is(findSection(pkg, 'policy', 'missing')?.line, 1);
  assert.is(findSection(pkg, 'rule', 'policy'), undefined);
  // A name only counts for a section of the asked type.
  const typed = parseUci("config rule 'policy'\nconfig policy\n");
  assert.is(findSection(typed, 'policy', 'policy')?.line, 2);
});

// libuci's own reasons (file.c), and the line it names.
const parseErrors: [string, string, string, number][] = [
  [
    'unterminated single quote',
    "config policy\n\toption action 'drop\n",
    "EOF with unterminated '",
    2,
  ],
  [
    'unterminated double quote',
    'config policy\n\n\toption action "drop\n',
    'EOF with unterminated "',
    3,
  ],
  [
    'escaped closing double quote',
    'config policy\n\toption action "drop\\"\n',
    'EOF with unterminated "',
    2,
  ],
  [
    'option outside a section',
    "package op25b\n\toption enabled '1'\n",
    'option/list command found before the first section',
    2,
  ],
  [
    'list outside a section',
    "# comment\nlist port '25'\n",
    'option/list command found before the first section',
    2,
  ],
  ['unknown keyword', 'config policy\n\tvalue enabled 1\n', 'invalid command', 2],
  ['a misspelt keyword', 'config policy\n\toptions enabled 1\n', 'invalid command', 2],
  ['a keyword ending the line', 'config policy\n\toption\n', 'invalid command', 2],
  [
    'too many words in an option',
    "config policy\n\toption port '25' '587'\n",
    'too many arguments',
    2,
  ],
  [
    'an unquoted value with a space',
    'config policy\n\toption action drop it\n',
    'too many arguments',
    2,
  ],
  ['too many words in a config line', "config policy 'policy' 'extra'\n", 'too many arguments', 1],
  ['a missing option name', 'config policy\n\toption \n', 'insufficient arguments', 2],
  [
    'an option name with a dash',
    "config policy\n\toption wan-device 'wan'\n",
    'invalid character in name field',
    2,
  ],
  ['a missing section type', 'config \n', 'insufficient arguments', 1],
  ['a section type with a space', "config 'po licy'\n", 'invalid character in type field', 1],
  [
    'a section name with a space',
    "config policy 'my policy'\n",
    'invalid character in name field',
    1,
  ],
  ['a section name with a dash', 'config policy my-policy\n', 'invalid character in name field', 1],
  [
    'a section name reused with another type',
    "config policy 'policy'\nconfig rule\nconfig rule 'policy'\n",
    'section of different type overwrites prior section with same name',
    3,
  ],
  ['package without a name', 'package \n', 'insufficient arguments', 1],
  ['package with two names', 'package op25b other\n', 'too many arguments', 1],
  ['a NUL byte (not read as libuci would)', 'config policy\n\toption a b\0c\n', 'NUL byte', 2],
  // libuci would say line 1 here: it counts only lines ending in '\n'.
  ['a last line without a newline', 'config policy\n\toption a b c', 'too many arguments', 2],
  [
    'an error after a value spanning lines',
    "config policy\n\toption a 'x\ny' z\n",
    'too many arguments',
    3,
  ],
];
for (const [what, text, why, line] of parseErrors) {
  test(`parse error with line number: ${what}`, () => {
    const error = inputError(() => parseUci(text, '/etc/config/op25b'));
    assert.is(error.code, 'invalid_config');
    assert.is(error.message, `/etc/config/op25b: parse error (${why}) at line ${line}`);
  });
}

test('the source name defaults to "config"', () => {
  assert.is(
    inputError(() => parseUci('bogus\n')).message,
    'config: parse error (invalid command) at line 1',
  );
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

test('the same text parsed again gives the same result; other text or source name parses anew', () => {
  const text = "config policy 'policy'\n\tlist allow '203.0.113.25'\n";
  const first = parseUci(text, '/etc/config/op25b');
  assert.is(parseUci(text, '/etc/config/op25b'), first, 'the one-shot commands read it twice');
  const other = parseUci(`${text}\toption action 'drop'\n`, '/etc/config/op25b');
  assert.is.not(other, first);
  assert.is(optionValue(findSection(other, 'policy', 'policy'), 'action'), 'drop');
  assert.is.not(parseUci(text, 'elsewhere'), first, 'errors name the source');
  // A file that fails is not remembered: it fails again, with its own line.
  for (let i = 0; i < 2; i++)
    assert.match(inputError(() => parseUci('config\n', 'bad')).message, /^bad: .* at line 1$/);
});

test.run();
