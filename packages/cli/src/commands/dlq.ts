import {
  type DlqMessage,
  listDlq,
  mutating,
  type QueryContext,
  redriveDlq,
  withStage,
} from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../format';

export interface DlqArgs {
  readonly action: 'list' | 'show' | 'redrive';
  readonly id?: string;
  readonly json: boolean;
}

/** `books dlq list|show <id>|redrive [--id ID]`: exit 0, 1 when `show`/`redrive --id` finds no such message. */
export async function runDlq(ctx: QueryContext, args: DlqArgs, io: Output): Promise<number> {
  if (args.action === 'redrive') {
    const { redriven } = await redriveDlq(ctx.services, ctx.stage, args.id, ctx.executionDlqUrl);
    if (args.json) io.out(json({ stage: ctx.stage, redriven }));
    else
      io.out(
        redriven.length === 0
          ? `nothing redriven: ${args.id ? `no message ${args.id} in the DLQ` : 'the DLQ is empty'}\n`
          : `${redriven.map((m) => `redriven ${m.messageId} ${m.clientOrderId ?? '(malformed)'}`).join('\n')}\n`,
      );
    return args.id !== undefined && redriven.length === 0 ? 1 : 0;
  }
  const messages = await listDlq(ctx.services, ctx.stage, ctx.executionDlqUrl);
  if (args.action === 'show') {
    const m = messages.find((x) => x.messageId === args.id || x.clientOrderId === args.id);
    if (!m) {
      io.err(`books dlq show: no message ${args.id ?? ''} in the DLQ\n`);
      return 1;
    }
    if (args.json) io.out(json(m));
    else
      io.out(
        [
          `message         ${m.messageId}`,
          `client order id ${m.clientOrderId ?? '-'}`,
          `run             ${m.runId ?? '-'}`,
          `strategy        ${m.strategyId ?? '-'}`,
          `trade           ${m.trade ?? '-'}`,
          `intent state    ${m.intentState ?? '-'}`,
          `receives        ${m.receiveCount}`,
          `why             ${m.why}`,
          `body            ${m.body}`,
          '',
        ].join('\n'),
      );
    return 0;
  }
  if (args.json) {
    io.out(json({ stage: ctx.stage, messages }));
    return 0;
  }
  io.out(
    messages.length === 0
      ? `the execution DLQ of ${ctx.stage} is empty\n`
      : `${table(
          [
            { header: 'message', value: (m: DlqMessage) => m.messageId },
            { header: 'client order id', value: (m) => m.clientOrderId ?? '-' },
            { header: 'trade', value: (m) => m.trade ?? '-' },
            { header: 'receives', align: 'right', value: (m) => m.receiveCount },
            { header: 'why', value: (m) => m.why },
          ],
          messages,
        )}\n`,
  );
  return 0;
}

const DlqOptionsSchema = z.object({
  json: z.boolean().optional(),
  stage: z.string(),
  id: z.string().optional(),
  yes: z.boolean().optional(),
});

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('the execution dead-letter queue: what is in it, why, and a safe redrive');
  const run = (args: Omit<DlqArgs, 'json'>, opts: unknown) => {
    const o = DlqOptionsSchema.parse(opts);
    return withStage(o.stage, (ctx) =>
      args.action === 'redrive'
        ? mutating(ctx, `books dlq redrive${args.id ? ` --id ${args.id}` : ''}`, o.yes ?? false, () =>
            runDlq(ctx, { ...args, json: o.json ?? false }, processOutput),
          )
        : runDlq(ctx, { ...args, json: o.json ?? false }, processOutput),
    );
  };
  dlq
    .command('list')
    .description('every message with its client order id and why it is there')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      process.exitCode = await run({ action: 'list' }, opts);
    });
  dlq
    .command('show <id>')
    .description('one message (by message id or client order id) in full')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: unknown) => {
      process.exitCode = await run({ action: 'show', id }, opts);
    });
  dlq
    .command('redrive')
    .description('send messages back to the execution queue (idempotent by client order id)')
    .option('--id <id>', 'one message (message id or client order id); default: all')
    .option('--yes', 'a live-money stage: do not ask for confirmation (scripts)')
    .option('--stage <stage>', 'the stage', 'local')
    .option('--json', 'print JSON')
    .action(async (opts: unknown) => {
      const o = DlqOptionsSchema.parse(opts);
      process.exitCode = await run({ action: 'redrive', ...(o.id ? { id: o.id } : {}) }, opts);
    });
}
