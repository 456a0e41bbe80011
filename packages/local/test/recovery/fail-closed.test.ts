import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BrokerMarketCalendar,
  FileConfigSource,
  LedgerRunStore,
  type PlanRunDeps,
  planRun,
} from '@books/coordinator';
import type { BreakPolicy } from '@books/core';
import { ClientOrderId, marketTimeToInstant, Quantity, RunId, Symbol, type TradingDate } from '@books/core';
import { compile } from '@books/dsl';
import { ledgerReconciliationCheck } from '@books/reconciliation';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, STRATEGY_IDS } from '../e2e/support';

/**
 * The coordinator fails closed on a reconciliation break, per `onReconciliationBreak`: a manual
 * sale at the broker after day 1 leaves a DRIFT on one symbol when day 2 is planned.
 */
describe('the coordinator refuses to plan from books that do not explain the account', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  let broken: Symbol;
  const [day1, day2] = daysFrom('2024-09-16', 2) as [TradingDate, TradingDate];

  beforeAll(async () => {
    world = await openWorld('failclosed');
    await world.runDay(day1);
    const [held] = await world.services.broker.getPositions();
    if (!held) throw new Error('the books hold nothing after a day');
    broken = held.symbol;
    await world.services.broker.placeOrder({
      clientOrderId: ClientOrderId('manual-fail-closed-1'),
      symbol: held.symbol,
      side: 'sell',
      qty: Quantity.parse('1'),
      type: 'market',
      timeInForce: 'day',
    });
    world.clock.set(marketTimeToInstant(day2, '15:30'));
  });

  function deps(policy?: BreakPolicy, withCheck = true): PlanRunDeps {
    const { services } = world;
    const dir = services.env.BOOKS_STRATEGIES_DIR;
    const file = new FileConfigSource(dir, services.env.BOOKS_STRATEGIES_CONFIG);
    const market = new BrokerMarketCalendar(services.broker);
    return {
      stage: services.env.BOOKS_STAGE,
      config: {
        load: async () => ({ ...(await file.load()), ...(policy ? { onReconciliationBreak: policy } : {}) }),
      },
      calendar: market,
      account: market,
      symbols: {
        async symbolsOf(f) {
          const compiled = compile(await readFile(join(dir, f), 'utf8'), f);
          return compiled.ok ? compiled.value.symbols.map((s) => Symbol(s)) : [];
        },
      },
      runs: new LedgerRunStore(services.table, services.runs),
      clock: services.clock,
      logger: services.logger,
      ...(withCheck ? { reconciliation: ledgerReconciliationCheck(services) } : {}),
    };
  }

  async function tradable(strategyFile: string): Promise<readonly string[]> {
    const dir = world.services.env.BOOKS_STRATEGIES_DIR;
    const compiled = compile(await readFile(join(dir, strategyFile), 'utf8'), strategyFile);
    return compiled.ok ? compiled.value.symbols : [];
  }

  it('warn: plans every strategy and carries the break as a warning', async () => {
    const result = await planRun(deps('warn'), { executionId: 'warn', tradingDate: day2, dryRun: true });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => i.strategyId).sort()).toEqual([...STRATEGY_IDS].sort());
    expect(result.warnings).toContain(`reconciliation break: ${broken} DRIFT (unexplained -1)`);
  });

  it('block-run: refuses the whole run and names the break', async () => {
    const result = await planRun(deps('block-run'), {
      executionId: 'block-run',
      tradingDate: day2,
      dryRun: true,
    });
    expect(result.proceed).toBe(false);
    if (result.proceed) return;
    expect(result.reason).toBe(`stopped: reconciliation breaks ${broken} DRIFT (unexplained -1)`);
  });

  it('block-strategy (the default): skips every strategy that holds or can trade the broken symbol, records why, and plans the others', async () => {
    const config = await deps().config.load();
    expect(config.onReconciliationBreak).toBe('block-strategy');
    const exposed = new Set<string>();
    for (const s of config.strategies) if ((await tradable(s.file)).includes(broken)) exposed.add(s.id);
    expect(exposed.size).toBeGreaterThan(0);

    const result = await planRun(deps(), { executionId: 'block-strategy', tradingDate: day2 });
    if (!result.proceed) throw new Error(result.reason);
    expect(result.items.map((i) => i.strategyId).sort()).toEqual(
      STRATEGY_IDS.filter((s) => !exposed.has(s)).sort(),
    );
    const run = await world.services.runs.listRunItems(RunId(result.runId));
    for (const sid of exposed) {
      const item = run?.strategies.find((s) => s.strategyId === sid);
      expect(item?.status).toBe('SKIPPED');
      expect(item?.skipReason).toBe(
        `blocked: unexplained reconciliation break on ${broken} DRIFT (unexplained -1)`,
      );
    }
  });

  it('plans everything when no reconciliation check is wired (the gate is opt-in at the port)', async () => {
    const result = await planRun(deps('block-run', false), {
      executionId: 'none',
      tradingDate: day2,
      dryRun: true,
    });
    expect(result.proceed).toBe(true);
  });
});
