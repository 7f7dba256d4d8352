// A parser for UCI config files, as OpenWrt's uci writes them (`config`, `option`, `list`,
// single- or double-quoted values, `'\''` joins, `#` comments). The agent reads its config itself
// so the same file works on a router and on a test machine without `uci`.
import { InputError } from '../input-error.ts';

export type UciValue =
  | { readonly kind: 'option'; readonly value: string }
  | { readonly kind: 'list'; readonly values: readonly string[] };

export interface UciSection {
  readonly type: string;
  /** null for an anonymous section (`config rule`). */
  readonly name: string | null;
  readonly options: ReadonlyMap<string, UciValue>;
  readonly line: number;
}

export interface UciPackage {
  readonly name: string | null;
  readonly sections: readonly UciSection[];
}

const IDENTIFIER = /^[A-Za-z0-9_]+$/;

/** Splits one line into words the way uci does: quotes group, `\` escapes, `#` starts a comment. */
function tokenize(line: string, fail: (why: string) => never): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    let word = '';
    while (i < line.length && !' \t\r'.includes(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) fail('unterminated quote');
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        i++;
        for (;;) {
          if (i >= line.length) fail('unterminated quote');
          const d = line[i]!;
          if (d === '"') break;
          if (d === '\\' && i + 1 < line.length) i++;
          word += line[i]!;
          i++;
        }
        i++;
      } else if (ch === '\\') {
        if (i + 1 >= line.length) fail('backslash at end of line');
        word += line[i + 1]!;
        i += 2;
      } else if (ch === '#') {
        // uci reads an unquoted '#' as the start of a comment, even inside a word.
        i = line.length;
      } else {
        word += ch;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

export function parseUci(text: string, source = 'config'): UciPackage {
  let packageName: string | null = null;
  const sections: {
    type: string;
    name: string | null;
    options: Map<string, UciValue>;
    line: number;
  }[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const fail = (why: string): never => {
      throw new InputError(
        'invalid_config',
        `${source}: parse error (${why}) at line ${lineNumber}`,
      );
    };
    const words = tokenize(lines[index]!, fail);
    if (words.length === 0) continue;
    const [keyword, first, second, ...rest] = words;
    switch (keyword) {
      case 'package':
        if (first === undefined || second !== undefined) fail('package takes one name');
        packageName = first!;
        break;
      case 'config': {
        if (first === undefined || !IDENTIFIER.test(first)) fail('invalid section type');
        if (second !== undefined && !IDENTIFIER.test(second)) fail('invalid section name');
        if (rest.length > 0) fail('too many words');
        const name = second ?? null;
        // uci merges a repeated named section into the first one.
        if (name !== null && sections.some((s) => s.name === name)) {
          const existing = sections.find((s) => s.name === name)!;
          sections.splice(sections.indexOf(existing), 1);
          sections.push(existing);
        } else sections.push({ type: first!, name, options: new Map(), line: lineNumber });
        break;
      }
      case 'option':
      case 'list': {
        const section = sections[sections.length - 1];
        if (!section) fail(`${keyword} outside of a section`);
        if (first === undefined || !IDENTIFIER.test(first)) fail('invalid option name');
        if (second === undefined) fail('missing value');
        if (rest.length > 0) fail('too many words');
        const previous = section!.options.get(first!);
        if (keyword === 'option') section!.options.set(first!, { kind: 'option', value: second! });
        else {
          // As uci_add_list(): a single value already there becomes the list's first entry.
          const earlier =
            previous?.kind === 'list' ? previous.values : previous ? [previous.value] : [];
          section!.options.set(first!, { kind: 'list', values: [...earlier, second!] });
        }
        break;
      }
      default:
        fail(`unknown keyword ${JSON.stringify(keyword)}`);
    }
  }
  return { name: packageName, sections };
}

/** The section named `name`, else the first section of that type. */
export function findSection(pkg: UciPackage, type: string, name: string): UciSection | undefined {
  return (
    pkg.sections.find((s) => s.type === type && s.name === name) ??
    pkg.sections.find((s) => s.type === type)
  );
}

export function optionValue(section: UciSection | undefined, key: string): string | undefined {
  const value = section?.options.get(key);
  // uci deletes an option set to '' (`uci set x.y.z=''`); read it as absent.
  if (!value || (value.kind === 'option' && value.value === '')) return undefined;
  if (value.kind === 'list')
    throw new InputError('invalid_config', `option ${key} must be a single value, not a list`);
  return value.value;
}

/** A list, or an option read as a one-element list (as uci's shell helpers do). */
export function listValues(section: UciSection | undefined, key: string): string[] {
  const value = section?.options.get(key);
  if (!value) return [];
  return value.kind === 'list' ? [...value.values] : [value.value];
}
