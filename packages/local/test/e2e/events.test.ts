import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIdOf, type StrategyId, type TradingDate } from '@books/core';
import type { EventPublisher, StageEvent } from '@books/events';
import { OutboxRepository } from '@books/ledger-client';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { strategiesDirWith } from '../legacy/support';
import { daysFrom, openWorld, STRATEGIES_DIR, STRATEGY_IDS } from './support';

/** Every fill of a run as the ledger records it, by client order id. */
async function fillsOf(world: LocalWorld, date: TradingDate) {
  const runId = runIdOf(world.services.env.BOOKS_STAGE, date);
  const trades = (
    await Promise.all(STRATEGY_IDS.map((sid: StrategyId) => world.services.trades.listByStrategy(sid)))
  )
    .flat()
    .filter((t) => t.runId === runId);
  return new Map(trades.map((t) => [t.clientOrderId as string, t]));
}

function tradeEvents(events: readonly StageEvent[], runId: string) {
  return events.flatMap((e) => (e.type === 'TradeExecuted' && e.detail.runId === runId ? [e] : []));
}

describe("a daily cycle's events on the embedded stage", () => {
  jest.setTimeout(300_000);

  it('publishes one TradeExecuted per recorded fill, then RunCompleted, and writes the digest', async () => {
    const notifications = mkdtempSync(join(tmpdir(), 'books-notifications-'));
    const world = await openWorld('e2eevents', { notificationsDir: notifications });
    const days = daysFrom('2024-09-16', 3);
    let fillCount = 0;
    for (const day of days) {
      await world.runDay(day);
      const runId = runIdOf(world.services.env.BOOKS_STAGE, day);
      const fills = await fillsOf(world, day);
      fillCount += fills.size;
      const published = world.events.published;
      const trades = tradeEvents(published, runId);
      // Deduplicable: one id per client order, each the fill the ledger recorded.
      const byId = new Map(trades.map((e) => [e.id, e]));
      expect([...byId.values()].map((e) => e.detail.clientOrderId).sort()).toEqual([...fills.keys()].sort());
      for (const e of byId.values()) {
        const trade = fills.get(e.detail.clientOrderId);
        expect(e.id).toBe(`TradeExecuted:${e.detail.clientOrderId}`);
        expect(e.detail.quantity.toString()).toBe(trade?.filledQty.toString());
        expect(e.detail.price.toString()).toBe(trade?.fillPrice.toString());
        expect(e.detail.strategyId).toBe(trade?.strategyId);
      }
      // RunCompleted once the run's fills are all out.
      const completedAt = published.findIndex((e) => e.id === `RunCompleted:${runId}`);
      expect(completedAt).toBeGreaterThan(-1);
      const lastTrade = Math.max(-1, ...trades.map((e) => published.indexOf(e)));
      expect(completedAt).toBeGreaterThan(lastTrade);
      expect(await new OutboxRepository(world.services.table).pending(runId)).toEqual([]);

      const text = readFileSync(join(notifications, `${day}-digest.txt`), 'utf8');
      const html = readFileSync(join(notifications, `${day}-digest.html`), 'utf8');
      for (const sid of STRATEGY_IDS) {
        expect(text).toContain(sid);
        expect(html).toContain(sid);
      }
      expect(text).toMatch(/P&L day -?\d+\.\d\d {2}month -?\d+\.\d\d {2}year -?\d+\.\d\d/);
      expect(html).toContain('P&amp;L day');
      expect(text).toContain(`run ${runId}: DISPATCHED`);
    }
    // The first day funds and buys every book: the check above saw fills.
    expect(fillCount).toBeGreaterThan(0);
    expect(world.events.targetErrors).toEqual([]);
  });

  it('never loses a fill to a bus outage: the fill is recorded, and the redelivery publishes its event', async () => {
    let refusals = 3;
    const outage = (bus: EventPublisher): EventPublisher => ({
      publish: async (events) => {
        if (events.some((e) => e.type === 'TradeExecuted') && refusals > 0) {
          refusals--;
          throw new Error('the bus is down (test)');
        }
        await bus.publish(events);
      },
    });
    const world = await openWorld('e2eoutage', {
      inject: {
        services: (fn, base) => (fn === 'execution' ? { ...base, events: outage(base.events) } : base),
      },
    });
    const [day] = daysFrom('2024-09-16', 1);
    if (!day) throw new Error('no sample day');
    await world.runDay(day);
    expect(refusals).toBe(0);
    const runId = runIdOf(world.services.env.BOOKS_STAGE, day);
    const fills = await fillsOf(world, day);
    expect(fills.size).toBeGreaterThan(0);
    const run = await world.services.runs.listRunItems(runId);
    expect(run?.intents.every((i) => ['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED'].includes(i.state))).toBe(
      true,
    );
    const ids = new Set(
      tradeEvents(world.events.published, runId).map((e) => e.detail.clientOrderId as string),
    );
    expect([...ids].sort()).toEqual([...fills.keys()].sort());
    expect(await new OutboxRepository(world.services.table).pending(runId)).toEqual([]);
  });

  it('alerts a failing strategy once over the runs it fails, then its recovery, beside the digests', async () => {
    const notifications = mkdtempSync(join(tmpdir(), 'books-alerts-'));
    const strategiesDir = strategiesDirWith([
      {
        id: 'momentum',
        allocation: '0.30',
        flow: 'per-strategy',
        dsl: { text: '(defsymphony "broken" {}\n  (weight-equal [(momentum "SPY")]))\n' },
      },
      { id: 'breakout', allocation: '0.40', flow: 'per-strategy', dsl: { example: 'breakout.clj' } },
    ]);
    const world = await openWorld('e2ealerts', {
      strategiesDir,
      configFile: 'config.local.json',
      notificationsDir: notifications,
    });
    const [first, second, third] = daysFrom('2024-09-16', 3);
    if (!first || !second || !third) throw new Error('no sample days');
    await world.runDay(first);
    await world.runDay(second);
    // Fixed: the next run plans it again.
    copyFileSync(join(STRATEGIES_DIR, 'momentum.clj'), join(strategiesDir, 'momentum.clj'));
    await world.runDay(third);
    const alerts = readdirSync(notifications)
      .filter((f) => f.includes('-alert-') && f.endsWith('.txt'))
      .sort();
    expect(alerts).toEqual([
      `${first}-alert-strategy-momentum-failure.txt`,
      `${third}-alert-strategy-momentum-recovery.txt`,
    ]);
    expect(readFileSync(join(notifications, alerts[0] ?? ''), 'utf8')).toContain('UNKNOWN_OPERATOR');
    for (const day of [first, second, third])
      expect(existsSync(join(notifications, `${day}-digest.txt`))).toBe(true);
    expect(world.events.targetErrors).toEqual([]);
  });
});
