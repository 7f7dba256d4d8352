// A small seeded PRNG (mulberry32), so that a fleet built with the same --seed has the same
// routers, profiles and schedule decisions; Math.random would make runs impossible to compare.
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 16 lower-case hex digits, the shape of the agent's boot id. */
export function randomHex16(random: Random): string {
  let text = '';
  for (let i = 0; i < 4; i++)
    text += Math.floor(random() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return text;
}

/** An integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
