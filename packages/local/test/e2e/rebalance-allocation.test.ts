import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEGACY, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { readLastRebalance, readStoredPlan } from '@books/ledger-client';
import { daysFrom, openWorld, STRATEGIES_DIR } from './support';

const momentum = StrategyId('momentum');

/** The examples with momentum on `:rebalance-frequency :weekly`, at `allocations` (momentum, mean_reversion). */
function writeConfig(
  dir: string,
  allocations: readonly [string, string],
  flow: 'per-strategy' | 'legacy' = 'per-strategy',
): void {
  writeFileSync(
    join(dir, 'config.local.json'),
    JSON.stringify({
      capitalPolicy: { mode: 'drift', threshold: '0.10' },
      strategies: [
        { file: 'momentum.clj', allocation: allocations[0], flow },
        { file: 'mean_reversion.clj', allocation: allocations[1], flow },
        { file: 'breakout.clj', allocation: '0.40', flow: 'per-strategy' },
      ],
    }),
  );
}

function weeklyMomentum(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rebalance-allocation-'));
  for (const f of readdirSync(STRATEGIES_DIR).filter((f) => f.endsWith('.clj')))
    copyFileSync(join(STRATEGIES_DIR, f), join(dir, f));
  const source = readFileSync(join(STRATEGIES_DIR, 'momentum.clj'), 'utf8');
  const weekly = source.replace(
    '{:asset-class "EQUITIES",',
    '{:asset-class "EQUITIES", :rebalance-frequency :weekly,',
  );
  if (weekly === source) throw new Error('momentum.clj has no config map to set the frequency in');
  writeFileSync(join(dir, 'momentum.clj'), weekly);
  // 0.10 of the account unallocated: the pool can pay a raise of momentum's allocation at once.
  writeConfig(dir, ['0.30', '0.20']);
  return dir;
}

describe('a weekly book on the embedded stack: cash and trades only on due days, an allocation change is one', () => {
  jest.setTimeout(300_000);

  it('moves no cash on a not-due day, and trades its new allocation on the day it changes', async () => {
    const dir = weeklyMomentum();
    const world = await openWorld('rebal-alloc', { strategiesDir: dir });
    const runOf = (day: TradingDate) => runIdOf(world.services.env.BOOKS_STAGE, day);
    const item = async (day: TradingDate) =>
      (await world.services.runs.listRunItems(runOf(day)))?.strategies.find((s) => s.strategyId === momentum);
    const plan = (day: TradingDate) => readStoredPlan(world.services.table, runOf(day), momentum);
    const [mon, tue, wed, thu] = daysFrom('2024-09-16', 4);
    if (!mon || !tue || !wed || !thu) throw new Error('no sample days');

    // Monday: its first investment.
    await world.runDay(mon);
    expect((await plan(mon))?.capital.transfer?.amount.isPositive()).toBe(true);

    // Tuesday: not due: no transfer, no trade, the book's cash as it was.
    const cashBefore = (await world.services.books.readBook(momentum))?.cash.toString();
    await world.runDay(tue);
    expect(await item(tue)).toMatchObject({
      status: 'NOTHING_TO_DO',
      notDue: 'rebalances weekly: already rebalanced in 2024-W38 on 2024-09-16',
    });
    expect(await plan(tue)).toMatchObject({ sells: [], buys: [] });
    expect((await plan(tue))?.capital.transfer).toBeNull();
    expect((await world.services.books.readBook(momentum))?.cash.toString()).toBe(cashBefore);

    // Wednesday: its allocation goes from 0.30 to 0.38: due, topped up and traded that day.
    writeConfig(dir, ['0.38', '0.20']);
    await world.runDay(wed);
    expect((await item(wed))?.notDue).toBeUndefined();
    const topUp = await plan(wed);
    expect(topUp?.capital.transfer?.amount.isPositive()).toBe(true);
    // Paid in full (to the cent): the new allocation is recorded with the rebalance.
    expect((await readLastRebalance(world.services.table, momentum))?.allocation?.toString()).toBe('0.38');
    expect(topUp?.buys.length).toBeGreaterThan(0);

    // Thursday: the new allocation is its last rebalance's: not due again.
    await world.runDay(thu);
    expect(await item(thu)).toMatchObject({
      status: 'NOTHING_TO_DO',
      notDue: 'rebalances weekly: already rebalanced in 2024-W38 on 2024-09-18',
    });
  });
});

describe('a schedule on a merged-flow strategy on the embedded stack', () => {
  jest.setTimeout(300_000);

  it('is refused with the strategy and the setting named, and the merged flow trades the others', async () => {
    const dir = weeklyMomentum();
    writeConfig(dir, ['0.30', '0.20'], 'legacy');
    const world = await openWorld('rebal-legacy', { strategiesDir: dir });
    const [day] = daysFrom('2024-09-16', 1);
    if (!day) throw new Error('no sample day');
    await world.runDay(day);
    const run = runIdOf(world.services.env.BOOKS_STAGE, day);
    const items = (await world.services.runs.listRunItems(run))?.strategies ?? [];
    const refused = items.find((s) => s.strategyId === momentum);
    expect(refused?.status).toBe('FAILED');
    expect(refused?.error).toMatch(
      /^momentum: momentum\.clj sets :rebalance-frequency :weekly, which the legacy flow cannot honour .*books migrate momentum --to per-strategy/,
    );
    expect(items.find((s) => s.strategyId === StrategyId('mean_reversion'))?.status).toBe('SIGNALLED');
    // The merged flow bought mean_reversion's share for the legacy book; momentum contributed nothing.
    expect((await world.services.books.readBook(LEGACY))?.lots.length).toBeGreaterThan(0);
  });
});
