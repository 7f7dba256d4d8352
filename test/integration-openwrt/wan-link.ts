// A WAN link that comes and goes like a PPPoE session or a modem: a veth from the router to
// the WAN host, with routes through it.
import { exec, execOk } from '../testbed/exec.ts';
import { PLAN } from '../testbed/plan.ts';
import type { Testbed } from '../testbed/testbed.ts';

/**
 * A point-to-point link from the router to the WAN host named like the device of a WAN
 * interface (pppoe-wan, wwan0), and routes that send the traffic to the WAN host's relay and
 * foreign addresses through it (and the answers back), in both families. Index picks the
 * addresses, so two links can exist at once.
 */
export class WanLink {
  constructor(
    private readonly bed: Testbed,
    readonly device: string,
    private readonly index: number,
  ) {}

  get peer(): string {
    return `peer${this.index}`;
  }
  get routerV4(): string {
    return `203.0.113.${200 + this.index * 2}`;
  }
  get hostV4(): string {
    return `203.0.113.${201 + this.index * 2}`;
  }
  get routerV6(): string {
    return `2001:db8:e${this.index}::1`;
  }
  get hostV6(): string {
    return `2001:db8:e${this.index}::2`;
  }

  /** Creates the device (no routes yet). */
  async create(): Promise<void> {
    const { ns } = this.bed;
    await execOk(ns.router, [
      'ip',
      'link',
      'add',
      this.device,
      'type',
      'veth',
      'peer',
      'name',
      this.peer,
      'netns',
      ns.wan,
    ]);
    await execOk(ns.router, [
      'ip',
      'addr',
      'add',
      this.routerV4,
      'peer',
      this.hostV4,
      'dev',
      this.device,
    ]);
    await execOk(ns.router, ['ip', '-6', 'addr', 'add', `${this.routerV6}/64`, 'dev', this.device]);
    await execOk(ns.router, ['ip', 'link', 'set', this.device, 'up']);
    await execOk(ns.wan, [
      'ip',
      'addr',
      'add',
      this.hostV4,
      'peer',
      this.routerV4,
      'dev',
      this.peer,
    ]);
    await execOk(ns.wan, ['ip', '-6', 'addr', 'add', `${this.hostV6}/64`, 'dev', this.peer]);
    await execOk(ns.wan, ['ip', 'link', 'set', this.peer, 'up']);
  }

  /** Routes the relay and foreign addresses (and LAN 1's answers) through the link. */
  async route(): Promise<void> {
    const { ns } = this.bed;
    const batch = (lines: string[]) =>
      execOk(null, ['ip', '-n', ns.router, '-batch', '-'], { stdin: `${lines.join('\n')}\n` });
    const hosts = [PLAN.wan.relay, PLAN.wan.foreign];
    await batch(
      hosts.flatMap((h) => [
        `route replace ${h.ipv4}/32 via ${this.hostV4} dev ${this.device}`,
        `route replace ${h.ipv6}/128 via ${this.hostV6} dev ${this.device}`,
      ]),
    );
    await execOk(null, ['ip', '-n', ns.wan, '-batch', '-'], {
      stdin:
        [
          `route replace ${PLAN.lan1.prefix.ipv4} via ${this.routerV4} dev ${this.peer}`,
          `route replace ${PLAN.lan1.prefix.ipv6} via ${this.routerV6} dev ${this.peer} metric 10`,
        ].join('\n') + '\n',
    });
  }

  /** Deletes the device (both ends); its routes go with it and traffic falls back to `wan`. */
  async destroy(): Promise<void> {
    await exec(this.bed.ns.router, ['ip', 'link', 'del', this.device]);
  }

  /** The device LAN 1's traffic to the foreign host leaves through now. */
  async egress(family: 'ipv4' | 'ipv6'): Promise<string> {
    const host = PLAN.wan.foreign[family];
    const from = PLAN.lan1.host[family];
    const out = await execOk(this.bed.ns.router, [
      'ip',
      family === 'ipv6' ? '-6' : '-4',
      'route',
      'get',
      host,
      'from',
      from,
      'iif',
      'lan1',
    ]);
    return /\bdev (\S+)/.exec(out)?.[1] ?? '';
  }
}
