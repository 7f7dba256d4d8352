// Which kind of customer each simulated router stands for. Most are quiet; the others are the
// cases a NOC must recognise on its overview (issue 9): an infected LAN host whose blocked
// attempts grow, a static-IP business customer with the block switched off, a router whose
// link drops and comes back, one whose firewall reports an error.
import { randomInt, type Random } from './random.ts';

export type Profile = 'quiet' | 'infected' | 'static' | 'flaky' | 'error';

export interface ProfileCounts {
  readonly infected: number;
  readonly static: number;
  readonly flaky: number;
  readonly errors: number;
}

/** The default mix for a fleet of `routers`: 3 % infected, 5 % static, 2 % flaky, one error. */
export function defaultCounts(routers: number): ProfileCounts {
  return {
    infected: Math.ceil(routers * 0.03),
    static: Math.ceil(routers * 0.05),
    flaky: Math.ceil(routers * 0.02),
    errors: routers > 0 ? 1 : 0,
  };
}

/**
 * One profile per router, spread over the fleet by a seeded shuffle. When the counts ask for
 * more than there are routers, the error router comes first, then infected, static and flaky.
 */
export function assignProfiles(routers: number, counts: ProfileCounts, random: Random): Profile[] {
  const order = Array.from({ length: routers }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const profiles: Profile[] = new Array<Profile>(routers).fill('quiet');
  let next = 0;
  const take = (profile: Profile, count: number): void => {
    for (let k = 0; k < count && next < routers; k++) profiles[order[next++]!] = profile;
  };
  take('error', counts.errors);
  take('infected', counts.infected);
  take('static', counts.static);
  take('flaky', counts.flaky);
  return profiles;
}

/**
 * The device id of router `index`: 12 hex digits like the agent's MAC-derived ids, with the
 * locally administered bit set (0x02...) so they never collide with a real router's MAC.
 */
export function simulatedDeviceId(index: number): string {
  return `02f5${index.toString(16).padStart(8, '0')}`;
}
