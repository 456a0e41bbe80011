import { LEGACY, Money, runIdOf, StrategyId, type TradingDate } from '@books/core';
import { loadBook } from '@books/ledger-client';
import { checkInvariants, daysFrom } from '../e2e/support';
import { openLegacyWorld, STATIC_STRATEGIES } from './support';

const IDS = STATIC_STRATEGIES.map((s) => StrategyId(s.id));
const BALANCED = StrategyId('balanced');

describe('a flow flag flipped without migrating', () => {
  it('is refused with the command that fixes it, and neither side sells or buys the strategy’s share', async () => {
    const { world } = await openLegacyWorld('legacy-guard', STATIC_STRATEGIES);
    const days = daysFrom('2024-04-01', 3) as TradingDate[];
    const [first, second] = days;
    if (!first || !second) throw new Error('no sample days');
    await world.runDay(first);
    const before = (await loadBook(world.services.books, LEGACY)).book.lots;

    await world.services.flows.set(BALANCED, 'per-strategy');
    await world.runDay(second);
    const run = await world.services.runs.listRunItems(runIdOf(world.services.env.BOOKS_STAGE, second));
    const balanced = run?.strategies.find((s) => s.strategyId === BALANCED);
    expect(balanced?.status).toBe('SKIPPED');
    expect(balanced?.skipReason).toMatch(
      /holdings of balanced are in the legacy book .*books migrate balanced --to per-strategy/,
    );
    expect(run?.intents).toEqual([]);
    expect((await loadBook(world.services.books, LEGACY)).book.lots).toEqual(before);
    expect((await loadBook(world.services.books, BALANCED)).book.lots).toEqual([]);
    expect(await checkInvariants(world.services, Money.parse('100000'), { strategyIds: IDS })).toEqual([]);
  }, 120_000);
});
