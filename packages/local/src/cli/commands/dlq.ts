import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { errorMessage } from '@books/core';
import {
  MalformedMessageError,
  moveMessage,
  type PeekedMessage,
  parseExecutionMessage,
  withPeekedMessages,
} from '@books/queue';
import type { Services } from '@books/runtime';
import type { Command } from 'commander';
import * as z from 'zod';
import { json, type Output, processOutput, table } from '../../queries/format';
import { type QueryContext } from '../../queries/local-session';
import { mutating } from '../../stage/confirm';
import { withStage } from '../../stage/open-stage';

/** The execution DLQ's name (serverless.yml: ExecutionDeadLetterQueue). */
export function executionDlqName(stage: string): string {
  return `strategy-books-${stage}-execution-dlq`;
}

/** One message of the DLQ, with what the ledger says about the trade it asks for. */
export interface DlqMessage {
  readonly messageId: string;
  /**
   * Receives before this read: the failed deliveries, and every earlier `books dlq list|show` too
   * (SQS cannot read a message without receiving it).
   */
  readonly receiveCount: string;
  readonly clientOrderId?: string;
  readonly runId?: string;
  readonly strategyId?: string;
  readonly trade?: string;
  /** The intent's state in the ledger, when the message parses and the intent exists. */
  readonly intentState?: string;
  readonly why: string;
  readonly body: string;
}

interface Held extends DlqMessage {
  readonly peeked: PeekedMessage;
}

/**
 * Reads every message of the stage's execution DLQ without consuming it (see withPeekedMessages),
 * explains each, hands them to `work`, and leaves every message `work` did not consume in the DLQ,
 * also when `work` fails part-way. `work` adds the id of each message it moved to `consumed` as
 * soon as it is moved.
 */
export async function withDlqMessages<T>(
  services: Services,
  stage: string,
  work: (messages: readonly Held[], consumed: Set<string>, dlqUrl: string) => Promise<T>,
  knownDlqUrl?: string,
): Promise<T> {
  const { sqs } = services.clients;
  // A deployed stage knows its DLQ from its stack's outputs; the embedded one looks it up by name.
  const dlqUrl =
    knownDlqUrl ?? (await sqs.send(new GetQueueUrlCommand({ QueueName: executionDlqName(stage) }))).QueueUrl;
  if (!dlqUrl) throw new Error(`no queue ${executionDlqName(stage)}`);
  return withPeekedMessages(sqs, dlqUrl, async (peeked, consumed) => {
    const held: Held[] = [];
    for (const m of peeked)
      held.push({
        ...(await explain(services, m.messageId, m.body)),
        // This read is a receive too: not counted.
        receiveCount: String(Math.max(0, m.receiveCount - 1)),
        peeked: m,
      });
    return work(held, consumed, dlqUrl);
  });
}

async function explain(
  services: Services,
  messageId: string,
  body: string,
): Promise<Omit<DlqMessage, 'receiveCount'>> {
  let request: ReturnType<typeof parseExecutionMessage>;
  try {
    request = parseExecutionMessage(messageId, body);
  } catch (e) {
    const problems = e instanceof MalformedMessageError ? e.message : errorMessage(e);
    return { messageId, body, why: `malformed message: ${problems}` };
  }
  const intent = await services.intents.get(request.run_id, request.client_order_id);
  const base = {
    messageId,
    body,
    clientOrderId: request.client_order_id,
    runId: request.run_id,
    strategyId: request.strategy_id,
    trade: `${request.trade.direction} ${request.trade.target_qty} ${request.trade.symbol}`,
  };
  if (!intent) return { ...base, why: 'never claimed: execution failed before recording the intent' };
  const reason = intent.reason ? ` (${intent.reason})` : '';
  switch (intent.state) {
    case 'NEW':
      return {
        ...base,
        intentState: intent.state,
        why: `claimed but never placed at the broker${reason}: the symbol stayed locked or the broker was unreachable`,
      };
    case 'SUBMITTED':
    case 'PARTIALLY_FILLED':
      return {
        ...base,
        intentState: intent.state,
        why: `placed at the broker and still ${intent.state} when execution gave up waiting: redrive, or books recover`,
      };
    default:
      return {
        ...base,
        intentState: intent.state,
        why: `already ${intent.state}${reason}: a redrive finds it final and does nothing`,
      };
  }
}

export interface RedriveResult {
  readonly redriven: readonly DlqMessage[];
}

/**
 * Sends DLQ messages (one by id, or all) back to the execution queue, then deletes them from the
 * DLQ. Safe: execution claims the intent by its client order id and looks an order the broker
 * already holds up instead of placing it again; a final intent is left as it is.
 */
export async function redriveDlq(
  services: Services,
  stage: string,
  id?: string,
  knownDlqUrl?: string,
): Promise<RedriveResult> {
  const { sqs } = services.clients;
  const { env } = services;
  const queueUrl =
    env.BOOKS_EXECUTION_QUEUE_URL ??
    (await sqs.send(new GetQueueUrlCommand({ QueueName: env.BOOKS_EXECUTION_QUEUE_NAME }))).QueueUrl;
  if (!queueUrl) throw new Error(`no execution queue ${env.BOOKS_EXECUTION_QUEUE_NAME ?? ''}`);
  return withDlqMessages(
    services,
    stage,
    async (messages, consumed, dlqUrl) => {
      const chosen = messages.filter((m) => id === undefined || m.messageId === id || m.clientOrderId === id);
      for (const m of chosen) {
        // Send first, then delete: a crash in between leaves a duplicate, which execution absorbs.
        await moveMessage(sqs, m.peeked, dlqUrl, queueUrl);
        consumed.add(m.messageId);
      }
      return { redriven: chosen.map(strip) };
    },
    knownDlqUrl,
  );
}

export async function listDlq(services: Services, stage: string, dlqUrl?: string): Promise<DlqMessage[]> {
  return withDlqMessages(services, stage, async (messages) => messages.map(strip), dlqUrl);
}

function strip({ peeked: _, ...m }: Held): DlqMessage {
  return m;
}

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
