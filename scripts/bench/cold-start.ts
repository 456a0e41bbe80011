/**
 * `pnpm bench cold-start [--rounds N] [--calls|--waterfall] [--cold-servers] [--cpu-prof <dir>]`: packages the service (`sls package`), then for each
 * function starts a fresh Node 22 process on its unpacked artifact (as Lambda does: its own task
 * root as working directory, the packaged handler and environment) and invokes it once with a
 * representative event of one daily cycle, on a fresh in-memory embedded stack; dataRefresh reads
 * an Alpaca-shaped market-data server started here, its keys from a Parameter Store started here. Prints per function the process start to
 * ready, the handler module's load and the first invocation. Goal (issue 16): module load + first
 * invocation ≤ 300 ms for the coordinator, the strategy worker and execution.
 * `--rounds N` (default 3) measures every function N times, each round on a fresh embedded stack, and
 * prints the medians with the least and the most load + first seen: one cold start on a shared
 * machine varies by a third.
 * `--calls` counts the DynamoDB and SQS operations of each first invocation (through a counting
 * proxy, which adds a little to each call's time); `--waterfall` also lists them in the order they
 * were sent, timed, so calls that wait for one another show as steps.
 * `--cold-servers` skips warming the embedded servers first (DynamoDB Local, a JVM, answers its
 * first requests several times slower while it compiles them; AWS's DynamoDB is never cold).
 * `--cpu-prof <dir>` writes each function's CPU profile (`node --cpu-prof`, module load and first
 * invocation) to `<dir>/<function>.cpuprofile`, for Chrome DevTools or speedscope.
 */

import * as z from 'zod';
import { ManualClock } from '../../packages/core/src';
import { formatColdStarts, measureColdStarts } from '../../packages/local/src/artifacts/cold-start';
import { FakeMarketDataServer, fakeDailyBar } from '../../packages/testkit/src/alpaca/fake-market-data';
import { startFakeSsm } from '../../packages/testkit/src/fake-ssm-server';

const KEY_ID = 'PKCOLDSTART';
const SECRET = 'cold-start-secret';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const profileAt = args.indexOf('--cpu-prof');
  const cpuProfileDir = profileAt < 0 ? undefined : args[profileAt + 1];
  if (profileAt >= 0 && cpuProfileDir === undefined) throw new Error('--cpu-prof needs a directory');
  const waterfall = args.includes('--waterfall');
  const countCalls = waterfall || args.includes('--calls');
  const coldServers = args.includes('--cold-servers');
  const roundsAt = args.indexOf('--rounds');
  const rounds = z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .parse(roundsAt < 0 ? 3 : args[roundsAt + 1], {
      error: () => '--rounds takes a whole number from 1 to 20',
    });
  const market = await FakeMarketDataServer.start({
    clock: new ManualClock('2024-03-15T22:00:00Z'),
    keyId: KEY_ID,
    secretKey: SECRET,
  });
  // dataRefresh reads its keys from Parameter Store, under the template's prefix for the stage.
  const ssm = await startFakeSsm({
    '/strategy-books/local/alpaca/api-key-id': KEY_ID,
    '/strategy-books/local/alpaca/api-secret-key': SECRET,
  });
  try {
    for (const symbol of ['SPY', 'QQQ', 'TLT', 'IEF', 'GLD', 'BIL'])
      market.bars.set(symbol, [fakeDailyBar('2024-03-14', '100.5'), fakeDailyBar('2024-03-15', '101.25')]);
    const rows = await measureColdStarts({
      marketData: { url: market.url, ssmEndpoint: ssm.endpoint },
      ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
      countCalls,
      waterfall,
      coldServers,
      rounds,
      progress: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(formatColdStarts(rows, rounds));
  } finally {
    await market.close();
    await ssm.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
