import type { StoredActivity } from '@books/ledger-client';
import { type Output, type QueryContext, resolveActivity, stageActivities, withStage } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, processOutput, table } from '../format';

export interface ActivitiesArgs {
  /** Every ingested activity, not only those waiting for an operator. */
  readonly all: boolean;
  /** Marks a pending activity resolved (after repairing the books with `books adjust`). */
  readonly resolve?: { readonly id: string; readonly note: string };
  readonly json: boolean;
}

/**
 * `books activities`: the broker's non-trade activities the books could not take (the operator's
 * queue: each is a named break in reconciliation until resolved), or with `--all` every activity
 * ingested and where it went. `--resolve ID --note TEXT` closes one after `books adjust`.
 */
export async function runActivities(ctx: QueryContext, args: ActivitiesArgs, io: Output): Promise<number> {
  if (args.resolve) {
    const ok = await resolveActivity(ctx, args.resolve.id, args.resolve.note);
    if (!ok) {
      io.err(`books activities: ${args.resolve.id} is not a pending activity\n`);
      return 1;
    }
    io.out(`resolved ${args.resolve.id}\n`);
    return 0;
  }
  const listed = await stageActivities(ctx, args.all);
  if (args.json) {
    io.out(json({ stage: ctx.stage, activities: listed }));
    return 0;
  }
  if (listed.length === 0) {
    io.out(args.all ? '(no activity ingested)\n' : '(no activity waiting for an operator)\n');
    return 0;
  }
  io.out(
    `${table(
      [
        { header: 'date', value: (a: StoredActivity) => a.date },
        { header: 'type', value: (a) => a.activityType },
        { header: 'symbol', value: (a) => a.symbol ?? '-' },
        { header: 'amount', align: 'right', value: (a) => a.amount ?? '-' },
        { header: 'outcome', value: (a) => a.outcome },
        {
          header: 'to / why',
          value: (a) => (a.target === 'books' ? a.books.join(', ') : (a.reason ?? a.target)),
        },
        { header: 'id', value: (a) => a.activityId },
      ],
      listed,
    )}\n`,
  );
  return 0;
}

const OptionsSchema = z
  .object({
    stage: z.string(),
    all: z.boolean().optional(),
    json: z.boolean().optional(),
    resolve: z.string().min(1).optional(),
    note: z.string().trim().min(1).optional(),
  })
  .refine(
    (o) => (o.resolve === undefined) === (o.note === undefined),
    '--resolve needs --note (and --note needs --resolve)',
  );

export function registerActivities(program: Command): void {
  program
    .command('activities')
    .description("the broker's activities the books could not take (the operator's queue), or --all")
    .option('--stage <stage>', 'the stage', 'local')
    .option('--all', 'every activity ingested and where it was posted')
    .option('--resolve <id>', 'mark a pending activity resolved (after books adjust)')
    .option('--note <text>', 'why it is resolved (with --resolve)')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = OptionsSchema.parse(opts);
      process.exitCode = await withStage(o.stage, (ctx) =>
        runActivities(
          ctx,
          {
            all: o.all ?? false,
            json: o.json ?? false,
            ...(o.resolve && o.note ? { resolve: { id: o.resolve, note: o.note } } : {}),
          },
          processOutput,
        ),
      );
    });
}
