// Login rate limiting: failed attempts are counted per user name and per client address in a
// sliding window; once either passes the limit, logins for it are refused (even with the right
// password) until the window has moved on. In memory: a restart forgets, which only helps an
// attacker once per restart, and several instances each apply the limit.
export interface LoginRateLimitOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly now?: () => number;
  /** Bound on remembered keys, so a flood of names cannot exhaust memory. */
  readonly maxKeys?: number;
}

export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(opts: LoginRateLimitOptions) {
    this.#max = opts.maxFailures;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
    this.#maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Seconds until a login for these keys is allowed again; 0 when it is allowed now. */
  retryAfterS(keys: readonly string[]): number {
    const now = this.#now();
    let wait = 0;
    for (const key of keys) {
      const times = this.#recent(key, now);
      if (times.length >= this.#max) {
        const free = times[times.length - this.#max]! + this.#windowMs;
        wait = Math.max(wait, Math.ceil((free - now) / 1000));
      }
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.delete(key); // re-insert: Map order is then oldest-touched first
      this.#failures.set(key, times);
    }
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
  }

  /** A successful login clears its user name's count (not the address's). */
  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }
}
