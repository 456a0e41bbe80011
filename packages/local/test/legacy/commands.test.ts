import type { Output } from '@books/cli';
import { runFlows, runMigrate, runPnl, runShadowReport } from '@books/cli';
import { StrategyId, type TradingDate } from '@books/core';
import { LegacyRepository } from '@books/ledger-client';
import type { QueryContext } from '@books/operator';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, SAMPLE_DAYS } from '../e2e/support';
import { openLegacyWorld, STATIC_STRATEGIES } from './support';

describe('books flows, migrate, shadow-report and pnl on a merged-flow ledger', () => {
  jest.setTimeout(180_000);
  let world: LocalWorld;
  const [day1, day2, day3] = daysFrom('2024-05-01', 3) as [TradingDate, TradingDate, TradingDate];

  beforeAll(async () => {
    ({ world } = await openLegacyWorld('legacy-cli', STATIC_STRATEGIES));
    await world.services.flows.set(StrategyId('gold_tilt'), 'shadow');
    await world.runDay(day1);
    await world.runDay(day2);
  });

  const ctx = (): QueryContext => ({
    services: world.services,
    stage: world.services.env.BOOKS_STAGE,
    strategyIds: STATIC_STRATEGIES.map((s) => StrategyId(s.id)),
    calendar: SAMPLE_DAYS,
    lastRunDate: day2,
    now: new Date(),
  });

  async function run(command: (c: QueryContext, io: Output) => Promise<number>) {
    let out = '';
    let err = '';
    const code = await command(ctx(), { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  it('books flows shows each strategy’s config flow, its flag and where it came from', async () => {
    const r = await run((c, io) => runFlows(c, { json: true }, io));
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out).strategies as {
      strategyId: string;
      configFlow: string;
      effective: string;
      source: string;
    }[];
    expect(
      rows.map((x) => [
        x.strategyId,
        x.configFlow,
        x.effective,
        x.source.startsWith('file:') ? 'flag' : x.source,
      ]),
    ).toEqual([
      ['balanced', 'legacy', 'legacy', 'config'],
      ['gold_tilt', 'legacy', 'shadow', 'flag'],
      ['bonds_ladder', 'legacy', 'legacy', 'config'],
    ]);
  });

  it('books shadow-report compares the legacy-attributed target with the shadow strategy’s own, per symbol', async () => {
    const r = await run((c, io) => runShadowReport(c, { json: false }, io));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`gold_tilt  run ${world.services.env.BOOKS_STAGE}-${day2}`);
    expect(r.out).toMatch(/GLD\s+\d+\.\d\d/);
    expect(r.out).toContain('its own plan would:    trade nothing');
  });

  it('books pnl lists the LEGACY book and labels the merged-flow strategies’ shares as attributed', async () => {
    const r = await run((c, io) => runPnl(c, { json: false }, io));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LEGACY\s/);
    expect(r.out).toContain('attributed shares of the LEGACY book');
    const json = await run((c, io) => runPnl(c, { json: true }, io));
    const attributed = JSON.parse(json.out).attributed as { strategyId: string; attributed: boolean }[];
    expect(attributed.map((a) => [a.strategyId, a.attributed])).toEqual([
      ['balanced', true],
      ['gold_tilt', true],
      ['bonds_ladder', true],
    ]);
  });

  it('books migrate --dry-run prints the transfers and writes nothing; an unknown strategy is refused', async () => {
    const dry = await run((c, io) =>
      runMigrate(c, { strategy: 'gold_tilt', to: 'per-strategy', dryRun: true, json: false }, io),
    );
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/would migrate gold_tilt to per-strategy/);
    expect(dry.out).toMatch(/transfer {2}\d+(\.\d+)? SPY {2}cost basis/);
    expect(dry.out).toContain('flag: would set gold_tilt = per-strategy');
    expect((await world.services.books.lots(StrategyId('gold_tilt'))).length).toBe(0);
    const unknown = await run((c, io) =>
      runMigrate(c, { strategy: 'nope', to: 'legacy', dryRun: false, json: false }, io),
    );
    expect(unknown).toMatchObject({ code: 2, err: expect.stringContaining('nope is not a strategy') });
  });

  it('books migrate refuses while the last run still has trades to execute, and writes nothing', async () => {
    const fresh = (await openLegacyWorld('legacy-cli-busy', STATIC_STRATEGIES)).world;
    await fresh.planDay(day3);
    let err = '';
    const code = await runMigrate(
      { ...ctx(), services: fresh.services, stage: fresh.services.env.BOOKS_STAGE, lastRunDate: day3 },
      { strategy: 'gold_tilt', to: 'per-strategy', dryRun: false, json: false },
      { out: () => undefined, err: (t) => (err += t) },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/run .* is not complete \(.*\): migrate between runs/);
    expect(
      await new LegacyRepository(fresh.services.table).flowMarker(StrategyId('gold_tilt')),
    ).toBeUndefined();
    expect((await fresh.services.flows.read()).size).toBe(0);
  });
});
