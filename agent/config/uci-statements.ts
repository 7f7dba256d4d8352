// Reads the statements of a UCI file exactly as libuci's file.c does (uci_import, uci_parse_line
// and the parse_* helpers), quirks included, so the agent sees what `uci export` shows on the
// router. The C parser works in a line buffer it rewrites as it goes; this keeps the same buffer
// and positions and models its writes: a NUL written at the read position ends what is left of
// the buffer ('#', or a plain word ending in ';'), any other write lands behind it.
export type UciStatement =
  | { readonly kind: 'package'; readonly name: string }
  | { readonly kind: 'config'; readonly type: string; readonly name: string }
  | { readonly kind: 'option' | 'list'; readonly name: string; readonly value: string };

/** Where a statement starts and where libuci's reading of it ended (its errors name this line). */
export interface UciPlace {
  readonly line: number;
  readonly endLine: number;
}

export type UciFail = (why: string, line: number) => never;

const KEYWORDS: Readonly<Record<string, 'package' | 'config' | 'option' | 'list'>> = {
  p: 'package',
  package: 'package',
  c: 'config',
  config: 'config',
  o: 'option',
  option: 'option',
  l: 'list',
  list: 'list',
};

// Character tests without a RegExp or a String method call each: under QuickJS a regex test costs
// thousands of instructions, and these run for nearly every character of the file.
/** isspace() in the C locale, of a character code (NaN past the end). */
const isSpaceCode = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);
/** isspace() in the C locale (c is one character, or '' past the end). */
const isSpace = (c: string): boolean => isSpaceCode(c.charCodeAt(0));
/** Where a run of characters that parse_str() copies one by one ends (a quote, '#', ';', '\\',
 * a blank or the end stops it): the run is taken whole, the same characters in fewer steps. */
function plainRunEnd(buf: string, from: number): number {
  let end = from;
  for (; end < buf.length; end++) {
    const code = buf.charCodeAt(end);
    // ' " # ; \
    if (code === 0x27 || code === 0x22 || code === 0x23 || code === 0x3b || code === 0x5c) break;
    if (isSpaceCode(code)) break;
  }
  return end;
}
/** [A-Za-z0-9_] */
function isWordChar(c: string): boolean {
  if (c.length !== 1) return false;
  const code = c.charCodeAt(0);
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}

/** uci_validate_str(): names are [A-Za-z0-9_] (a package may add '-'), types printable ASCII. */
function validName(text: string, isPackage: boolean): boolean {
  for (const c of text) if (!isWordChar(c) && !(isPackage && c === '-')) return false;
  return text !== '';
}
const validType = (text: string): boolean => /^[\x21-\x7e]+$/.test(text);

class UciReader {
  /** The statement's lines as libuci holds them ('' past the end plays the C NUL). */
  private buf = '';
  private pos = 0;
  /** Where the next line starts in the text. */
  private next = 0;
  /** Lines read; libuci does not count a last line without '\n', this does. */
  private line = 0;
  private sectionOpen = false;

  constructor(
    private readonly text: string,
    private readonly fail: UciFail,
    private readonly emit: (statement: UciStatement, place: UciPlace) => void,
  ) {}

  read(): void {
    // libuci's fgets()/strlen() pair makes something buffer-size dependent of a NUL byte.
    const nul = this.text.indexOf('\0');
    if (nul >= 0) this.fail('NUL byte', this.text.slice(0, nul).split('\n').length);
    while (this.next < this.text.length) {
      this.pos = 0;
      this.getln(0);
      this.parseLine();
    }
  }

  private error(why: string): never {
    return this.fail(why, this.line);
  }

  private cur(): string {
    return this.buf.charAt(this.pos);
  }

  /** uci_getln(): the next line, '\n' included, replaces the buffer from `offset` on. */
  private getln(offset: number): void {
    let end = this.text.indexOf('\n', this.next);
    end = end < 0 ? this.text.length : end + 1;
    this.buf = this.buf.slice(0, offset) + this.text.slice(this.next, end);
    if (end > this.next) this.line++;
    this.next = end;
  }

  /** A NUL written at the read position: nothing after it is read. */
  private endHere(): void {
    this.buf = this.buf.slice(0, this.pos);
  }

  /** parse_backslash(): false when it ended the line and the next line was joined on. */
  private backslash(): boolean {
    this.pos++;
    const c = this.cur();
    const crlfAtEnd =
      c === '\r' && this.buf.charAt(this.pos + 1) === '\n' && this.buf.charAt(this.pos + 2) === '';
    if (c === '' || c === '\n' || crlfAtEnd) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  private skipWhitespace(): void {
    while (isSpaceCode(this.buf.charCodeAt(this.pos))) this.pos++;
  }

  /** parse_single_quote() and parse_double_quote(): a quoted value may span lines. */
  private quoted(quote: string): string {
    let out = '';
    this.pos++;
    for (;;) {
      // The characters up to the closing quote, a backslash (in "...") or the end, at once.
      let stop = this.buf.indexOf(quote, this.pos);
      if (quote === '"') {
        const backslash = this.buf.indexOf('\\', this.pos);
        if (backslash >= 0 && (stop < 0 || backslash < stop)) stop = backslash;
      }
      if (stop < 0) stop = this.buf.length;
      out += this.buf.slice(this.pos, stop);
      this.pos = stop;
      const c = this.cur();
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '') {
        this.getln(this.pos);
        if (this.cur() === '') this.error(`EOF with unterminated ${quote}`);
      } else if (c === '\\' && quote === '"') {
        if (this.backslash()) out += this.take();
      } else out += this.take();
    }
  }

  private take(): string {
    return this.buf.charAt(this.pos++);
  }

  /** parse_str(): one word; quotes and backslashes join, '#' ends the line, ';' the statement. */
  private parseStr(): string {
    const start = this.pos;
    let out = '';
    let next = true;
    do {
      const run = plainRunEnd(this.buf, this.pos);
      if (run > this.pos) {
        out += this.buf.slice(this.pos, run);
        this.pos = run;
        if (this.pos >= this.buf.length || isSpace(this.cur())) break;
      }
      const c = this.cur();
      if (c === "'" || c === '"') out += this.quoted(c);
      else if (c === '#') {
        this.endHere();
        break;
      } else if (c === '') break;
      else if (c === ';') {
        next = false;
        break;
      } else if (c !== '\\' || this.backslash()) out += this.take();
    } while (this.pos < this.buf.length && !isSpaceCode(this.buf.charCodeAt(this.pos)));
    if (this.cur() !== '' && next) this.pos++;
    // libuci copies the word down to `start` and ends it with a NUL; when nothing was dropped
    // (no quote, no backslash) that NUL lands on the ';' it stopped at, and the rest is lost.
    if (start + out.length === this.pos) this.endHere();
    return out;
  }

  /** next_arg() */
  private nextArg(required: boolean, name: boolean, isPackage: boolean): string {
    this.skipWhitespace();
    let value = '';
    if (this.cur() === ';') this.pos++;
    else value = this.parseStr();
    if (value === '') {
      if (required) this.error('insufficient arguments');
      return value;
    }
    if (name && !validName(value, isPackage)) this.error('invalid character in name field');
    return value;
  }

  /** assert_eol(), as in strict mode (uci's default). */
  private assertEol(): void {
    this.skipWhitespace();
    if (this.nextArg(false, false, false) !== '') this.error('too many arguments');
  }

  /** uci_parse_line(): the statements in the buffer, one after another. */
  private parseLine(): void {
    this.skipWhitespace();
    for (;;) {
      // strtok(" \t") finds the command word; libuci then steps past the blank after it.
      let start = this.pos;
      while (this.buf.charCodeAt(start) === 0x20 || this.buf.charCodeAt(start) === 0x09) start++;
      if (start >= this.buf.length) return;
      let end = start;
      for (; end < this.buf.length; end++) {
        const code = this.buf.charCodeAt(end);
        if (code === 0x20 || code === 0x09) break;
      }
      const word = this.buf.slice(start, end);
      if (word[0] === '#') return;
      const keyword = Object.prototype.hasOwnProperty.call(KEYWORDS, word)
        ? KEYWORDS[word]!
        : this.error('invalid command');
      if ((keyword === 'option' || keyword === 'list') && !this.sectionOpen)
        this.error('option/list command found before the first section');
      if (end >= this.buf.length)
        this.error(`${keyword === 'list' ? 'option' : keyword} without name`);
      this.pos = end + 1;
      const line = this.line;
      const statement = this.statement(keyword);
      this.emit(statement, { line, endLine: this.line });
    }
  }

  private statement(keyword: 'package' | 'config' | 'option' | 'list'): UciStatement {
    if (keyword === 'package') {
      const name = this.nextArg(true, true, true);
      this.assertEol();
      return { kind: 'package', name };
    }
    if (keyword === 'config') {
      const type = this.nextArg(true, false, false);
      if (!validType(type)) this.error('invalid character in type field');
      const name = this.nextArg(false, true, false);
      this.assertEol();
      this.sectionOpen = true;
      return { kind: 'config', type, name };
    }
    const name = this.nextArg(true, true, false);
    const value = this.nextArg(false, false, false);
    this.assertEol();
    return { kind: keyword, name, value };
  }
}

/** Calls `emit` for each statement in order; `fail` for the first error, as libuci stops there. */
export function readUciStatements(
  text: string,
  fail: UciFail,
  emit: (statement: UciStatement, place: UciPlace) => void,
): void {
  new UciReader(text, fail, emit).read();
}
