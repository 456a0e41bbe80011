import { LEGACY, Money, StrategyId, type TradingDate } from '@books/core';
import { LegacyRepository, loadBook } from '@books/ledger-client';
import { attributedPnl } from '@books/legacy';
import { positionsOf, valueBook } from '@books/portfolio';
import { BrokerMarket } from '@books/runtime';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom } from '../e2e/support';
import { openLegacyWorld, type TestStrategy } from './support';

const MOMENTUM = StrategyId('momentum');
const alone = (flow: 'legacy' | 'per-strategy'): TestStrategy[] => [
  { id: 'momentum', allocation: '0.50', flow, dsl: { example: 'momentum.clj' } },
];

/** Realized and unrealized P&L at the broker's latest prices: the strategy's own book, or its attributed share. */
async function pnlOf(world: LocalWorld, flow: 'legacy' | 'per-strategy') {
  const market = new BrokerMarket(world.services.broker);
  const sid = flow === 'legacy' ? LEGACY : MOMENTUM;
  const { book } = await loadBook(world.services.books, sid);
  const prices = await market.prices(positionsOf(book).map((p) => p.symbol));
  const valuation = valueBook(book, prices);
  if (flow === 'per-strategy')
    return { realized: valuation.realizedPnl.toCents(), unrealized: valuation.unrealizedPnl.toCents() };
  const [share] = attributedPnl({
    strategyIds: [MOMENTUM],
    trades: await world.services.trades.listLegacy(),
    signals: await new LegacyRepository(world.services.table).latestSignals(),
    legacy: valuation.positions,
  });
  return { realized: share?.realizedPnl ?? Money.ZERO, unrealized: share?.unrealizedPnl ?? Money.ZERO };
}

describe('per-strategy P&L from both flows', () => {
  it('agrees to the cent where the strategy’s trades agree: one strategy alone, traded by the LEGACY book or by its own', async () => {
    const days = daysFrom('2024-09-16', 20) as TradingDate[];
    const legacy = (await openLegacyWorld('pnl-legacy', alone('legacy'))).world;
    const own = (await openLegacyWorld('pnl-own', alone('per-strategy'))).world;
    for (const day of days) {
      await legacy.runDay(day);
      await own.runDay(day);
    }
    const legacyTrades = (await legacy.services.trades.listLegacy()).map(
      (t) => `${t.side} ${t.filledQty} ${t.symbol}`,
    );
    const ownTrades = (await own.services.trades.listByStrategy(MOMENTUM)).map(
      (t) => `${t.side} ${t.filledQty} ${t.symbol}`,
    );
    // Fills at one instant list by order id, which differs between the two stages: compare as sets.
    expect([...legacyTrades].sort()).toEqual([...ownTrades].sort());
    expect(ownTrades.some((t) => t.startsWith('sell'))).toBe(true);
    const [a, b] = [await pnlOf(legacy, 'legacy'), await pnlOf(own, 'per-strategy')];
    expect({ realized: a.realized.toString(), unrealized: a.unrealized.toString() }).toEqual({
      realized: b.realized.toString(),
      unrealized: b.unrealized.toString(),
    });
  }, 180_000);
});
