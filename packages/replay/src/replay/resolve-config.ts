import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The configuration file of a replay or backtest: a path as given (relative to the working
 * directory), else a file of the project's strategies directory; default
 * strategies/config.local.json. Strategy files are read next to it, so a configuration elsewhere
 * needs its .clj files beside it.
 */
export function resolveConfig(given: string | undefined, strategiesDir: string): string {
  if (given === undefined) return join(strategiesDir, 'config.local.json');
  const asGiven = resolve(given);
  if (existsSync(asGiven)) return asGiven;
  const inStrategies = join(strategiesDir, given);
  if (existsSync(inStrategies)) return inStrategies;
  throw new Error(`no configuration file ${given} (looked at ${asGiven} and ${inStrategies})`);
}
