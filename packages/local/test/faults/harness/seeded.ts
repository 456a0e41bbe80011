/**
 * A seeded generator (mulberry32): the same seed gives the same faults, deliveries and orders, so
 * a failing scenario is replayed by its seed. `FAULT_SEED=<n>` overrides every scenario's default.
 */
export class Seeded {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i];
      const b = out[j];
      if (a === undefined || b === undefined) continue;
      out[i] = b;
      out[j] = a;
    }
    return out;
  }
}

/** The scenario's seed: FAULT_SEED when set (to replay a failure), else the scenario's default. */
export function scenarioSeed(defaultSeed: number): number {
  const given = process.env.FAULT_SEED;
  if (given === undefined || given === '') return defaultSeed;
  const seed = Number.parseInt(given, 10);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULT_SEED must be an integer, got "${given}"`);
  return seed;
}

/**
 * Fault decisions that depend only on the seed, the kind of fault and the call's identity with
 * its occurrence number, not on how concurrent calls happened to interleave: the same seed
 * injects the same faults into the same calls.
 */
export class KeyedChance {
  private readonly seen = new Map<string, number>();

  /** `stage`: the world's (random) stage name, left out of identities with the ids it hashes into. */
  constructor(
    readonly seed: number,
    private readonly stage: string,
  ) {}

  /** Whether the `identity`'s next occurrence gets fault `kind`, with `probability`. */
  chance(kind: string, identity: string, probability: number): boolean {
    // Run ids embed the stage, client order ids a digest of the run id, and trade ids are random
    // UUIDs: none of them may decide, or the same seed would fault different calls on every run.
    const stable = identity
      .split(this.stage)
      .join('STAGE')
      .replace(/-[0-9a-f]{20}\b/g, '')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
    const id = `${kind}|${stable}`;
    const occurrence = this.seen.get(id) ?? 0;
    this.seen.set(id, occurrence + 1);
    return new Seeded(this.seed ^ fnv1a(`${id}|${occurrence}`)).next() < probability;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
