import { randomUUID } from 'node:crypto';
import { StrategyIdSchema, systemClock } from '@books/core';
import { applyStageControl, mutating, type Output, type Stage, withStage } from '@books/operator';
import type { ControlCommand } from '@books/runtime';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, processOutput } from '../format';

/**
 * `books pause S`, `books resume S`, `books liquidate S`, `books halt`, `books resume --account`
 * (`@books/operator`'s applyStageControl): the trader controls (core/controls.ts), in the stage's controls store, each change recorded in
 * the ledger with who (the Stage's caller identity), when and why (`--reason`, required).
 */
export async function runControl(
  stage: Stage,
  /** The command, given who asks (the Stage's caller identity). */
  commandBy: (by: string) => ControlCommand,
  args: { readonly json: boolean },
  io: Output,
): Promise<number> {
  const outcome = await applyStageControl(stage, commandBy, {
    clock: systemClock,
    newId: () => randomUUID().replaceAll('-', ''),
  });
  if (outcome.kind === 'unknown-strategy') {
    io.err(`books: ${outcome.strategyId} is not a strategy of stage ${stage.stage}\n`);
    return 1;
  }
  const { change } = outcome;
  if (args.json) io.out(json({ stage: stage.stage, store: stage.services.controls.source, change }));
  else
    io.out(
      `${change.action} ${change.target} on ${stage.stage} by ${change.by} at ${change.at}: ${change.reason} (${stage.services.controls.source})\n`,
    );
  return 0;
}

const OptionsSchema = z.object({
  stage: z.string(),
  reason: z.string().trim().min(1, '--reason is required: say why'),
  yes: z.boolean().optional(),
  json: z.boolean().optional(),
  account: z.boolean().optional(),
});

function action(
  name: string,
  what: string,
  build: (strategy: string | undefined, o: z.output<typeof OptionsSchema>, by: string) => ControlCommand,
) {
  return async (strategy: string | undefined, opts: unknown) => {
    const o = OptionsSchema.parse(opts);
    process.exitCode = await withStage(o.stage, (stage) =>
      mutating(stage, `books ${name}${strategy ? ` ${strategy}` : ''}: ${what}`, o.yes ?? false, () =>
        runControl(stage, (by) => build(strategy, o, by), { json: o.json ?? false }, processOutput),
      ),
    );
  };
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--reason <text>', 'why (recorded in the ledger with who and when)')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON');
}

const sid = (s: string | undefined) => StrategyIdSchema.parse(s);

export function registerControls(program: Command): void {
  common(program.command('pause <strategy>'))
    .description('pause a book: it keeps its positions and cash, and nothing is planned for it')
    .action(
      action('pause', 'pause the book', (s, o, by) => ({
        action: 'pause',
        strategyId: sid(s),
        reason: o.reason,
        by,
      })),
    );
  common(program.command('liquidate <strategy>'))
    .description(
      'sell the book to cash from the next run (each run sells what is left), then pause it once flat (its cash stays in the book)',
    )
    .action(
      action('liquidate', 'sell the book to cash at the next run', (s, o, by) => ({
        action: 'liquidate',
        strategyId: sid(s),
        reason: o.reason,
        by,
      })),
    );
  common(program.command('halt'))
    .description('halt the account: no new order for any strategy (orders at the broker are followed)')
    .action(
      action('halt', 'halt every new order', (_s, o, by) => ({ action: 'halt', reason: o.reason, by })),
    );
  common(program.command('resume [strategy]'))
    .description('resume a paused, liquidated or drawdown-stopped book; --account lifts a halt')
    .option('--account', 'lift the account halt (books halt)')
    .action(
      action('resume', 'resume trading', (s, o, by) => {
        if (o.account && s === undefined) return { action: 'resume-account', reason: o.reason, by };
        if (!o.account && s !== undefined)
          return { action: 'resume', strategyId: sid(s), reason: o.reason, by };
        throw new Error('books resume: give a strategy, or --account (not both)');
      }),
    );
}
