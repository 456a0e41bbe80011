import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaperBroker } from '@books/broker';
import { ManualClock, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { readStoredPlan } from '@books/ledger-client';
import { applyControl, type ControlCommand } from '@books/runtime';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { daysFrom, openWorld, STRATEGIES_DIR } from './support';

const momentum = StrategyId('momentum');
const meanReversion = StrategyId('mean_reversion');
const breakout = StrategyId('breakout');

/**
 * The example strategies with limits: a cap on momentum that keeps one of its two funding BUYs
 * (each ~14550), a hair-trigger drawdown stop on breakout.
 */
function strategiesWithLimits(): string {
  const dir = mkdtempSync(join(tmpdir(), 'controls-strategies-'));
  for (const f of readdirSync(STRATEGIES_DIR).filter((f) => f.endsWith('.clj')))
    copyFileSync(join(STRATEGIES_DIR, f), join(dir, f));
  writeFileSync(
    join(dir, 'config.local.json'),
    JSON.stringify({
      capitalPolicy: { mode: 'drift', threshold: '0.10' },
      limits: { concentrationWarning: '0.05' },
      strategies: [
        {
          file: 'momentum.clj',
          allocation: '0.30',
          flow: 'per-strategy',
          limits: { dailyNotionalCap: '20000' },
        },
        { file: 'mean_reversion.clj', allocation: '0.30', flow: 'per-strategy' },
        {
          file: 'breakout.clj',
          allocation: '0.40',
          flow: 'per-strategy',
          limits: { drawdownStop: { maxDrawdown: '0.0001', action: 'pause' } },
        },
      ],
    }),
  );
  return dir;
}

describe('trader controls over daily cycles on the embedded stack', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  let n = 0;
  const clock = new ManualClock('2024-09-16T12:00:00Z');
  const control = (c: Omit<ControlCommand, 'by'> & { strategyId?: StrategyId }) =>
    applyControl(
      { store: world.services.controls, ledger: world.services.controlLedger, clock, newId: () => `c${++n}` },
      { ...c, by: 'e2e-operator' } as ControlCommand,
    );
  const runOf = (day: TradingDate) => runIdOf(world.services.env.BOOKS_STAGE, day);
  const strategy = async (day: TradingDate, sid: StrategyId) =>
    (await world.services.runs.listRunItems(runOf(day)))?.strategies.find((s) => s.strategyId === sid);

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'controls-home-'));
    world = await openWorld('controls', {
      strategiesDir: strategiesWithLimits(),
      flowFlagsFile: join(home, 'flow-flags.json'),
    });
  });

  it('caps, pauses, liquidates, halts queued messages and latches a drawdown stop', async () => {
    const [d1, d2, d3, d4, d5, d6, d7, ...more] = daysFrom('2024-09-16', 30);
    if (!d1 || !d2 || !d3 || !d4 || !d5 || !d6 || !d7) throw new Error('no sample days');

    // Day 1: momentum's funding BUYs pass its cap of 20000: one is kept, the other suppressed.
    await world.runDay(d1);
    const capped = await readStoredPlan(world.services.table, runOf(d1), momentum);
    expect(capped?.buys).toHaveLength(1);
    expect(capped?.suppressed.filter((t) => t.reason === 'over-notional-cap')).toHaveLength(1);

    // Day 2: momentum paused: not dispatched, its positions kept.
    const held = (await world.services.books.readBook(momentum))?.lots.length;
    await control({ action: 'pause', strategyId: momentum, reason: 'earnings week' });
    await world.runDay(d2);
    expect(await strategy(d2, momentum)).toMatchObject({
      status: 'SKIPPED',
      skipReason: expect.stringMatching(/^paused: paused by e2e-operator at .*: earnings week$/),
    });
    expect((await world.services.books.readBook(momentum))?.lots.length).toBe(held);
    // The account's positions after day 1 pass the 5% concentration share: the run warns.
    const meta = (await world.services.runs.listRunItems(runOf(d2)))?.meta;
    expect(meta?.planJson).toContain('concentration:');

    // Day 3: mean_reversion liquidated: every lot sold, no BUY; day 4's run finds it flat and
    // records the liquidation complete; from then on it is paused.
    await control({ action: 'liquidate', strategyId: meanReversion, reason: 'retired' });
    await world.runDay(d3);
    const liquidation = await readStoredPlan(world.services.table, runOf(d3), meanReversion);
    expect(liquidation?.buys).toEqual([]);
    expect((await world.services.books.readBook(meanReversion))?.lots).toEqual([]);
    await world.runDay(d4);
    expect((await strategy(d4, meanReversion))?.status).toBe('NOTHING_TO_DO');
    expect(await readStoredPlan(world.services.table, runOf(d4), meanReversion)).toMatchObject({
      sells: [],
      buys: [],
    });

    // Day 5: a halt set while the run's messages are queued: none reaches the broker.
    await control({ action: 'resume', strategyId: momentum, reason: 'earnings done' });
    await world.planDay(d5);
    await control({ action: 'halt', reason: 'broker incident' });
    await drainQueue(
      world.services.clients.sqs,
      world.executionQueueUrl,
      world.functions.execution,
      world.services.logger,
      {
        retryDelaySeconds: 0,
      },
    );
    const intents = (await world.services.runs.listRunItems(runOf(d5)))?.intents ?? [];
    expect(intents.length).toBeGreaterThan(0);
    for (const i of intents) {
      expect(i.state).toBe('CANCELED');
      expect(i.reason).toMatch(
        /^canceled unplaced: the account is halted \(halted by e2e-operator .*broker incident\)/,
      );
    }
    // Day 6: still halted: no run is planned, and the skip says why.
    expect(await world.planDay(d6)).toMatchObject({ plan: { proceed: false } });
    await control({ action: 'resume-account', reason: 'incident resolved' });

    // Breakout's hair-trigger stop latched on its first losing day: it stays paused until resumed.
    expect((await world.services.controlLedger.drawdown(breakout))?.latched).toBeDefined();
    await world.runDay(d7);
    expect((await strategy(d7, breakout))?.skipReason).toMatch(/^paused: drawdown stop latched/);
    expect((await strategy(d7, meanReversion))?.skipReason).toMatch(
      new RegExp(`liquidated in run ${runOf(d4)}$`),
    );
    await control({ action: 'resume', strategyId: breakout, reason: 'reviewed' });
    expect(await world.services.controlLedger.drawdown(breakout)).toBeUndefined();
    const [d8] = more;
    if (!d8) throw new Error('no sample day');
    await world.runDay(d8);
    expect((await strategy(d8, breakout))?.status).not.toBe('SKIPPED');
    // The resume cleared a latch: d8 restarted the high-water mark from the book's equity then.
    const restarted = await world.services.controlLedger.drawdown(breakout);
    expect(restarted).toMatchObject({ markedBy: runOf(d8) });
    expect(restarted?.latched).toBeUndefined();
    // A plain pause and resume keeps that mark.
    await control({ action: 'pause', strategyId: breakout, reason: 'news' });
    await control({ action: 'resume', strategyId: breakout, reason: 'news digested' });
    expect(await world.services.controlLedger.drawdown(breakout)).toEqual(restarted);

    const actions = (await world.services.controlLedger.changes(20)).map((c) => `${c.action} ${c.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'pause momentum',
        'liquidate mean_reversion',
        'liquidated mean_reversion',
        'resume momentum',
        'halt ACCOUNT',
        'resume-account ACCOUNT',
        'drawdown-stop breakout',
        'resume breakout',
      ]),
    );
  });

  it('keeps a book liquidating while its SELLs are rejected, sells the rest at the next run, then pauses it', async () => {
    const own = await openWorld('controls-liq', {
      flowFlagsFile: join(mkdtempSync(join(tmpdir(), 'controls-liq-home-')), 'flow-flags.json'),
    });
    const broker = own.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    const ownRun = (day: TradingDate) => runIdOf(own.services.env.BOOKS_STAGE, day);
    const ownStrategy = async (day: TradingDate, sid: StrategyId) =>
      (await own.services.runs.listRunItems(ownRun(day)))?.strategies.find((s) => s.strategyId === sid);
    const ownControl = (c: Omit<ControlCommand, 'by'> & { strategyId?: StrategyId }) =>
      applyControl(
        { store: own.services.controls, ledger: own.services.controlLedger, clock, newId: () => `l${++n}` },
        { ...c, by: 'e2e-operator' } as ControlCommand,
      );
    const [d1, d2, d3, d4, d5] = daysFrom('2024-09-16', 5);
    if (!d1 || !d2 || !d3 || !d4 || !d5) throw new Error('no sample days');
    await own.runDay(d1);
    const lots = (await own.services.books.readBook(meanReversion))?.lots.length ?? 0;
    const symbols = new Set((await own.services.books.readBook(meanReversion))?.lots.map((l) => l.symbol));
    expect(lots).toBeGreaterThan(0);

    // Day 2: every order of the day is rejected by the broker: the book keeps its lots, still liquidating.
    const request = await ownControl({ action: 'liquidate', strategyId: meanReversion, reason: 'retired' });
    broker.faults.inject({ kind: 'wash-trade', count: Number.POSITIVE_INFINITY });
    await own.runDay(d2);
    broker.faults.clear();
    const rejected = (await own.services.runs.listRunItems(ownRun(d2)))?.intents.filter(
      (i) => i.strategyId === meanReversion,
    );
    expect(rejected?.length).toBeGreaterThan(0);
    expect(rejected?.every((i) => i.state === 'REJECTED')).toBe(true);
    expect((await own.services.books.readBook(meanReversion))?.lots.length).toBe(lots);
    expect(await own.services.controlLedger.liquidation(meanReversion, request.id)).toBeUndefined();

    // Day 3: still liquidating: the run sells what is left, and the book is flat.
    await own.runDay(d3);
    expect(await ownStrategy(d3, meanReversion)).toMatchObject({ status: 'PLANNED' });
    expect((await readStoredPlan(own.services.table, ownRun(d3), meanReversion))?.sells).toHaveLength(
      symbols.size,
    );
    expect((await own.services.books.readBook(meanReversion))?.lots).toEqual([]);

    // Day 4: the run finds nothing to sell: the liquidation is complete, recorded by the system.
    await own.runDay(d4);
    expect(await own.services.controlLedger.liquidation(meanReversion, request.id)).toBe(ownRun(d4));
    const done = (await own.services.controlLedger.changes(50)).find(
      (c) => c.action === 'liquidated' && c.target === meanReversion,
    );
    expect(done).toMatchObject({ by: 'system', runId: ownRun(d4) });
    expect(done?.reason).toMatch(/^liquidation complete: /);

    // Day 5: paused.
    await own.runDay(d5);
    expect(await ownStrategy(d5, meanReversion)).toMatchObject({
      status: 'SKIPPED',
      skipReason: expect.stringMatching(/^paused: liquidate by e2e-operator .*retired; liquidated in run /),
    });
  });
});
