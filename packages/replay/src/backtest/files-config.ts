import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ReplayError } from '../replay/engine';

/**
 * A configuration for strategy files given by path (`books backtest a.clj b.clj`): each file copied
 * into a fresh directory beside a `config.json` (the daily cycle reads strategy files next to its
 * configuration), every strategy per-strategy, the allocations equal (1/n rounded down to 4
 * decimals, so they sum to ≤ 1), the settings of `strategies/config.local.json` otherwise.
 * Returns the configuration's path. Two files of one name would be one strategy id: refused.
 */
export function configForFiles(files: readonly string[]): string {
  if (files.length === 0) throw new ReplayError('give strategy files or --config');
  const names = files.map((f) => basename(f));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ReplayError(`two strategy files are named ${dup}: rename one`);
  for (const f of files) if (!existsSync(f)) throw new ReplayError(`no strategy file ${f}`);
  const dir = mkdtempSync(join(tmpdir(), 'books-backtest-'));
  for (const [i, f] of files.entries()) copyFileSync(f, join(dir, names[i] ?? ''));
  const allocation = (Math.floor(10_000 / files.length) / 10_000).toFixed(4);
  const config = {
    capitalPolicy: { mode: 'drift', threshold: '0.10' },
    minTradeNotional: '1',
    runWindowMinutes: 30,
    onReconciliationBreak: 'block-strategy',
    strategies: names.map((file) => ({ file, allocation, flow: 'per-strategy', enabled: true })),
  };
  const file = join(dir, 'config.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
