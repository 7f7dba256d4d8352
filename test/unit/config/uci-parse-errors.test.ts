// parseUci refuses what libuci refuses, with libuci's reason and the line it names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { inputError } from '../helpers.ts';

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

test.run();
