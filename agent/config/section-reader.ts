// Typed reads of one UCI section's options, each error naming the section, option and value.
import { InputError, quoteValue } from '../input-error.ts';
import { optionValue, type UciSection } from './uci-parse.ts';

export class SectionReader {
  constructor(
    private readonly section: UciSection | undefined,
    private readonly name: string,
    private readonly known: readonly string[],
  ) {}

  /** Options this reader does not know, as warnings. */
  unknownOptions(): string[] {
    return [...(this.section?.options.keys() ?? [])]
      .filter((key) => !this.known.includes(key))
      .map((key) => `unknown option ${this.name}.${key} ignored`);
  }

  string(key: string, fallback: string, pattern?: RegExp): string {
    const value = optionValue(this.section, key);
    if (value === undefined) return fallback;
    if (pattern && !pattern.test(value))
      throw new InputError(`invalid_${key}`, `invalid ${this.name}.${key} ${quoteValue(value)}`);
    return value;
  }

  optionalString(key: string, pattern?: RegExp): string | null {
    const value = this.string(key, '', pattern);
    return value === '' ? null : value;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = optionValue(this.section, key);
    if (value === undefined) return fallback;
    if (!/^(0|[1-9][0-9]{0,9})$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InputError(
        `invalid_${key}`,
        `invalid ${this.name}.${key} ${quoteValue(value)}: expected an integer from ${min} to ${max}`,
      );
    return Number(value);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = optionValue(this.section, key);
    if (value === undefined) return allowed[0]!;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InputError(
      `invalid_${key}`,
      `invalid ${this.name}.${key} ${quoteValue(value)}: expected ${allowed.join(', ')}`,
    );
  }
}

/** An absolute path without anything a shell or a config line could misread. */
export const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;
