/**
 * `pnpm bench load --alpaca`: the daily cycle of `pnpm bench load`, with every function trading
 * through the Alpaca adapter against the fake Alpaca server (packages/testkit/src/alpaca), which
 * counts requests per minute and per calling function (User-Agent) and answers 429 past its limit,
 * as Alpaca does. Every function instance draws from the account's one request budget in the ledger
 * table (runtime's accountRequestBudget), as deployed; `--executions K` execution instances drain
 * the queue at once (serverless.yml's executionMaxConcurrency).
 *
 * Broker time runs `--speed` times faster than real time from 15:30 New York on the run day: the
 * rate limit, the fake's clock and market hours, the budgets and the executions' waits are all on
 * that clock, so a minute of the limit passes in 60/speed real seconds. Work that is not broker
 * waiting (evaluation, DynamoDB Local, SQS) is sped up by the same factor in broker time; keep the
 * speed low enough that the broker's limit, not this machine, sets the pace (the figures print the
 * minute windows the limit alone imposes).
 */
import { AlpacaBroker, AlpacaKeys, type Broker, parseAlpacaConfig } from '../../../packages/broker/src';
import {
  type Clock,
  type Logger,
  marketTimeToInstant,
  runIdOf,
  type TradingDate,
} from '../../../packages/core/src';
import { executionFunction } from '../../../packages/execution/src';
import { lambdaContexts } from '../../../packages/local/src/daily-run/lambda-context';
import { LocalWorld } from '../../../packages/local/src/daily-run/local-world';
import { drainQueue } from '../../../packages/local/src/daily-run/queue-poller';
import type { StackEndpoints } from '../../../packages/local/src/stack/clients';
import type { LoadFixture } from '../../../packages/local/test/load/load-fixture';
import { LOAD_INITIAL_CASH } from '../../../packages/local/test/load/open-load-world';
import { CsvBarStore } from '../../../packages/market-data/src';
import { loadRunCompleteness } from '../../../packages/operator/src/queries/run-query';
import { reconcilerFunction } from '../../../packages/reconciler/src';
import { accountRequestBudget, type Services } from '../../../packages/runtime/src';
import { FakeAlpacaServer, fastTime } from '../../../packages/testkit/src/alpaca';

const KEY_ID = 'PKBENCHLOAD0001';
const SECRET = 'bench-load-secret';
/** The close of a regular session: the run must be done by then. */
const CLOSE = '16:00';

export interface AlpacaLoadOptions {
  readonly endpoints: StackEndpoints;
  readonly fixture: LoadFixture;
  readonly stage: string;
  readonly logger: Logger;
  readonly perMinute: number;
  readonly speed: number;
  readonly executions: number;
}

export interface AlpacaLoadResult {
  readonly lines: string[];
  readonly ok: boolean;
}

/** The fake account: every generated symbol tradable at its close on the run day. */
async function fakeWorld(fixture: LoadFixture) {
  const bars = new CsvBarStore(fixture.barsDir);
  const prices: Record<string, string> = {};
  for (const symbol of fixture.symbols) {
    const series = await bars.bars(symbol, fixture.runDay);
    const last = series[series.length - 1];
    if (last) prices[symbol] = last.closeText;
  }
  return {
    cash: LOAD_INITIAL_CASH,
    assets: fixture.symbols.map((symbol) => ({ symbol, tradable: true, fractionable: true })),
    prices,
    calendar: (await bars.calendar()).map((date) => ({ date, open: '09:30', close: CLOSE })),
  };
}

export async function runAlpacaLoad(options: AlpacaLoadOptions): Promise<AlpacaLoadResult> {
  const { fixture, perMinute, speed } = options;
  const opensAt = marketTimeToInstant(fixture.runDay, '15:30');
  const closesAt = marketTimeToInstant(fixture.runDay, CLOSE);
  const time = fastTime(speed, opensAt);
  // The end-of-window guard must cover this machine's latencies, which broker time multiplies by
  // the speed: half a real second, and never less than the deployed default.
  const guardMs = Math.min(30_000, Math.max(2_000, speed * 500));
  const server = await FakeAlpacaServer.start({
    world: await fakeWorld(fixture),
    clock: time.clock,
    keyId: KEY_ID,
    secretKey: SECRET,
    rateLimit: { perMinute },
  });
  try {
    /** One function instance's broker: its own budget handle on the account's one budget. */
    const brokerFor = (caller: string, services: Services): Broker =>
      new AlpacaBroker(
        parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, requestsPerMinute: perMinute }),
        {
          keys: { keys: async () => new AlpacaKeys(KEY_ID, SECRET) },
          clock: time.clock,
          sleep: time.sleep,
          logger: services.logger,
          userAgent: caller,
          budget: accountRequestBudget(services.table, perMinute, {
            logger: services.logger,
            clock: time.clock,
            sleep: time.sleep,
            guardMs,
          }),
        },
      );
    const names: Record<string, string> = { strategyWorker: 'strategy-worker' };
    const world = await LocalWorld.open({
      endpoints: options.endpoints,
      stage: options.stage,
      barsDir: fixture.barsDir,
      strategiesDir: fixture.strategiesDir,
      configFile: fixture.configFile,
      initialCash: LOAD_INITIAL_CASH,
      logger: options.logger,
      inject: { services: (fn, s) => ({ ...s, broker: brokerFor(names[fn] ?? fn, s) }) },
    });
    // Executions and the reconciler run on broker time: their waits are the broker's.
    const onBrokerTime = (caller: string): Services => ({
      ...world.services,
      clock: time.clock as Clock,
      broker: brokerFor(caller, world.services),
    });
    const reconcile = reconcilerFunction(onBrokerTime('reconciler'));
    const contexts = lambdaContexts(world.services.env.BOOKS_STAGE);

    const t0 = time.clock.now();
    await world.planDay(fixture.runDay);
    const plannedAt = time.clock.now();
    const drains = await Promise.all(
      Array.from({ length: options.executions }, (_, i) => {
        const execution = executionFunction(onBrokerTime(`execution#${i + 1}`), {
          sleep: time.sleep,
          fillWaitMs: 20_000,
          lockWaitMs: 10_000,
        });
        return drainQueue(
          world.services.clients.sqs,
          world.executionQueueUrl,
          (event) => execution(event, contexts('execution')),
          options.logger,
          { retryDelaySeconds: 0 },
        );
      }),
    );
    const doneAt = time.clock.now();
    const recon = await reconcile({ date: fixture.runDay });

    const runId = runIdOf(world.services.env.BOOKS_STAGE, fixture.runDay as TradingDate);
    const done = await loadRunCompleteness(world.services, runId, time.clock.now());
    const trades = done?.strategies.flatMap((s) => s.trades) ?? [];
    const notFinal = trades.filter((t) => !t.final).length;
    const traded = done?.strategies.filter((s) => s.status === 'TRADED').length ?? 0;
    const figures = server.rateLimitFigures();
    if (!figures) throw new Error('the fake Alpaca server was started without its rate limit');
    const total = [...figures.byCaller.values()].reduce((a, b) => a + b, 0);
    const byFunction = new Map<string, number>();
    for (const [caller, n] of figures.byCaller) {
      const fn = caller.replace(/#\d+$/, '');
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + n);
    }
    const minutes = (a: Date, b: Date) => `${((b.getTime() - a.getTime()) / 60_000).toFixed(1)} min`;
    const inside = doneAt <= closesAt && done?.status === 'COMPLETE' && notFinal === 0;
    const under = figures.peakPerMinute <= perMinute && figures.refused === 0;
    const lines = [
      `alpaca mode: broker time ×${speed} from 15:30 New York, limit ${perMinute} requests/min, ${options.executions} execution instances`,
      `run                    ${done?.status ?? 'MISSING'}: ${traded}/${fixture.strategyIds.length} strategies TRADED, ${trades.length} trades, ${notFinal} not final`,
      `reconciliation         ${recon.ok ? 'MATCH' : `${recon.breaks.length} breaks`} (cash ${recon.cash.status})`,
      `broker requests        ${total} (${figures.refused} answered 429)`,
      ...[...byFunction]
        .sort(([, a], [, b]) => b - a)
        .map(([fn, n]) => `  ${fn.padEnd(20)} ${String(n).padStart(6)}`),
      `per minute (broker)    ${figures.windows.map((w) => w.admitted + w.refused).join(' ')}`,
      `peak per minute        ${figures.peakPerMinute} of ${perMinute}: ${under ? 'within the limit, no 429' : 'OVER THE LIMIT'}`,
      `broker time            planned in ${minutes(t0, plannedAt)}, executed by ${minutes(t0, doneAt)} after 15:30; at the limit these requests need ${Math.ceil(total / perMinute)} minute window(s)`,
      `trading window         15:30–${CLOSE}: ${inside ? 'finished inside' : 'NOT finished inside'} (done at ${doneAt.toISOString()}, close ${closesAt.toISOString()})`,
      `drain                  ${drains.reduce((n, d) => n + d.delivered, 0)} delivered, ${drains.reduce((n, d) => n + d.failed, 0)} failed`,
      '',
    ];
    return { lines, ok: inside && under && recon.ok };
  } finally {
    await server.close();
  }
}
