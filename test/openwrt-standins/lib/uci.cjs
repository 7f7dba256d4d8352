// Stand-in for OpenWrt's `uci` command line tool over config files in a directory (-c, else
// $OP25B_STANDIN_DIR/config), never /etc/config. Output formats and errors follow uci's cli.c and
// libuci (see /work/shared/notes/platform-facts.md). Changes are staged (-P, else
// $OP25B_STANDIN_DIR/uci-save) until `commit`, as uci keeps them in /tmp/.uci: `get` and `show`
// see them, the file does not.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { getopt, standinDir, writeAll } = require('./common.cjs');
const { allocSection, parseConfig, ParseError } = require('./uci-file.cjs');

const USAGE = `Usage: uci [<options>] <command> [<arguments>]

Commands:
\tbatch
\texport     [<config>]
\timport     [<config>]
\tchanges    [<config>]
\tcommit     [<config>]
\tadd        <config> <section-type>
\tadd_list   <config>.<section>.<option>=<string>
\tdel_list   <config>.<section>.<option>=<string>
\tshow       [<config>[.<section>[.<option>]]]
\tget        <config>.<section>[.<option>]
\tset        <config>.<section>[.<option>]=<value>
\tdelete     <config>[.<section>[[.<option>][=<id>]]]
\trename     <config>.<section>[.<option>]=<name>
\trevert     <config>[.<section>[.<option>]]
\treorder    <config>.<section>=<position>

Options:
\t-c <path>  set the search path for config files (default: /etc/config)
\t-d <str>   set the delimiter for list values in uci show
\t-f <file>  use <file> as input instead of stdin
\t-m         when importing, merge data into an existing package
\t-n         name unnamed sections on export (default)
\t-N         don't name unnamed sections
\t-p <path>  add a search path for config change files
\t-P <path>  add a search path for config change files and use as default
\t-q         quiet mode (don't print error messages)
\t-s         force strict mode (stop on parser errors, default)
\t-S         disable strict mode
\t-X         do not use extended syntax on 'show'

`;

/** A libuci error: its message and its UCI_ERR_* number (`add` exits with it, others with 1). */
class UciError extends Error {
  constructor(text, code) {
    super(text);
    this.code = code;
  }
}
const NOT_FOUND = () => new UciError('Entry not found', 3);
const INVALID = () => new UciError('Invalid argument', 2);

let confDir = null;
let saveDir = null;
let delimiter = ' ';
let quiet = false;
/** -S turns strict mode off: a bad line is reported and skipped. */
let strict = true;
let extended = true;
/** -n: export names unnamed sections too (UCI_FLAG_EXPORT_NAME; off unless asked). */
let exportNames = false;

const NAME = /^[A-Za-z0-9_]+$/;
const PACKAGE_NAME = /^[A-Za-z0-9_-]+$/;
const TYPE = /^[\x21-\x7e]+$/;

// ---- packages on disk, with staged changes ----

function configFile(name) {
  return path.join(confDir, name);
}
function stagedFile(name) {
  return path.join(saveDir, `${name}.json`);
}

function loadPackage(name) {
  if (!PACKAGE_NAME.test(name)) throw INVALID();
  try {
    const staged = JSON.parse(fs.readFileSync(stagedFile(name), 'utf8'));
    return {
      name,
      counter: staged.counter,
      staged: true,
      sections: staged.sections.map((s) => ({ ...s, options: new Map(s.options) })),
    };
  } catch {
    // nothing staged
  }
  let bytes;
  try {
    bytes = fs.readFileSync(configFile(name));
  } catch {
    throw NOT_FOUND();
  }
  try {
    const pkg = parseConfig(bytes, name, strict);
    // uci_perror() of each skipped line (UCI_FLAG_PERROR comes with -S).
    for (const e of pkg.skipped)
      process.stderr.write(`Parse error (${e.reason}) at line ${e.line}, byte ${e.byte}\n`);
    return pkg;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new UciError(
      `Parse error (${error.reason}) at line ${error.line}, byte ${error.byte}`,
      5,
    );
  }
}

function stage(pkg) {
  fs.mkdirSync(saveDir, { recursive: true });
  const sections = pkg.sections.map((s) => ({ ...s, options: [...s.options] }));
  fs.writeFileSync(stagedFile(pkg.name), JSON.stringify({ counter: pkg.counter, sections }));
}

function packageNames() {
  try {
    return fs
      .readdirSync(confDir)
      .filter((f) => PACKAGE_NAME.test(f) && fs.statSync(configFile(f)).isFile())
      .sort();
  } catch {
    return [];
  }
}

// ---- output (cli.c and libuci's uci_export) ----

/** uci_escape(): a quote becomes '\'' */
const escape = (value) => value.replace(/'/g, "'\\''");
const quoted = (value) => `'${escape(value)}'`;

function exportText(pkg, header) {
  let out = header ? `package ${escape(pkg.name)}\n` : '';
  for (const s of pkg.sections) {
    out += `\nconfig ${escape(s.type)}${s.anonymous && !exportNames ? '' : ` '${escape(s.name)}'`}\n`;
    for (const [key, value] of s.options) {
      if (Array.isArray(value)) for (const v of value) out += `\tlist ${key} '${escape(v)}'\n`;
      else out += `\toption ${key} '${escape(value)}'\n`;
    }
  }
  return `${out}\n`;
}

/** The name `show` uses: @type[n] for an unnamed section (n counts sections of that type). */
function sectionRef(pkg, section) {
  if (!extended || !section.anonymous) return section.name;
  const index = pkg.sections.filter((s) => s.type === section.type).indexOf(section);
  return `@${section.type}[${index}]`;
}

function showValue(value) {
  return Array.isArray(value) ? value.map(quoted).join(delimiter) : quoted(value);
}

function getValue(value) {
  if (!Array.isArray(value)) return value;
  return value.map((v) => (/[ \t\r\n]/.test(v) ? quoted(v) : v)).join(delimiter);
}

function showSection(pkg, section, lines) {
  const ref = `${pkg.name}.${sectionRef(pkg, section)}`;
  lines.push(`${ref}=${section.type}`);
  for (const [key, value] of section.options) lines.push(`${ref}.${key}=${showValue(value)}`);
}

// ---- lookups: <config>[.<section>[.<option>]][=<value>] ----

function parsePath(text, withValue) {
  const eq = text.indexOf('=');
  const value = eq >= 0 ? text.slice(eq + 1) : null;
  if (value !== null && !withValue) throw INVALID();
  const parts = (eq >= 0 ? text.slice(0, eq) : text).split('.');
  if (parts.length > 3 || parts.some((p) => p === '')) throw INVALID();
  const [pkgName, sectionName, option] = parts;
  if (
    sectionName !== undefined &&
    !NAME.test(sectionName) &&
    !/^@[^[\]]+\[-?\d+\]$/.test(sectionName)
  )
    throw INVALID();
  if (option !== undefined && !NAME.test(option)) throw INVALID();
  return { pkgName, sectionName, option, value };
}

function findSection(pkg, ref) {
  const ext = /^@([^[\]]+)\[(-?\d+)\]$/.exec(ref);
  if (!ext) return pkg.sections.find((s) => s.name === ref) ?? null;
  const ofType = pkg.sections.filter((s) => s.type === ext[1]);
  const index = Number(ext[2]);
  return ofType[index < 0 ? ofType.length + index : index] ?? null;
}

function lookup(text, withValue = false) {
  const ptr = parsePath(text, withValue);
  const pkg = loadPackage(ptr.pkgName);
  const section = ptr.sectionName === undefined ? null : findSection(pkg, ptr.sectionName);
  return { ...ptr, pkg, section };
}

// ---- commands ----

function show(args) {
  const lines = [];
  const targets = args.length ? args : packageNames();
  for (const target of targets) {
    const { pkg, section, sectionName, option } = lookup(target);
    if (sectionName === undefined) {
      for (const s of pkg.sections) showSection(pkg, s, lines);
    } else {
      if (!section) throw NOT_FOUND();
      if (option === undefined) showSection(pkg, section, lines);
      else {
        if (!section.options.has(option)) throw NOT_FOUND();
        const ref = `${pkg.name}.${sectionRef(pkg, section)}`;
        lines.push(`${ref}.${option}=${showValue(section.options.get(option))}`);
      }
    }
  }
  writeAll(1, lines.map((l) => `${l}\n`).join(''));
}

function exportCommand(args) {
  const names = args.length ? args : packageNames();
  let out = '';
  for (const name of names) out += exportText(loadPackage(name), true);
  writeAll(1, out);
}

function get(args) {
  if (args.length !== 1) throw INVALID();
  const { section, sectionName, option } = lookup(args[0]);
  if (sectionName === undefined || !section) throw NOT_FOUND();
  if (option === undefined) return writeAll(1, `${section.type}\n`);
  if (!section.options.has(option)) throw NOT_FOUND();
  writeAll(1, `${getValue(section.options.get(option))}\n`);
}

function set(args) {
  if (args.length !== 1) throw INVALID();
  const { pkg, section, sectionName, option, value } = lookup(args[0], true);
  if (value === null || sectionName === undefined) throw INVALID();
  if (option === undefined) {
    if (!TYPE.test(value) && value !== '') throw INVALID();
    if (value === '') {
      if (section) pkg.sections.splice(pkg.sections.indexOf(section), 1);
    } else if (section) section.type = value;
    else if (sectionName.startsWith('@')) throw NOT_FOUND();
    else allocSection(pkg, value, sectionName);
  } else {
    if (!section) throw INVALID();
    if (value === '') section.options.delete(option);
    else section.options.set(option, value);
  }
  stage(pkg);
}

function listChange(args, add) {
  if (args.length !== 1) throw INVALID();
  const { pkg, section, option, value } = lookup(args[0], true);
  if (value === null || option === undefined) throw INVALID();
  if (!section) throw INVALID();
  const previous = section.options.get(option);
  const list = Array.isArray(previous) ? previous : previous !== undefined ? [previous] : [];
  if (add) section.options.set(option, [...list, value]);
  else if (previous !== undefined) {
    const kept = list.filter((v) => v !== value);
    if (kept.length) section.options.set(option, kept);
    else section.options.delete(option);
  }
  stage(pkg);
}

function add(args) {
  if (args.length !== 2) throw INVALID();
  const [pkgName, type] = args;
  if (!TYPE.test(type)) throw INVALID();
  const pkg = loadPackage(pkgName);
  const section = allocSection(pkg, type, null);
  stage(pkg);
  writeAll(1, `${section.name}\n`);
}

function remove(args) {
  if (args.length !== 1) throw INVALID();
  const { pkg, section, sectionName, option, value } = lookup(args[0], true);
  if (sectionName === undefined) throw INVALID();
  if (!section) throw NOT_FOUND();
  if (option === undefined) pkg.sections.splice(pkg.sections.indexOf(section), 1);
  else {
    if (!section.options.has(option)) throw NOT_FOUND();
    const current = section.options.get(option);
    if (value !== null) {
      // delete <config>.<section>.<option>=<index>: one element of a list
      if (!/^\d+$/.test(value) || !Array.isArray(current)) throw INVALID();
      const kept = current.filter((_, i) => i !== Number(value));
      if (kept.length) section.options.set(option, kept);
      else section.options.delete(option);
    } else section.options.delete(option);
  }
  stage(pkg);
}

function commit(args) {
  const names = args.length
    ? args
    : fs.existsSync(saveDir)
      ? fs.readdirSync(saveDir).map((f) => f.replace(/\.json$/, ''))
      : [];
  for (const name of names) {
    const pkg = loadPackage(name);
    if (!pkg.staged) continue;
    const tmp = `${configFile(name)}.uci-${process.pid}`;
    fs.writeFileSync(tmp, exportText(pkg, false));
    fs.renameSync(tmp, configFile(name));
    fs.rmSync(stagedFile(name), { force: true });
  }
}

function revert(args) {
  if (args.length !== 1) throw INVALID();
  const { pkgName } = parsePath(args[0], false);
  loadPackage(pkgName);
  fs.rmSync(stagedFile(pkgName), { force: true });
}

function main(argv) {
  const parsed = getopt(argv, 'c:d:f:LmnNp:P:qsSt:X');
  const dir = standinDir();
  if (parsed.error) return usage();
  for (const [letter, value] of parsed.options) {
    if (letter === 'c') confDir = value;
    else if (letter === 'P' || letter === 'p') saveDir = value;
    else if (letter === 'd') delimiter = value;
    else if (letter === 'q') quiet = true;
    else if (letter === 'X') extended = false;
    else if (letter === 'n') exportNames = true;
    else if (letter === 's') strict = true;
    else if (letter === 'S') strict = false;
    else if (letter === 'N') exportNames = false;
  }
  confDir ??= dir && path.join(dir, 'config');
  saveDir ??= dir && path.join(dir, 'uci-save');
  if (!confDir || !saveDir) {
    process.stderr.write('uci (stand-in): set OP25B_STANDIN_DIR, or -c and -P\n');
    return 1;
  }
  const [command, ...args] = parsed.rest;
  const commands = {
    show,
    export: exportCommand,
    get,
    set,
    add,
    add_list: (a) => listChange(a, true),
    del_list: (a) => listChange(a, false),
    delete: remove,
    commit,
    revert,
  };
  if (!command || !Object.hasOwn(commands, command)) return usage();
  try {
    commands[command](args);
    return 0;
  } catch (error) {
    if (!(error instanceof UciError)) throw error;
    if (!quiet) process.stderr.write(`uci: ${error.message}\n`);
    return command === 'add' ? error.code : 1;
  }
}

function usage() {
  process.stderr.write(USAGE);
  return 255;
}

process.exitCode = main(process.argv.slice(2));
