// How parseUci builds sections and options (order, merging, lists) and what the readers
// listValues, optionValue and findSection return; parse results are remembered per text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findSection, listValues, optionValue, parseUci } from '../../../agent/config/uci-parse.ts';
import { inputError } from '../helpers.ts';
import { only } from './uci-only-section.ts';

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
