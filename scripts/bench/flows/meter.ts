/**
 * Counts what a LocalWorld's functions use, through LocalWorld's injection hooks and AWS SDK
 * middleware on its clients (the functions' code is not touched): each handler's invocations and
 * wall time, SQS requests, DynamoDB request units as the server reports them
 * (ReturnConsumedCapacity: TOTAL), and the DailyRun state transitions of each run.
 */

import type { InjectionHooks, LocalFunctionName } from '../../../packages/local/src/daily-run/local-world';
import type { Services } from '../../../packages/runtime/src';
import { dailyRunTransitions, type Usage } from './cost-model';

const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);
const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface Capacity {
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
}

function isCapacity(x: unknown): x is Capacity {
  return typeof x === 'object' && x !== null;
}

export class UsageMeter {
  private readonly fns = new Map<LocalFunctionName, { invocations: number; ms: number; errors: number }>();
  sqsRequests = 0;
  readonly sqsByCommand = new Map<string, number>();
  dynamodbRequests = 0;
  /** DynamoDB requests whose response carried no ConsumedCapacity (units unknown). */
  dynamodbUnreported = 0;
  readUnits = 0;
  writeUnits = 0;
  stateTransitions = 0;
  /** Off between runs: the bench's own reads are not the system's usage. */
  active = false;

  constructor(private readonly memoryMb: Readonly<Record<LocalFunctionName, number>>) {}

  readonly hooks: InjectionHooks = {
    handler:
      <R>(fn: LocalFunctionName, h: (e: unknown) => Promise<R>) =>
      async (e: unknown): Promise<R> => {
        const f = this.fns.get(fn) ?? { invocations: 0, ms: 0, errors: 0 };
        this.fns.set(fn, f);
        const t0 = performance.now();
        try {
          return await h(e);
        } catch (err) {
          f.errors++;
          throw err;
        } finally {
          f.invocations++;
          f.ms += Math.ceil(performance.now() - t0);
        }
      },
  };

  /** Adds the counting middleware to the world's SQS and DynamoDB clients (once per world). */
  attach(services: Services): void {
    services.clients.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.active) {
          this.sqsRequests++;
          const name = context.commandName ?? '?';
          this.sqsByCommand.set(name, (this.sqsByCommand.get(name) ?? 0) + 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchCountSqs' },
    );
    services.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        if (!this.active || !CAPACITY_COMMANDS.has(name)) return next(args);
        this.dynamodbRequests++;
        const input: unknown = args.input;
        if (typeof input === 'object' && input !== null)
          Object.assign(input, { ReturnConsumedCapacity: 'TOTAL' });
        const result = await next(args);
        const output: unknown = result.output;
        const reported =
          typeof output === 'object' && output !== null && 'ConsumedCapacity' in output
            ? output.ConsumedCapacity
            : undefined;
        const list = (Array.isArray(reported) ? reported : [reported]).filter(isCapacity);
        if (list.length === 0) this.dynamodbUnreported++;
        for (const c of list) {
          const read = c.ReadCapacityUnits ?? (WRITE_COMMANDS.has(name) ? 0 : (c.CapacityUnits ?? 0));
          const write = c.WriteCapacityUnits ?? (WRITE_COMMANDS.has(name) ? (c.CapacityUnits ?? 0) : 0);
          this.readUnits += read;
          this.writeUnits += write;
        }
        return result;
      },
      { step: 'initialize', name: 'benchCountDynamodb' },
    );
  }

  private snapshot() {
    const get = (fn: LocalFunctionName) => this.fns.get(fn) ?? { invocations: 0, ms: 0, errors: 0 };
    return {
      tasks: get('coordinator').invocations + get('strategyWorker').invocations + get('legacy').invocations,
      failedWorkers: get('strategyWorker').errors,
      coordinator: get('coordinator').invocations,
    };
  }

  /** Runs one day with counting on, adding the DailyRun's state transitions it went through. */
  async run<T>(day: () => Promise<T>): Promise<T> {
    const before = this.snapshot();
    this.active = true;
    try {
      return await day();
    } finally {
      this.active = false;
      const after = this.snapshot();
      this.stateTransitions += dailyRunTransitions({
        taskAttempts: after.tasks - before.tasks,
        failedWorkers: after.failedWorkers - before.failedWorkers,
        proceeded: after.coordinator - before.coordinator >= 2,
      });
    }
  }

  usage(): Usage {
    return {
      functions: Object.fromEntries(
        [...this.fns].map(([fn, f]) => [
          fn,
          { invocations: f.invocations, billedMs: f.ms, memoryMb: this.memoryMb[fn] },
        ]),
      ),
      sqsRequests: this.sqsRequests,
      dynamodbReadUnits: this.readUnits,
      dynamodbWriteUnits: this.writeUnits,
      stateTransitions: this.stateTransitions,
    };
  }
}
