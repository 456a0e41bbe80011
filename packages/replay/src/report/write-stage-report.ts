import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { QueryContext } from '@books/operator';
import { renderReport } from './render';
import { stageReport } from './stage-report';

/**
 * `books report`: the self-contained HTML report of the stage's ledger written to `out` (resolved
 * from the working directory). `empty` when the stage has no trade or transfer yet (nothing is
 * written); throws when the file's directory does not exist or the range is not valid.
 */
export async function writeStageReport(
  ctx: QueryContext,
  args: { readonly out: string; readonly from?: string; readonly to?: string; readonly benchmark?: string },
): Promise<
  { readonly empty: true } | { readonly file: string; readonly days: number; readonly trades: number }
> {
  const file = resolve(args.out);
  if (!existsSync(dirname(file))) throw new Error(`no directory for the report ${file}`);
  const report = await stageReport(ctx, args);
  if ('empty' in report) return report;
  const { data, days } = report;
  writeFileSync(file, renderReport(data));
  return { file, days, trades: data.trades.length };
}
