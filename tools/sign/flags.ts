// The command line of op25b-sign: a verb, then `--name value` flags (some repeatable) and the
// switches --force and --help. Each verb names the flags it takes; anything else is refused.
export class UsageError extends Error {}

export interface Flags {
  readonly verb: string;
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
}

const SWITCHES = new Set(['force', 'help']);

export function parseFlags(argv: readonly string[]): Flags {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  let verb = '';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      if (verb) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
      verb = arg;
      continue;
    }
    const name = arg.slice(2);
    if (SWITCHES.has(name)) {
      switches.add(name);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { verb, values, switches };
}

/** Refuses flags this verb does not take, and a non-repeatable flag given twice. */
export function checkFlags(
  flags: Flags,
  allowed: readonly string[],
  repeatable: readonly string[] = [],
): void {
  for (const [name, list] of flags.values) {
    if (!allowed.includes(name)) throw new UsageError(`${flags.verb} takes no --${name}`);
    if (list.length > 1 && !repeatable.includes(name))
      throw new UsageError(`--${name} given more than once`);
  }
  if (flags.switches.has('force') && !allowed.includes('force'))
    throw new UsageError(`${flags.verb} takes no --force`);
}

export function required(flags: Flags, name: string): string {
  const value = flags.values.get(name)?.[0];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function optional(flags: Flags, name: string): string | undefined {
  return flags.values.get(name)?.[0];
}

/** A decimal integer as the agent's config takes them: no sign, no leading zeros. */
export function decimal(text: string, flag: string, min: number, max: number): number {
  const value = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected an integer ${min}..${max}`);
  return value;
}
