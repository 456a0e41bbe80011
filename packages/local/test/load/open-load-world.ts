import { createLogger, type Logger } from '@books/core';
import { uniqueName } from '@books/testkit';
import { LocalWorld } from '../../src/daily-run/local-world';
import type { StackEndpoints } from '../../src/stack/clients';
import type { LoadFixture } from './load-fixture';

/** Cash of the simulated account: enough that every strategy's share buys whole shares. */
export const LOAD_INITIAL_CASH = '10000000';

/** A LocalWorld on its own stage over a generated load fixture. */
export function openLoadWorld(
  endpoints: StackEndpoints,
  fixture: LoadFixture,
  prefix: string,
  logger: Logger = createLogger({ service: 'load' }, { level: 'warn', destination: { write: () => true } }),
): Promise<LocalWorld> {
  return LocalWorld.open({
    endpoints,
    stage: uniqueName(prefix)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 28),
    barsDir: fixture.barsDir,
    strategiesDir: fixture.strategiesDir,
    configFile: fixture.configFile,
    initialCash: LOAD_INITIAL_CASH,
    logger,
  });
}
