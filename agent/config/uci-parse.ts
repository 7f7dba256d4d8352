// UCI config files as libuci loads them (`uci export` shows the same sections, options and
// lists): uci-statements.ts reads the statements, this applies them as uci_set(),
// uci_add_list() and uci_add_section() do. The agent reads its config itself so the same file
// works on a router and on a test machine without `uci`.
import { InputError } from '../input-error.ts';
import { readUciStatements } from './uci-statements.ts';

export type UciValue =
  | { readonly kind: 'option'; readonly value: string }
  | { readonly kind: 'list'; readonly values: readonly string[] };

export interface UciSection {
  readonly type: string;
  /** null for an anonymous section (`config rule`). */
  readonly name: string | null;
  readonly options: ReadonlyMap<string, UciValue>;
  /** The line of its first `config` statement. */
  readonly line: number;
}

export interface UciPackage {
  /** The name a `package` line gives, else null (libuci keeps the file's name either way). */
  readonly name: string | null;
  readonly sections: readonly UciSection[];
}

interface Building {
  type: string;
  name: string | null;
  /** The name libuci looks it up by: its own, or the one uci_fixup_section() made up. */
  key: string;
  options: Map<string, UciValue>;
  line: number;
}

/** djbhash() of libuci's list.c, over a section type (printable ASCII). */
function djbhash(text: string): number {
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 33) + text.charCodeAt(i)) >>> 0;
  return hash & 0x7fffffff;
}

/** uci_fixup_section() names an anonymous section when it is made, from its type alone. */
function anonymousName(count: number, type: string): string {
  const hash = (djbhash(type) % 65536).toString(16).padStart(4, '0');
  return `cfg${count.toString(16).padStart(2, '0')}${hash}`;
}

// The last file parsed, and what came of it: a one-shot command reads its config twice, once to
// pick the kernel listing to start early (cli/early-start.ts) and once for everything else, and a
// parse costs more than a millisecond of a router's CPU. The result is never changed by anyone
// (its types are readonly), so handing the same one out again is safe.
let last: { readonly text: string; readonly source: string; readonly pkg: UciPackage } | null =
  null;

export function parseUci(text: string, source = 'config'): UciPackage {
  if (last && last.text === text && last.source === source) return last.pkg;
  const pkg = parseUciText(text, source);
  last = { text, source, pkg };
  return pkg;
}

function parseUciText(text: string, source: string): UciPackage {
  let packageName: string | null = null;
  const sections: Building[] = [];
  // libuci's n_section: every section made, named or not.
  let made = 0;
  let section: Building | undefined;
  const fail = (why: string, line: number): never => {
    throw new InputError('invalid_config', `${source}: parse error (${why}) at line ${line}`);
  };
  readUciStatements(text, fail, (statement, place) => {
    switch (statement.kind) {
      case 'package':
        packageName = statement.name;
        break;
      case 'config': {
        const { type, name } = statement;
        section = name === '' ? undefined : sections.find((s) => s.key === name);
        if (section) {
          // A named section given again is the same section, reopened.
          if (section.type !== type)
            fail(
              'section of different type overwrites prior section with same name',
              place.endLine,
            );
        } else {
          made++;
          const key = name === '' ? anonymousName(made, type) : name;
          section = {
            type,
            name: name === '' ? null : name,
            key,
            options: new Map(),
            line: place.line,
          };
          sections.push(section);
        }
        break;
      }
      case 'option':
        // uci_set() with an empty value changes nothing: `option x ''` and `option x` are no-ops.
        if (statement.value !== '')
          section!.options.set(statement.name, { kind: 'option', value: statement.value });
        break;
      case 'list': {
        // uci_add_list(): a single value already there becomes the list's first entry.
        const previous = section!.options.get(statement.name);
        const earlier =
          previous?.kind === 'list' ? previous.values : previous ? [previous.value] : [];
        section!.options.set(statement.name, {
          kind: 'list',
          values: [...earlier, statement.value],
        });
        break;
      }
    }
  });
  return {
    name: packageName,
    sections: sections.map(({ type, name, options, line }) => ({ type, name, options, line })),
  };
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
  if (!value) return undefined;
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
