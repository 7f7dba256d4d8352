// The stand-in's reading of a config file: a line-by-line port of libuci's file.c (uci_import,
// uci_getln, uci_parse_line, parse_str, parse_backslash, the quote parsers, next_arg,
// assert_eol) and of what list.c's uci_set/uci_add_list/uci_add_section do with each statement,
// in strict mode (uci's default) or not (-S: a bad line is reported and skipped). It works, as the C code does, in a byte buffer it rewrites in
// place (NULs included), so positions and quirks are libuci's: `byte N` in an error is the C
// buffer offset, `line N` counts lines ending in '\n'.
'use strict';

class ParseError {
  constructor(reason, line, byte) {
    this.reason = reason;
    this.line = line;
    this.byte = byte;
  }
}

const isspace = (c) => c === 32 || (c >= 9 && c <= 13);
const isalnum = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** uci_validate_str() */
function validateStr(bytes, name, pkg) {
  if (bytes.length === 0) return false;
  for (const c of bytes) {
    if (isalnum(c) || c === 95) continue;
    if (c === 45 && pkg) continue;
    if (name || c < 33 || c > 126) return false;
  }
  return true;
}

/** djbhash() of list.c (char is signed on the x86 this runs on; types are ASCII anyway). */
function djbhash(hash, text) {
  let h = hash === null ? 5381 : hash;
  for (const c of Buffer.from(text, 'utf8')) h = (Math.imul(h, 33) + ((c << 24) >> 24)) >>> 0;
  return h & 0x7fffffff;
}

/** uci_alloc_section() + uci_fixup_section(): counts the section, names it if anonymous. */
function allocSection(pkg, type, name) {
  pkg.counter += 1;
  const section = { type, name, anonymous: !name, options: new Map() };
  if (!name) {
    const hash = djbhash(null, type) % 65536;
    section.name = `cfg${pkg.counter.toString(16).padStart(2, '0')}${hash.toString(16).padStart(4, '0')}`;
  }
  pkg.sections.push(section);
  return section;
}

class Parser {
  constructor(file, pkg, strict) {
    this.file = file;
    this.strict = strict;
    this.skipped = [];
    this.fpos = 0;
    this.eof = false;
    this.buf = Buffer.alloc(32);
    this.filled = 0;
    this.pos = 0;
    this.line = 0;
    this.pkg = pkg;
    this.section = null;
  }

  error(reason) {
    throw new ParseError(reason, this.line, this.pos);
  }
  at(i) {
    return i < this.buf.length ? this.buf[i] : 0;
  }
  cur() {
    return this.at(this.pos);
  }
  /** The NUL-terminated string at `i`, decoded. */
  str(i) {
    const end = this.buf.indexOf(0, i);
    return this.buf.subarray(i, end < 0 ? this.buf.length : end);
  }
  ensure(size) {
    if (size <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(size, this.buf.length * 2));
    this.buf.copy(bigger);
    this.buf = bigger;
  }

  /** uci_getln(): fgets() one whole line at `offset`. */
  getln(offset) {
    this.ensure(offset + 1);
    this.buf[offset] = 0;
    if (this.fpos >= this.file.length) {
      this.eof = true;
      return;
    }
    const nl = this.file.indexOf(10, this.fpos);
    const end = nl < 0 ? this.file.length : nl + 1;
    this.ensure(offset + (end - this.fpos) + 1);
    this.file.copy(this.buf, offset, this.fpos, end);
    this.filled = offset + (end - this.fpos);
    this.buf[this.filled] = 0;
    this.fpos = end;
    if (nl >= 0) this.line += 1;
    else this.eof = true;
  }

  parseBackslash() {
    this.pos += 1;
    const c = this.cur();
    if (
      c === 0 ||
      c === 10 ||
      (c === 13 && this.at(this.pos + 1) === 10 && !this.at(this.pos + 2))
    ) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  skipWhitespace() {
    while (this.cur() && isspace(this.cur())) this.pos += 1;
  }

  addc(target) {
    this.buf[target.at] = this.buf[this.pos];
    target.at += 1;
    this.pos += 1;
  }

  parseQuote(target, quote) {
    this.pos += 1;
    for (;;) {
      const c = this.cur();
      if (c === quote) {
        this.pos += 1;
        return;
      }
      if (c === 0) {
        this.getln(this.pos);
        if (!this.cur()) this.error(`EOF with unterminated ${String.fromCharCode(quote)}`);
      } else if (c === 92 && quote === 34) {
        if (this.parseBackslash()) this.addc(target);
      } else this.addc(target);
    }
  }

  parseStr(target) {
    let next = true;
    loop: do {
      switch (this.cur()) {
        case 39:
          this.parseQuote(target, 39);
          break;
        case 34:
          this.parseQuote(target, 34);
          break;
        case 35: // '#'
          this.buf[this.pos] = 0;
          break loop;
        case 0:
          break loop;
        case 59: // ';'
          next = false;
          break loop;
        case 92:
          if (!this.parseBackslash()) continue;
          this.addc(target);
          break;
        default:
          this.addc(target);
      }
    } while (this.cur() && !isspace(this.cur()));
    if (this.cur() && next) this.pos += 1;
    this.buf[target.at] = 0;
  }

  /** next_arg(): the argument as bytes (empty when there is none). */
  nextArg(required, name, pkg) {
    this.skipWhitespace();
    const val = this.pos;
    if (this.cur() === 59) {
      this.buf[this.pos] = 0;
      this.pos += 1;
    } else this.parseStr({ at: val });
    const value = Buffer.from(this.str(val));
    if (value.length === 0) {
      if (required) this.error('insufficient arguments');
      return value;
    }
    if (name && !validateStr(value, name, pkg)) this.error('invalid character in name field');
    return value;
  }

  assertEol() {
    this.skipWhitespace();
    if (this.nextArg(false, false, false).length && this.strict) this.error('too many arguments');
  }

  increasePos(what) {
    const add = this.str(this.pos).length + 1;
    if (this.pos + add > this.filled) this.error(`${what} without name`);
    this.pos += add;
  }

  parsePackage() {
    this.increasePos('package');
    this.nextArg(true, true, true);
    this.assertEol();
    // uci_file_load() imports with single=true: the line is checked, the name kept.
  }

  parseConfig() {
    this.increasePos('config');
    const type = this.nextArg(true, false, false);
    if (!validateStr(type, false, false)) this.error('invalid character in type field');
    const name = this.nextArg(false, true, false).toString('utf8');
    this.assertEol();
    const typeText = type.toString('utf8');
    const existing = name && this.pkg.sections.find((s) => s.name === name);
    if (existing) {
      if (existing.type !== typeText && this.strict)
        this.error('section of different type overwrites prior section with same name');
      // uci_set() on a section: same place, name and options, the new type; a type of another
      // length means a new section given the old one's name, so it is no longer anonymous.
      if (existing.type.length !== typeText.length) existing.anonymous = false;
      existing.type = typeText;
      this.section = existing;
    } else this.section = allocSection(this.pkg, typeText, name);
  }

  parseOption(list) {
    if (!this.section) this.error('option/list command found before the first section');
    this.increasePos('option');
    const name = this.nextArg(true, true, false).toString('utf8');
    const value = this.nextArg(false, false, false).toString('utf8');
    this.assertEol();
    const options = this.section.options;
    const previous = options.get(name);
    if (list) {
      const items = Array.isArray(previous) ? previous : previous !== undefined ? [previous] : [];
      options.set(name, [...items, value]);
    } else if (value !== '') options.set(name, value); // uci_set() ignores an empty value
  }

  /** strtok(cur, " \t"): the command word, NUL-terminated in place. */
  strtok() {
    let start = this.pos;
    while (this.at(start) === 32 || this.at(start) === 9) start += 1;
    if (!this.at(start)) return null;
    let end = start;
    while (this.at(end) && this.at(end) !== 32 && this.at(end) !== 9) end += 1;
    const word = this.buf.toString('latin1', start, end);
    if (this.at(end)) this.buf[end] = 0;
    return word;
  }

  parseLine() {
    this.skipWhitespace();
    for (;;) {
      const word = this.strtok();
      if (word === null || word[0] === '#') return;
      const rest = word.slice(1);
      if (word[0] === 'p' && (rest === '' || rest === 'ackage')) this.parsePackage();
      else if (word[0] === 'c' && (rest === '' || rest === 'onfig')) this.parseConfig();
      else if (word[0] === 'o' && (rest === '' || rest === 'ption')) this.parseOption(false);
      else if (word[0] === 'l' && (rest === '' || rest === 'ist')) this.parseOption(true);
      else this.error('invalid command');
    }
  }

  run() {
    while (!this.eof) {
      this.pos = 0;
      this.getln(0);
      if (!this.buf[0]) continue;
      try {
        this.parseLine();
      } catch (error) {
        if (this.strict || !(error instanceof ParseError)) throw error;
        this.skipped.push(error);
      }
    }
  }
}

/**
 * A config file as `uci export` sees it: { name, counter, sections: [{ type, name, anonymous,
 * options: Map(name -> string | string[]) }], skipped: [ParseError] }. Strict, it throws a
 * ParseError { reason, line, byte }; else `skipped` has the errors of the lines it left out.
 */
function parseConfig(bytes, name, strict = true) {
  const file = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  // fgets() and strlen() make something odd of NUL bytes; a stand-in need not follow them.
  if (file.includes(0))
    throw new ParseError('NUL byte in file (not modelled by the stand-in)', 0, 0);
  const pkg = { name, sections: [], counter: 0 };
  const parser = new Parser(file, pkg, strict);
  parser.run();
  return { ...pkg, skipped: parser.skipped };
}

module.exports = { parseConfig, ParseError, allocSection };
