// What `uci export <name>` prints for a package, written from the agent's parse, so a parse can
// be compared with the real uci's recorded output (test/unit/fixtures/uci/) and the stand-in's.
import type { UciPackage } from '../../../agent/config/uci-parse.ts';

/** uci_escape(): a single quote becomes '\''. */
const escape = (text: string) => text.replace(/'/g, "'\\''");

export interface ExportSection {
  readonly type: string;
  /** null: anonymous, exported without a name. */
  readonly name: string | null;
  readonly options: readonly (readonly [string, string | readonly string[]])[];
}

/** uci_export_package() with its header, as the CLI prints it. */
export function exportText(name: string, sections: readonly ExportSection[]): string {
  let out = `package ${escape(name)}\n`;
  for (const section of sections) {
    const named = section.name === null ? '' : ` '${escape(section.name)}'`;
    out += `\nconfig ${escape(section.type)}${named}\n`;
    for (const [key, value] of section.options) {
      if (typeof value === 'string') out += `\toption ${escape(key)} '${escape(value)}'\n`;
      else for (const item of value) out += `\tlist ${escape(key)} '${escape(item)}'\n`;
    }
  }
  return `${out}\n`;
}

export function agentSections(pkg: UciPackage): ExportSection[] {
  return pkg.sections.map((s) => ({
    type: s.type,
    name: s.name,
    options: [...s.options].map(
      ([key, v]) => [key, v.kind === 'list' ? v.values : v.value] as const,
    ),
  }));
}

/** The agent's message for a libuci error, as `<why>@<line>`, read from its InputError. */
export function agentError(message: string): string {
  const match = /: parse error \((.*)\) at line (\d+)$/s.exec(message);
  if (!match) throw new Error(`not a parse error: ${message}`);
  return `${match[1]}@${match[2]}`;
}

/**
 * The line libuci names for an error the agent names at `line`: libuci counts only lines that
 * end in '\n', so on a last line without one it says one less. The agent gives the real line.
 */
export function libuciLine(text: string, line: number): number {
  const lines = text.split('\n').length;
  return !text.endsWith('\n') && line === lines ? line - 1 : line;
}
