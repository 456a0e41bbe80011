import { runPnl, runPositions, runRuns, runTrades } from '@books/cli';
import { marketTimeToInstant, type TradingDate } from '@books/core';
import type { QueryContext } from '@books/operator';
import * as z from 'zod';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

/**
 * `books positions|pnl|trades|runs` on a real ledger: two complete days on one stage, and on a
 * second stage a first day planned whose queue is never drained — a run STUCK after the close.
 */
describe('the query commands on a real run', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  let stuckWorld: LocalWorld;
  const [day1, day2] = daysFrom('2024-05-01', 2) as [TradingDate, TradingDate];
  const afterClose = marketTimeToInstant(day2, '18:00');

  beforeAll(async () => {
    world = await openWorld('qcli');
    await world.runDay(day1);
    await world.runDay(day2);
    stuckWorld = await openWorld('qcli-stuck');
    await stuckWorld.planDay(day1);
  });

  function ctx(w: LocalWorld, now: Date): QueryContext {
    return {
      services: w.services,
      stage: w.services.env.BOOKS_STAGE,
      strategyIds: STRATEGY_IDS,
      calendar: SAMPLE_DAYS,
      lastRunDate: day2,
      now,
    };
  }

  type Command = (c: QueryContext, io: { out(t: string): void; err(t: string): void }) => Promise<number>;

  async function run(command: Command, options: { world?: LocalWorld; now?: Date } = {}) {
    let out = '';
    let err = '';
    const code = await command(ctx(options.world ?? world, options.now ?? afterClose), {
      out: (t) => (out += t),
      err: (t) => (err += t),
    });
    return { code, out, err };
  }

  const stage = () => world.services.env.BOOKS_STAGE;
  const stuckStage = () => stuckWorld.services.env.BOOKS_STAGE;

  it('books positions prints every strategy with its holdings', async () => {
    const r = await run((c, io) => runPositions(c, { json: false }, io));
    expect(r.code).toBe(0);
    for (const sid of STRATEGY_IDS) expect(r.out).toContain(`■ ${sid}`);
    expect(r.out).toMatch(/symbol\s+qty\s+avg cost\s+cost basis\s+lots/);
  });

  it('books positions --strategy S --json gives only that strategy, quantities as stored', async () => {
    const sid = STRATEGY_IDS[0] ?? '';
    const r = await run((c, io) => runPositions(c, { strategy: sid, json: true }, io));
    const parsed = z
      .object({
        strategies: z.array(
          z.object({ strategyId: z.string(), positions: z.array(z.object({ qty: z.string() })) }),
        ),
      })
      .parse(JSON.parse(r.out));
    expect(parsed.strategies.map((s) => s.strategyId)).toEqual([sid]);
  });

  it('books positions rejects an invalid strategy id', async () => {
    const r = await run((c, io) => runPositions(c, { strategy: 'Not An Id!', json: false }, io));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^books positions: /);
  });

  it('books pnl prints money to the cent, totals, and the ledger check of each book', async () => {
    const r = await run((c, io) => runPnl(c, { json: false }, io));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /strategy\s+transfers\s+cash\s+positions\s+equity\s+realized\s+unrealized\s+ledger/,
    );
    for (const sid of STRATEGY_IDS) expect(r.out).toMatch(new RegExp(`${sid}\\s+-?\\d+\\.\\d{2}\\s`));
    expect(r.out).toMatch(/^total {2}transfers \d+\.\d{2} {2}equity \d+\.\d{2}/m);
    expect(r.out.match(/ok \(\d+ trades\)/g)).toHaveLength(STRATEGY_IDS.length);
  });

  it('books pnl --json: equity = positions + cash for each strategy; --prices marks the positions', async () => {
    const Cents = z.string().regex(/^-?\d+\.\d{2}$/);
    const Schema = z.object({
      strategies: z.array(
        z.object({
          strategyId: z.string(),
          cash: Cents,
          marketValue: Cents,
          equity: Cents,
          positions: z.array(z.object({ symbol: z.string(), price: z.string() })),
          ledgerCheck: z.object({ matches: z.boolean() }),
        }),
      ),
    });
    const parsed = Schema.parse(JSON.parse((await run((c, io) => runPnl(c, { json: true }, io))).out));
    for (const s of parsed.strategies) {
      expect(s.ledgerCheck.matches).toBe(true);
      expect(Math.abs(Number(s.equity) - Number(s.cash) - Number(s.marketValue))).toBeLessThanOrEqual(0.011);
    }
    const held = parsed.strategies.flatMap((s) => s.positions.map((p) => p.symbol));
    const prices = [...new Set(held)].map((s) => `${s}=1`).join(',');
    const marked = Schema.parse(
      JSON.parse((await run((c, io) => runPnl(c, { json: true, prices }, io))).out),
    );
    for (const s of marked.strategies) for (const p of s.positions) expect(p.price).toBe('1');
  });

  it('books pnl refuses malformed --prices', async () => {
    const r = await run((c, io) => runPnl(c, { json: false, prices: 'SPY:400' }, io));
    expect(r.code).toBe(2);
    expect(r.err).toContain('SYMBOL=PRICE');
  });

  it('books trades --from/--to lists the fills of those days only, in time order, with a summary', async () => {
    const one = await run((c, io) => runTrades(c, { from: day1, to: day1, json: true }, io));
    const both = await run((c, io) => runTrades(c, { from: day1, to: day2, json: true }, io));
    const Trades = z.object({ trades: z.array(z.object({ filledAt: z.string(), runId: z.string() })) });
    const t1 = Trades.parse(JSON.parse(one.out)).trades;
    const t12 = Trades.parse(JSON.parse(both.out)).trades;
    expect(t1.length).toBeGreaterThan(0);
    expect(t1.every((t) => t.runId === `${stage()}-${day1}`)).toBe(true);
    expect(t12.length).toBeGreaterThanOrEqual(t1.length);
    expect(t12.every((t) => [`${stage()}-${day1}`, `${stage()}-${day2}`].includes(t.runId))).toBe(true);
    expect(t12.map((t) => t.filledAt)).toEqual([...t12.map((t) => t.filledAt)].sort());
    const text = await run((c, io) => runTrades(c, { from: day1, to: day1, json: false }, io));
    expect(text.out).toMatch(/filled at\s+strategy\s+side\s+symbol\s+qty\s+price\s+value\s+fees\s+run/);
    expect(text.out).toContain(`${t1.length} trades  bought `);
  });

  it('books trades says so when a range has no trades, and refuses --from after --to', async () => {
    const none = await run((c, io) =>
      runTrades(c, { from: '2023-01-03', to: '2023-01-04', json: false }, io),
    );
    expect(none.out).toBe('no trades from 2023-01-03 to 2023-01-04\n');
    const bad = await run((c, io) => runTrades(c, { from: day2, to: day1, json: false }, io));
    expect(bad.code).toBe(2);
  });

  it('books runs lists the recent runs up to the last run day with their completeness', async () => {
    const r = await run((c, io) => runRuns(c, { last: 5, json: false }, io));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/date\s+run\s+run status\s+completeness\s+strategies\s+missing/);
    expect(r.out).toMatch(new RegExp(`${day1}\\s+${stage()}-${day1}\\s+\\S+\\s+COMPLETE`));
    expect(r.out).toMatch(new RegExp(`${day2}\\s+${stage()}-${day2}\\s+\\S+\\s+COMPLETE`));
  });

  it('books runs lists an undrained run as STUCK with the count of what is missing', async () => {
    const r = await run((c, io) => runRuns(c, { last: 5, json: false }, io), { world: stuckWorld });
    expect(r.out).toMatch(
      new RegExp(`${day1}\\s+${stuckStage()}-${day1}\\s+\\S+\\s+STUCK\\s.*\\s[1-9]\\d*\n`),
    );
  });

  it('books runs --from/--to --json finds runs by date, without a scan', async () => {
    const r = await run((c, io) => runRuns(c, { from: day1, to: day2, last: 10, json: true }, io));
    const parsed = z
      .object({ runs: z.array(z.object({ runId: z.string(), status: z.string() })) })
      .parse(JSON.parse(r.out));
    expect(parsed.runs).toEqual([
      { runId: `${stage()}-${day1}`, status: 'COMPLETE' },
      { runId: `${stage()}-${day2}`, status: 'COMPLETE' },
    ]);
  });

  it('books runs RUN_ID shows a complete run: every strategy final, every planned trade final', async () => {
    const r = await run((c, io) => runRuns(c, { runId: `${stage()}-${day1}`, last: 10, json: true }, io));
    expect(r.code).toBe(0);
    const parsed = z
      .object({
        status: z.string(),
        strategies: z.array(
          z.object({
            status: z.string(),
            trades: z.array(z.object({ state: z.string(), final: z.boolean() })),
          }),
        ),
        missing: z.array(z.string()),
      })
      .parse(JSON.parse(r.out));
    expect(parsed.status).toBe('COMPLETE');
    expect(parsed.missing).toEqual([]);
    for (const s of parsed.strategies) {
      expect(['TRADED', 'NOTHING_TO_DO', 'FAILED']).toContain(s.status);
      for (const t of s.trades)
        expect(['FILLED', 'REJECTED', 'CANCELED', 'EXPIRED', 'SUPPRESSED']).toContain(t.state);
    }
    expect(parsed.strategies.some((s) => s.status === 'TRADED')).toBe(true);
  });

  it('books runs RUN_ID flags a run not complete by the close as STUCK, with what is missing, and exits 1', async () => {
    const r = await run(
      (c, io) => runRuns(c, { runId: `${stuckStage()}-${day1}`, last: 10, json: false }, io),
      {
        world: stuckWorld,
        now: marketTimeToInstant(day1, '16:00'),
      },
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(`run ${stuckStage()}-${day1}`);
    expect(r.out).toMatch(/→ {2}STUCK/);
    expect(r.out).toContain('STUCK — not final after the close:');
    expect(r.out).toMatch(/ {2}- \w+: BUY \S+ \S+ is QUEUED \(sent; execution has not recorded it\)/);
  });

  it('books runs RUN_ID shows the same run IN_PROGRESS before the close', async () => {
    const r = await run(
      (c, io) => runRuns(c, { runId: `${stuckStage()}-${day1}`, last: 10, json: true }, io),
      {
        world: stuckWorld,
        now: marketTimeToInstant(day1, '15:45'),
      },
    );
    expect(r.code).toBe(0);
    expect(z.object({ status: z.string() }).parse(JSON.parse(r.out)).status).toBe('IN_PROGRESS');
  });

  it('books runs RUN_ID says when there is no such run', async () => {
    const r = await run((c, io) => runRuns(c, { runId: `${stage()}-2023-01-03`, last: 10, json: false }, io));
    expect(r.code).toBe(3);
    expect(r.err).toBe(`books runs: no run ${stage()}-2023-01-03\n`);
  });
});
