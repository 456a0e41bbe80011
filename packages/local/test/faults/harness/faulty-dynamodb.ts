import {
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BookRepository,
  IntentRepository,
  LedgerTable,
  ReconRepository,
  RunRepository,
  TradeRepository,
} from '@books/ledger-client';
import { createAwsClients, type Services } from '@books/runtime';
import * as z from 'zod';

/** One DynamoDB request as a fault rule sees it: the operation and the keys it touches. */
export interface DynamoCall {
  /** `TransactWriteItems`, `PutItem`, `UpdateItem`, `GetItem`, `Query`… */
  readonly op: string;
  /** The PK/SK of every item written or read (Query: the partition, SK ''), with how a transaction writes it. */
  readonly keys: readonly DynamoKey[];
}

export interface DynamoKey {
  readonly PK: string;
  readonly SK: string;
  /** In a TransactWriteItems: what the transaction does with the item. */
  readonly write?: 'put' | 'update' | 'delete' | 'check';
}

/**
 * Fault rules on the real DynamoDB API: `before` may throw instead of sending the request (it
 * never reaches the table); `after` may throw once the request has been APPLIED (a crash after
 * the write: the caller never learns that it committed).
 */
export interface DynamoFaults {
  before?(call: DynamoCall): void | Promise<void>;
  after?(call: DynamoCall): void | Promise<void>;
}

const S = z.object({ S: z.string() });
const KeySchema = z.object({ PK: S, SK: S });
const KeyedSchema = z.object({ Key: KeySchema });
const PutSchema = z.object({ Item: KeySchema });
const TransactSchema = z.object({
  TransactItems: z.array(
    z.object({
      Put: PutSchema.optional(),
      Update: KeyedSchema.optional(),
      Delete: KeyedSchema.optional(),
      ConditionCheck: KeyedSchema.optional(),
    }),
  ),
});
const QuerySchema = z.object({ ExpressionAttributeValues: z.object({ ':pk': S }) });

function keysOf(op: string, input: unknown): DynamoCall['keys'] {
  const plain = (k: z.infer<typeof KeySchema>): DynamoKey => ({ PK: k.PK.S, SK: k.SK.S });
  switch (op) {
    case 'TransactWriteItems': {
      const parsed = TransactSchema.safeParse(input);
      if (!parsed.success) return [];
      return parsed.data.TransactItems.flatMap((t): DynamoKey[] => {
        if (t.Put) return [{ ...plain(t.Put.Item), write: 'put' }];
        if (t.Update) return [{ ...plain(t.Update.Key), write: 'update' }];
        if (t.Delete) return [{ ...plain(t.Delete.Key), write: 'delete' }];
        if (t.ConditionCheck) return [{ ...plain(t.ConditionCheck.Key), write: 'check' }];
        return [];
      });
    }
    case 'PutItem': {
      const parsed = PutSchema.safeParse(input);
      return parsed.success ? [plain(parsed.data.Item)] : [];
    }
    case 'Query': {
      const parsed = QuerySchema.safeParse(input);
      return parsed.success ? [{ PK: parsed.data.ExpressionAttributeValues[':pk'].S, SK: '' }] : [];
    }
    default: {
      const parsed = KeyedSchema.safeParse(input);
      return parsed.success ? [plain(parsed.data.Key)] : [];
    }
  }
}

/** A DynamoDB client of the stage whose every request passes through `faults`. */
export function faultyDynamoClient(services: Services, faults: DynamoFaults): DynamoDBClient {
  const { dynamodb } = createAwsClients(services.env);
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const op = (context.commandName ?? '').replace(/Command$/, '');
      const call: DynamoCall = { op, keys: keysOf(op, args.input) };
      await faults.before?.(call);
      const result = await next(args);
      await faults.after?.(call);
      return result;
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return dynamodb;
}

/**
 * The services with the ledger table (and every repository over it) on a faulty client: what a
 * function built from them reads and writes goes through `faults`. The broker and its own store
 * are untouched.
 */
export function withFaultyLedger(services: Services, faults: DynamoFaults): Services {
  const dynamodb = faultyDynamoClient(services, faults);
  const table = new LedgerTable(dynamodb, services.table.tableName);
  return {
    ...services,
    clients: { ...services.clients, dynamodb },
    table,
    books: new BookRepository(table),
    runs: new RunRepository(table),
    intents: new IntentRepository(table),
    trades: new TradeRepository(table),
    recon: new ReconRepository(table),
  };
}

/** What DynamoDB answers when a hot item's partition is over its throughput (after the SDK's retries). */
export function throttled(call: DynamoCall): Error {
  return new ProvisionedThroughputExceededException({
    message: `injected throttling on ${call.op} ${call.keys.map((k) => `${k.PK}/${k.SK}`).join(', ')}`,
    $metadata: {},
  });
}

/** A transaction cancelled because another transaction was writing one of its items. */
export function transactionConflict(call: DynamoCall): Error {
  return new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: {},
    CancellationReasons: call.keys.map((_, i) =>
      i === 0 ? { Code: 'TransactionConflict', Message: 'injected conflict' } : { Code: 'None' },
    ),
  });
}
