// The blocked-attempt counters of one simulated router: an infected LAN host keeps retrying
// SMTP, so its count grows with time while the block is on; a rebuild of the rules (a new
// policy, a reapply, a reboot) restarts the counters, as the real rule counters do.
import type { Counters } from '../agent/firewall/backend.ts';
import { randomInt, type Random } from './random.ts';

// A blocked SYN, IPv4 with the usual options, counted in bytes by the rule.
const SYN_BYTES = 60;

interface Source {
  readonly address: string;
  /** Attempts a second. */
  readonly rate: number;
  carry: number;
  attempts: number;
}

export class BlockedTraffic {
  private readonly sources: Source[];
  private lastAt: number;

  /** `hosts` infected LAN hosts; none for a quiet router. */
  constructor(hosts: number, random: Random, now: number) {
    // Documentation ranges (RFC 5737/3849) stand in for LAN addresses.
    this.sources = Array.from({ length: hosts }, (_, k) => ({
      address: k % 3 === 2 ? `2001:db8:1::${k + 20}` : `198.51.100.${randomInt(random, 10, 250)}`,
      rate: 0.05 + random() * 0.45,
      carry: 0,
      attempts: 0,
    }));
    this.lastAt = now;
  }

  /** Lets time pass; attempts count only while the block is on (no rule, no counter). */
  advance(now: number, blocking: boolean): void {
    const seconds = Math.max(0, now - this.lastAt) / 1000;
    this.lastAt = now;
    if (!blocking) return;
    for (const source of this.sources) {
      source.carry += source.rate * seconds;
      const whole = Math.floor(source.carry);
      source.carry -= whole;
      source.attempts += whole;
    }
  }

  /** The rules were rebuilt: the kernel's counters start again from zero. */
  restart(now: number): void {
    this.lastAt = now;
    for (const source of this.sources) {
      source.attempts = 0;
      source.carry = 0;
    }
  }

  counters(): Counters {
    const active = this.sources.filter((s) => s.attempts > 0);
    const packets = active.reduce((sum, s) => sum + s.attempts, 0);
    return {
      blockedPackets: packets,
      blockedBytes: packets * SYN_BYTES,
      topSources: active
        .map((s) => ({ address: s.address, attempts: s.attempts }))
        .sort((a, b) => b.attempts - a.attempts)
        .slice(0, 10),
    };
  }
}
