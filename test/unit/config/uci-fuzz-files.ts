// Seeded, deterministic UCI-like files for the differential test of the agent's UCI parser: mostly
// well-formed statements, with the spellings that make parsers disagree mixed in (short keywords,
// ';', quotes spanning lines, backslashes at line ends, '#' inside words, CRLF, empty values,
// reused section names, odd types and names).

/** mulberry32: a small seeded PRNG, so every run makes the same files. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pick = <T>(items: readonly T[]) => T;

const KEYWORDS = {
  config: ['config', 'config', 'config', 'c'],
  option: ['option', 'option', 'option', 'o'],
  list: ['list', 'list', 'list', 'l'],
  package: ['package', 'p'],
  wrong: ['options', 'conf', 'value', 'Config', 'lists', '#config', 'config;', 'option\t#'],
};

const NAMES = ['policy', 'rule', 'a', 'b', 'x_1', 'port', 'allow', 'cfg017389', 'cfg02ac6b'];
const BAD_NAMES = ['wan-device', 'a.b', 'my name', 'é', '-', ''];
const TYPES = ['policy', 'rule', 'foo', 'zone', 'a-b', 'x.y', 'a@b', '1', 'T~'];
const BAD_TYPES = ['', 'a b', 'é', '\\x'];
const VALUES = [
  '25',
  '587',
  '203.0.113.25',
  '2001:db8::/32',
  'drop',
  'two words',
  "it's",
  'say "hi"',
  'a#b',
  'a;b',
  'back\\slash',
  'line\nbreak',
  '',
  ' ',
  'tab\there',
  'é',
  '\r',
];

/** A word as a file might spell it: bare, quoted either way, escaped, or split over lines. */
function spell(word: string, random: () => number, pick: Pick): string {
  const r = random();
  if (r < 0.3 && word !== '' && /^[A-Za-z0-9_.@~:/-]+$/.test(word)) return word;
  if (r < 0.55) return `'${word.replace(/'/g, "'\\''")}'`;
  if (r < 0.75) return `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (r < 0.82) return word.replace(/[\\'"#; \t\n\r]/g, (c) => (c === '\n' ? "'\n'" : `\\${c}`));
  if (r < 0.88 && word.length > 1) {
    const cut = 1 + Math.floor(random() * (word.length - 1));
    const quote = pick(["'", '"']);
    return `${spell(word.slice(0, cut), random, pick)}${quote === "'" ? `'${word.slice(cut).replace(/'/g, '')}'` : `"${word.slice(cut).replace(/[\\"]/g, '')}"`}`;
  }
  if (r < 0.93 && word !== '')
    return `${word.slice(0, 1)}\\\n${word.slice(1)}`.replace(/ /g, '\\ ');
  return `"${word.replace(/[\\"]/g, '')}"`;
}

const SEPARATORS = [' ', ' ', ' ', '\t', '  ', ' \t', ' \\\n', '\v'];
const ENDINGS = [' ', '\t', ' # note', '#x', '\r', ' ;', ';', ' ; ', '\\'];

function statement(random: () => number, pick: Pick, names: string[], kind = random()): string {
  const odd = (p: number) => random() < p;
  const sep = () => (odd(0.85) ? ' ' : pick(SEPARATORS));
  const r = kind;
  if (r < 0.02) return pick(KEYWORDS.wrong) + sep() + spell(pick(NAMES), random, pick);
  if (r < 0.04)
    return (
      pick(KEYWORDS.package) + sep() + spell(pick(['op25b', 'op25b', 'a-b', 'x.y']), random, pick)
    );
  if (r < 0.25) {
    const type = odd(0.02) ? pick(BAD_TYPES) : pick(TYPES);
    let out = pick(KEYWORDS.config) + sep() + spell(type, random, pick);
    if (odd(0.6)) {
      const name = odd(0.02)
        ? pick(BAD_NAMES)
        : odd(0.3) && names.length
          ? pick(names)
          : pick(NAMES);
      names.push(name);
      out += sep() + spell(name, random, pick);
    }
    if (odd(0.01)) out += sep() + spell(pick(NAMES), random, pick);
    return out;
  }
  const keyword = r < 0.65 ? pick(KEYWORDS.option) : pick(KEYWORDS.list);
  const name = odd(0.015) ? pick(BAD_NAMES) : pick(NAMES);
  let out = keyword + sep() + spell(name, random, pick);
  if (odd(0.93)) out += sep() + spell(pick(VALUES), random, pick);
  if (odd(0.01)) out += sep() + spell(pick(VALUES), random, pick);
  return out;
}

/** One file: a few lines of statements (sometimes two on a line), comments and blank lines. */
export function uciFuzzFile(random: () => number): string {
  const pick: Pick = (items) => items[Math.floor(random() * items.length)]!;
  const names: string[] = [];
  const lines: string[] = [];
  const count = 1 + Math.floor(random() * 10);
  if (random() < 0.95) lines.push(statement(random, pick, names, 0.1));
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.05) lines.push(pick(['', '   ', '# comment', '\t# indented', "# it's", '\r']));
    else {
      const indent = pick(['', '\t', '  ', '\t\t']);
      let line = indent + statement(random, pick, names);
      if (random() < 0.08) line += pick([' ; ', ';', ' ;', '; ']) + statement(random, pick, names);
      lines.push(line + (random() < 0.9 ? '' : pick(ENDINGS)));
    }
  }
  const eol = random() < 0.1 ? '\r\n' : '\n';
  return lines.join(eol) + (random() < 0.9 ? eol : '');
}
