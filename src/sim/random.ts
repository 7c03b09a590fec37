// A seeded PRNG (mulberry32): the simulators and scenarios never use Math.random, so `--seed`
// repeats a run.
export type Rand = () => number;

export function seededRand(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length) % items.length]!;
}

export function between(rand: Rand, lo: number, hi: number): number {
  return Math.floor(lo + rand() * (hi - lo + 1));
}
