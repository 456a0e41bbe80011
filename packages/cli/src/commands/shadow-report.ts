import { runIdOf } from '@books/core';
import { readShadowReports, type ShadowReport } from '@books/legacy';
import { type QueryContext, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput } from '../format';

/** `books shadow-report`: per shadow strategy, per symbol, the legacy-attributed vs its own target and trades. */
export async function runShadowReport(
  ctx: QueryContext,
  args: { run?: string; json: boolean },
  io: Output,
): Promise<number> {
  const runId = args.run ?? (ctx.lastRunDate ? runIdOf(ctx.stage, ctx.lastRunDate) : undefined);
  if (!runId) {
    io.err('books shadow-report: no run yet on this stage; give --run RUN_ID\n');
    return 2;
  }
  const reports = await readShadowReports(ctx.services.table, runId);
  if (args.json) {
    io.out(json({ stage: ctx.stage, runId, strategies: reports }));
    return 0;
  }
  if (reports.length === 0) {
    io.out(`run ${runId}: no shadow strategy (set a strategy's flow to shadow to compare)\n`);
    return 0;
  }
  io.out(`${reports.map(render).join('\n\n')}\n`);
  return 0;
}

function render(r: ShadowReport): string {
  const rows = [
    ['symbol', 'legacy target', 'qty', 'own target', 'qty'],
    ...r.targets.map((t) => [t.symbol, t.legacyValue, t.legacyQty, t.perStrategyValue, t.perStrategyQty]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const trade = (t: { side: string; qty: string; symbol: string; value: string }) =>
    `${t.side} ${t.qty} ${t.symbol} (~$${t.value})`;
  return [
    `${r.strategyId}  run ${r.runId}  capital ${r.capital}`,
    ...rows.map(
      (row) =>
        `  ${row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}`,
    ),
    `  legacy traded for it:  ${r.legacyTrades.length === 0 ? 'nothing' : r.legacyTrades.map(trade).join(', ')}`,
    `  its own plan would:    ${r.perStrategyTrades.length === 0 ? 'trade nothing' : r.perStrategyTrades.map(trade).join(', ')}`,
    ...(r.suppressed.length > 0
      ? [`  suppressed: ${r.suppressed.map((s) => `${trade(s)}: ${s.reason}`).join(', ')}`]
      : []),
  ].join('\n');
}

const OptionsSchema = z.object({
  run: z.string().optional(),
  stage: z.string(),
  json: z.boolean().optional(),
});

export function registerShadowReport(program: Command): void {
  program
    .command('shadow-report')
    .description(
      "per shadow strategy: the legacy-attributed target vs its own plan's, and the trades each makes",
    )
    .option('--run <runId>', 'the run (default: the last run of the stage)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runShadowReport(ctx, { ...(o.run ? { run: o.run } : {}), json: o.json ?? false }, processOutput),
      );
    });
}
