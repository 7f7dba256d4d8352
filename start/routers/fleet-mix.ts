// How many of each kind of customer a small demo fleet has. sim/profiles.ts's default mix is
// for thousands of routers (3 % infected...); a few dozen need a few of each to show anything.
import { assignProfiles, type Profile, type ProfileCounts } from '../../sim/profiles.ts';
import type { Random } from '../../sim/random.ts';

export function fleetMix(routers: number): ProfileCounts {
  const atLeast = (share: number, min: number): number =>
    Math.min(Math.max(min, Math.round(routers * share)), routers);
  return {
    infected: atLeast(0.08, 2),
    static: atLeast(0.1, 2),
    flaky: atLeast(0.06, 2),
    errors: 1,
  };
}

/** Which router is which: the first draw of the fleet's seeded random (tests repeat it). */
export function fleetProfiles(routers: number, random: Random): Profile[] {
  return assignProfiles(routers, fleetMix(routers), random);
}
