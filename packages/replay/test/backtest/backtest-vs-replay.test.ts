import { createLogger, marketTimeToInstant, StrategyId, TradingDate } from '@books/core';
import { strategyPnl } from '@books/operator';
import type { Services } from '@books/runtime';
import { daysFrom, STRATEGY_IDS } from '@books/testkit';
import { runBacktest } from '../../src/backtest/engine';
import { runReplay } from '../../src/replay/engine';
import { replayOptions } from '../replay/support';

/** A month of trading days of the sample bars (21 from 2024-03-01). */
const MONTH = daysFrom('2024-03-01', 21);

/**
 * The simulated broker's order ids are random UUIDs (as Alpaca's are): the one thing two runs of
 * the same days do not share. They are replaced, wherever they appear, and trades of one instant
 * (ordered by order id in the ledger's index) are put in client order id order, which is a pure
 * function of the trade's identity.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
function withoutOrderIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(UUID, '<broker order id>'));
}
function byInstantAndClientId<T extends { filledAt: string; clientOrderId: string }>(
  trades: readonly T[],
): T[] {
  return trades.toSorted((a, b) =>
    a.filledAt === b.filledAt
      ? a.clientOrderId.localeCompare(b.clientOrderId)
      : a.filledAt.localeCompare(b.filledAt),
  );
}

/** Everything a book is made of, to the last decimal, read through the ledger's repositories. */
async function ledgerView(services: Services) {
  const range = {
    from: marketTimeToInstant(TradingDate(MONTH[0] ?? ''), '00:00').toISOString(),
    to: marketTimeToInstant(TradingDate(MONTH[MONTH.length - 1] ?? ''), '23:59').toISOString(),
  };
  const view: Record<string, unknown> = {};
  for (const sid of [...STRATEGY_IDS, StrategyId('LEGACY')]) {
    const [trades, book, pnl] = await Promise.all([
      services.trades.listByStrategy(sid, range),
      services.books.readBook(sid),
      strategyPnl(services, sid),
    ]);
    // JSON: the decimals as their strings, so equality is to the cent (and beyond).
    view[sid] = withoutOrderIds({ trades: byInstantAndClientId(trades), book, pnl });
  }
  view.account = withoutOrderIds(await services.broker.getAccount());
  view.positions = withoutOrderIds(await services.broker.getPositions());
  return view;
}

describe('books backtest against books replay', () => {
  jest.setTimeout(900_000);

  it('gives the same trades, books, P&L, account and daily summary to the cent over a month of the examples', async () => {
    const options = replayOptions('bt-vs-replay', MONTH);
    const replay = await runReplay(options);
    expect(replay.complete).toBe(true);
    const backtest = await runBacktest({
      args: options.args,
      // The same stage name: the same run ids, client order ids and order ids as the replay.
      stage: options.stage,
      logger: createLogger(
        { service: 'backtest-test' },
        { level: 'warn', destination: { write: () => true } },
      ),
    });
    expect(backtest.complete).toBe(true);

    const replayed = await ledgerView(replay.services);
    const backtested = await ledgerView(backtest.services);
    const tradeCount = STRATEGY_IDS.reduce(
      (n, sid) => n + ((replayed[sid] as { trades: unknown[] }).trades.length ?? 0),
      0,
    );
    expect(tradeCount).toBeGreaterThan(10);
    expect(backtested).toEqual(replayed);
    expect(backtest.summary).toEqual(replay.summary);
    expect(withoutOrderIds(backtest.days)).toEqual(withoutOrderIds(replay.days));
    expect(backtest.summary.reconciliation).toMatchObject({ days: 21, matchDays: 21, breakDays: 0 });
  });
});
