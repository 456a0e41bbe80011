import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Broker, PaperBroker } from '@books/broker';
import { coordinatorFunction } from '@books/coordinator';
import {
  type LambdaContext,
  type Logger,
  ManualClock,
  marketTimeToInstant,
  runIdOf,
  type TradingDate,
} from '@books/core';
import { InProcessEventBus } from '@books/events';
import { type BatchResponse, type ExecutionOptions, executionFunction } from '@books/execution';
import { AlertStateRepository } from '@books/ledger-client';
import { legacyFunction } from '@books/legacy';
import { hasCorporateActions } from '@books/market-data';
import {
  alertNotifier,
  collectDigestInput,
  digestNotifier,
  FileNotificationSink,
  observeRun,
} from '@books/notifications';
import { reconcilerFunction } from '@books/reconciler';
import type { ReconciliationRequester } from '@books/reconciliation';
import {
  createAwsClients,
  createServices,
  type LambdaFunction,
  parseRuntimeEnv,
  type Services,
  simulatedBrokerStore,
} from '@books/runtime';
import { strategyWorkerFunction, type WorkerOptions } from '@books/strategy-worker';
import type { StackEndpoints } from '../stack/clients';
import { controlsFileBeside } from '../stack/paths';
import { ensureResources, ensureResourcesWith } from '../stack/resources';
import { type LocalStateMachine, loadStateMachine } from './definition';
import { lambdaContexts } from './lambda-context';
import { type DrainReport, drainQueue } from './queue-poller';
import { runStateMachine } from './state-machine-runner';

export interface LocalWorldOptions {
  /** The embedded servers; or `inProcess`, DynamoDB and SQS clients answered in process (a backtest). */
  readonly endpoints?: StackEndpoints;
  readonly inProcess?: { readonly dynamodb: DynamoDBClient; readonly sqs: SQSClient };
  readonly stage?: string;
  readonly barsDir: string;
  readonly strategiesDir: string;
  readonly configFile?: string;
  readonly logger: Logger;
  readonly initialCash?: string;
  /** Bars are loaded once up to this day (a replay's last day). */
  readonly barsHorizon?: TradingDate;
  /** The stage's run-time flow flags (`books migrate` sets them); default: none. */
  readonly flowFlagsFile?: string;
  /**
   * The simulated broker applies the corporate actions and cash events of `corporate-actions.json`
   * beside the bars on their dates (before the day's run); the coordinator then posts the
   * activities they make to the books before planning. Default on; false keeps the account as if
   * there were none (the books then never see one either).
   */
  readonly corporateActions?: boolean;
  /** Fault injection (tests): the services each function is built with, execution's options, the handlers. */
  readonly inject?: InjectionHooks;
  /** The broker every function trades with instead of the simulated one (tests: the Alpaca adapter on a fake). */
  readonly broker?: (clock: ManualClock) => Broker;
  /** Where each run's digest is written (`<date>-digest.{html,txt}`); absent, none is. */
  readonly notificationsDir?: string;
  /** Check the state machine's definition before its first run (default true; `RunOptions`). */
  readonly checkDefinition?: boolean;
}

const IN_PROCESS_NOWHERE = 'http://in-process.invalid';

export type LocalFunctionName = 'coordinator' | 'strategyWorker' | 'execution' | 'legacy';
/**
 * A function as the in-process runner calls it: without a context, the runner gives one with the
 * function's timeout from serverless.yml, as Lambda would; a test may give its own.
 */
export type LocalHandler<R> = (event: unknown, context?: LambdaContext) => Promise<R>;
export interface InjectionHooks {
  readonly services?: (fn: LocalFunctionName, services: Services) => Services;
  readonly execution?: ExecutionOptions;
  readonly worker?: WorkerOptions;
  readonly handler?: <R>(fn: LocalFunctionName, h: LocalHandler<R>) => LocalHandler<R>;
  /** Replaces the in-process reconciler the coordinator and execution request (the IAM check tags it). */
  readonly reconciliation?: ReconciliationRequester;
}

export interface DayResult {
  readonly date: TradingDate;
  readonly runId: string;
  readonly plan: unknown;
  readonly drain: DrainReport;
}

/**
 * The deployed system in one process: the same handlers, the same state-machine definition and
 * the same table and queue definitions, on the embedded stack, with the simulated broker trading at
 * the bars' closes. Time is a manual clock set to 15:30 New York on the simulated day.
 */
export class LocalWorld {
  private constructor(
    readonly services: Services,
    readonly clock: ManualClock,
    private readonly machine: LocalStateMachine,
    private readonly handlers: {
      coordinator: LocalHandler<unknown>;
      strategyWorker: LocalHandler<unknown>;
      execution: LocalHandler<BatchResponse>;
      legacy: LocalHandler<unknown>;
    },
    private readonly queueUrl: string,
    private readonly corporateActions = true,
    /** The stage's events, as the functions publish them (docs/events.md). */
    readonly events: InProcessEventBus = new InProcessEventBus(),
    private readonly checkDefinition = true,
  ) {}

  static async open(options: LocalWorldOptions): Promise<LocalWorld> {
    const stage = options.stage ?? 'local';
    const { endpoints, inProcess } = options;
    if ((endpoints === undefined) === (inProcess === undefined))
      throw new Error('LocalWorld.open: give either endpoints or inProcess clients');
    const resources = inProcess
      ? await ensureResourcesWith(inProcess, stage)
      : await ensureResources(endpoints ?? { dynamodb: '', sqs: '' }, stage);
    const table = resources.tables.find((t) => t.logicalId === 'LedgerTable');
    const queue = resources.queues.find((q) => q.logicalId === 'ExecutionQueue');
    if (!table || !queue) throw new Error('serverless.yml declares no LedgerTable or ExecutionQueue');
    const env = parseRuntimeEnv({
      BOOKS_STAGE: stage,
      BOOKS_TABLE_NAME: table.tableName,
      BOOKS_EXECUTION_QUEUE_URL: queue.url,
      BOOKS_STRATEGIES_DIR: options.strategiesDir,
      BOOKS_STRATEGIES_CONFIG: options.configFile ?? `config.${stage}.json`,
      BOOKS_BROKER_MODE: 'simulated',
      BOOKS_BARS: options.barsDir,
      // In process, no client is built from these: a URL that resolves nowhere, never AWS.
      BOOKS_DYNAMODB_ENDPOINT: endpoints?.dynamodb ?? IN_PROCESS_NOWHERE,
      BOOKS_SQS_ENDPOINT: endpoints?.sqs ?? IN_PROCESS_NOWHERE,
      ...(inProcess ? { BOOKS_S3_ENDPOINT: IN_PROCESS_NOWHERE, BOOKS_SSM_ENDPOINT: IN_PROCESS_NOWHERE } : {}),
      BOOKS_SIMULATED_CASH: options.initialCash ?? '100000',
      ...(options.flowFlagsFile ? { BOOKS_FLOW_FLAGS: `file:${options.flowFlagsFile}` } : {}),
      ...(options.flowFlagsFile
        ? { BOOKS_CONTROLS: `file:${controlsFileBeside(options.flowFlagsFile, stage)}` }
        : {}),
    });
    const clock = new ManualClock('2000-01-01T00:00:00Z');
    // The stage's bus: a target that fails is logged, as EventBridge would retry it, never the publisher's failure.
    const events = new InProcessEventBus((event, err) =>
      options.logger.error(
        { event: 'event-target-failed', eventId: event.id, err },
        'an event target failed',
      ),
    );
    const services = await createServices(env, {
      ...(inProcess ? { clients: { ...createAwsClients(env), ...inProcess } } : {}),
      clock,
      logger: options.logger,
      processEnv: {},
      events,
      ...(options.broker ? { broker: options.broker(clock) } : {}),
    });
    // The simulated broker's table, provisioned with the stage's others: its functions never wait for it.
    if (!options.broker) await simulatedBrokerStore(env, services.clients).ensureTable();
    if (options.notificationsDir) {
      const sink = new FileNotificationSink(options.notificationsDir);
      // The embedded stage's simulated broker has no keys, and no webhook is configured.
      const secrets = async () => [];
      events.subscribe(
        digestNotifier({
          collect: (date) => collectDigestInput(services, date),
          sink,
          secrets,
          logger: options.logger,
        }),
      );
      events.subscribe(
        alertNotifier({
          stage,
          observe: (date) => observeRun(services, date),
          store: new AlertStateRepository(services.table),
          sink,
          secrets,
          clock,
          logger: options.logger,
        }),
      );
    }
    const inject = options.inject ?? {};
    const built = (fn: LocalFunctionName) => inject.services?.(fn, services) ?? services;
    const contexts = lambdaContexts(stage);
    const wrap = <R>(fn: LocalFunctionName, f: LambdaFunction<R>): LocalHandler<R> => {
      const h: LocalHandler<R> = (event, context) => f(event, context ?? contexts(fn));
      return inject.handler?.(fn, h) ?? h;
    };
    // After a run's last trade the reconciler runs in-process, where AWS invokes its Lambda.
    const reconcile = reconcilerFunction(services);
    const reconciliation: ReconciliationRequester = inject.reconciliation ?? {
      request: async (run) => void (await reconcile({ ...run, trigger: 'run-complete' })),
    };
    const handlers = {
      coordinator: wrap('coordinator', coordinatorFunction(built('coordinator'), { reconciliation })),
      strategyWorker: wrap(
        'strategyWorker',
        strategyWorkerFunction(built('strategyWorker'), {
          ...(options.barsHorizon ? { barsHorizon: options.barsHorizon } : {}),
          ...inject.worker,
        }),
      ),
      execution: wrap(
        'execution',
        executionFunction(built('execution'), {
          fillWaitMs: 2_000,
          lockWaitMs: 10_000,
          reconciliation,
          ...inject.execution,
        }),
      ),
      legacy: wrap('legacy', legacyFunction(built('legacy'))),
    };
    return new LocalWorld(
      services,
      clock,
      loadStateMachine('dailyRun', stage),
      handlers,
      queue.url,
      options.corporateActions ?? true,
      events,
      options.checkDefinition ?? true,
    );
  }

  /** One complete daily cycle: DailyRun (plan → workers → finish), then the queue drained by execution. */
  async runDay(
    date: TradingDate,
    options: { dryRun?: boolean; executionId?: string } = {},
  ): Promise<DayResult> {
    const plan = await this.planDay(date, options);
    const drain = await drainQueue(
      this.services.clients.sqs,
      this.queueUrl,
      this.handlers.execution,
      this.services.logger,
      { retryDelaySeconds: 0 },
    );
    return { date, runId: runIdOf(this.services.env.BOOKS_STAGE, date), plan, drain };
  }

  /** DailyRun alone, at 15:30 New York on `date`: its messages stay on the queue. */
  async planDay(
    date: TradingDate,
    options: { dryRun?: boolean; executionId?: string } = {},
  ): Promise<unknown> {
    this.clock.set(marketTimeToInstant(date, '15:30'));
    if (!options.dryRun) await this.applyCorporateActions(date);
    return runStateMachine(
      this.machine,
      {
        coordinator: this.handlers.coordinator,
        strategyWorker: this.handlers.strategyWorker,
        legacy: this.handlers.legacy,
      },
      { tradingDate: date, ...(options.dryRun ? { dryRun: true } : {}) },
      options.executionId ?? `local:${this.services.env.BOOKS_STAGE}:${date}`,
      {},
      { checkDefinition: this.checkDefinition },
    );
  }

  /**
   * The simulated broker's day starts with the corporate actions dated on or before it that it has
   * not applied yet (each exactly once: it records them in its account). Only when the world was
   * opened with `corporateActions` (default on).
   */
  async applyCorporateActions(date: TradingDate): Promise<void> {
    const { broker, bars, logger } = this.services;
    if (!this.corporateActions) return;
    if (!(broker instanceof PaperBroker) || !bars || !hasCorporateActions(bars)) return;
    const applied = await broker.applyCorporateActions(await bars.corporateActions(), date);
    if (applied.length > 0)
      logger.info(
        { date, activities: applied.map((a) => ({ id: a.id, kind: a.kind, type: a.activityType })) },
        'simulated broker applied corporate actions',
      );
  }

  /** The Lambda-shaped handlers, for tests that drive messages themselves. */
  get functions() {
    return this.handlers;
  }

  get executionQueueUrl(): string {
    return this.queueUrl;
  }
}
