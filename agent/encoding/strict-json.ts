// A strict JSON parser (RFC 8259) for everything that comes from outside. QuickJS 2021-03-27's
// JSON.parse accepts text that is not JSON (`3.`, `"\x76"`, `-01`), and engines differ on what
// they tolerate: this parser is the same on every engine. It also refuses what JSON allows but
// no sender of ours writes and parsers disagree on: duplicate object keys, and nesting deeper
// than `maxDepth` (which would otherwise exhaust the stack of the parser or of later code).

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset in the text (UTF-16 code units) where the problem is. */
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Objects and arrays nested deeper than this are refused (our messages nest 2 levels). */
export const DEFAULT_MAX_DEPTH = 32;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Parses one JSON value filling the whole text (whitespace around it allowed). */
export function parseStrictJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  let pos = 0;

  const fail = (why: string, at = pos): never => {
    throw new JsonSyntaxError(why, at);
  };

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      // RFC 8259 whitespace: space, tab, line feed, carriage return; nothing else.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };

  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('unexpected token');
  };

  const number = (): number => {
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) return fail('invalid number');
    pos += match[0].length;
    const next = text.charCodeAt(pos);
    // "01", "1.", "1e": the regex stopped early; what follows must not continue a number.
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45)
      fail('invalid number');
    return Number(match[0]);
  };

  const string = (): string => {
    pos++; // the opening quote
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text[pos + 1] ?? '';
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else {
        const decoded = ESCAPES[e];
        if (decoded === undefined) fail('invalid escape');
        out += decoded;
        pos += 2;
      }
      start = pos;
    }
  };

  const value = (depth: number): unknown => {
    skipSpace();
    const c = text[pos];
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal('true', true);
      case 'f':
        return literal('false', false);
      case 'n':
        return literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
        return fail(c === undefined ? 'unexpected end' : 'unexpected token');
    }
  };

  const array = (depth: number): unknown[] => {
    if (depth > maxDepth) fail(`nested deeper than ${maxDepth}`);
    pos++;
    const out: unknown[] = [];
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return out;
    }
    for (;;) {
      out.push(value(depth));
      skipSpace();
      const c = text[pos++];
      if (c === ']') return out;
      if (c !== ',') fail('expected , or ]', pos - 1);
    }
  };

  const object = (depth: number): Record<string, unknown> => {
    if (depth > maxDepth) fail(`nested deeper than ${maxDepth}`);
    pos++;
    const out: Record<string, unknown> = {};
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail('expected a string key');
      const keyAt = pos;
      const key = string();
      skipSpace();
      if (text[pos++] !== ':') fail('expected :', pos - 1);
      const item = value(depth);
      if (Object.prototype.hasOwnProperty.call(out, key)) fail('duplicate key', keyAt);
      // defineProperty: a key "__proto__" becomes a plain property, never the prototype.
      Object.defineProperty(out, key, {
        value: item,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      skipSpace();
      const c = text[pos++];
      if (c === '}') return out;
      if (c !== ',') fail('expected , or }', pos - 1);
    }
  };

  const result = value(0);
  skipSpace();
  if (pos < text.length) fail('unexpected text after the value');
  return result;
}
