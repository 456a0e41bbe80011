import { KeyedChance, Seeded } from './harness/seeded';

describe('the fault suite’s seeded decisions', () => {
  it('replays the same sequence from the same seed, and another from another seed', () => {
    const sequence = (seed: number) => {
      const g = new Seeded(seed);
      return Array.from({ length: 8 }, () => g.int(0, 1_000_000));
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
  });

  it('decides a fault by the call’s identity and occurrence, whatever the stage and the order of calls', () => {
    const calls = [
      'PutItem RUN#s1-2024-09-16/INTENT#sb-m-SPY-b0-0123456789abcdef0123',
      'GetItem LOCK#SYMBOL#SPY/LOCK',
    ];
    const decide = (stage: string, order: string[]) => {
      const chance = new KeyedChance(42, stage);
      const out = new Map<string, boolean[]>();
      for (const call of order) {
        const stable = call
          .replace('s1', stage)
          .replace('0123456789abcdef0123', stage === 's1' ? '0123456789abcdef0123' : 'fedcba9876543210fedc');
        out.set(call, [...(out.get(call) ?? []), chance.chance('throttle', stable, 0.5)]);
      }
      return [...out.entries()].sort();
    };
    const order = [...calls, ...calls, ...calls];
    expect(decide('s1', order)).toEqual(decide('other-stage', [...order].reverse()));
  });

  it('decides the same for a call whose keys hold a different random trade id', () => {
    const call = (tradeId: string) =>
      `TransactWriteItems STRATEGY#m#TRADE#${tradeId}/METADATA STRATEGY#m#BOOK/CASH`;
    const decisions = (tradeId: string) => {
      const chance = new KeyedChance(31337, 'stage');
      return Array.from({ length: 16 }, (_, i) => chance.chance(`version${i}`, call(tradeId), 0.5));
    };
    expect(decisions('2953082a-8e59-4c88-b507-3de670533bcf')).toEqual(
      decisions('e2142617-5a15-4c55-ad30-26e488624f9c'),
    );
  });

  it('injects with about the probability asked', () => {
    const chance = new KeyedChance(1, 'stage');
    const hits = Array.from({ length: 2000 }, (_, i) => chance.chance('x', `call ${i}`, 0.25)).filter(
      Boolean,
    );
    expect(hits.length).toBeGreaterThan(400);
    expect(hits.length).toBeLessThan(600);
  });
});
