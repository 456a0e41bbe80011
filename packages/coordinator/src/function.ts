import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LambdaContext, Symbol } from '@books/core';
import { LegacyRepository, MigrationRepository } from '@books/ledger-client';
import {
  LedgerRunCompletionStore,
  ledgerActivityIngestion,
  ledgerReconciliationCheck,
  type ReconciliationRequester,
  RunCompletion,
  RunCompletionFailed,
  runEvents,
} from '@books/reconciliation';
import {
  CoordinatorEventSchema,
  type FinishResult,
  failureReasonOf,
  type PlanState,
  planStateOf,
} from '@books/run-contract';
import { type LambdaFunction, readStandings, type Services } from '@books/runtime';
import { BrokerMarketCalendar } from './adapters/broker-market';
import { FileConfigSource } from './adapters/file-config-source';
import { LedgerCapital } from './adapters/ledger-capital';
import { LedgerFlowGuard } from './adapters/ledger-flow-guard';
import { LedgerMigrationGate } from './adapters/ledger-migration-gate';
import { LedgerRunHistory } from './adapters/ledger-run-history';
import { LedgerRunStore } from './adapters/ledger-run-store';
import { compileOnce } from './compile-cache';
import { type PlanRunDeps, planRun } from './plan-run';
import type { DispatchOutcome } from './ports';

export interface CoordinatorOptions {
  /** Where a finished run's reconciliation is requested when nothing of it is left to trade. */
  readonly reconciliation?: ReconciliationRequester;
}

/**
 * The coordinator's two phases of DailyRun, over the stage's services. Plan fails closed: it
 * reconciles the books with the broker first and applies `onReconciliationBreak`. Finish asks for
 * the run's reconciliation when the run is already complete (nothing to trade, or every trade
 * done before the last worker returned); otherwise execution asks after the run's last trade.
 */
export function coordinatorFunction(
  services: Services,
  options: CoordinatorOptions = {},
): LambdaFunction<PlanState | FinishResult> {
  const { env, broker, clock } = services;
  const strategiesDir = env.BOOKS_STRATEGIES_DIR;
  const market = new BrokerMarketCalendar(broker);
  const store = new LedgerRunStore(services.table, services.runs);
  const deps: PlanRunDeps = {
    stage: env.BOOKS_STAGE,
    config: new FileConfigSource(strategiesDir, env.BOOKS_STRATEGIES_CONFIG),
    calendar: market,
    account: market,
    symbols: {
      async symbolsOf(file) {
        const compiled = compileOnce(readFileSync(join(strategiesDir, file), 'utf8'), file);
        return compiled.ok ? compiled.value.symbols.map((s) => Symbol(s)) : [];
      },
    },
    runs: store,
    clock,
    logger: services.logger.child({ function: 'coordinator' }),
    reconciliation: ledgerReconciliationCheck(services),
    flows: { overrides: () => services.flows.read() },
    flowGuard: new LedgerFlowGuard(new LegacyRepository(services.table), services.books),
    migrations: new LedgerMigrationGate(new MigrationRepository(services.table)),
    history: new LedgerRunHistory(services.table),
    capital: new LedgerCapital(services.table, services.books, broker),
    controls: { standings: (sids) => readStandings(services.controls, services.controlLedger, sids) },
    activities: ledgerActivityIngestion(services),
  };
  const completion =
    options.reconciliation &&
    new RunCompletion({
      store: new LedgerRunCompletionStore(services.table),
      reconciliation: options.reconciliation,
      clock,
      logger: deps.logger,
      events: runEvents(services),
    });
  return async (raw, context: LambdaContext) => {
    const event = CoordinatorEventSchema.parse(raw);
    const log = deps.logger.child({ requestId: context.awsRequestId });
    if (event.phase === 'plan') {
      const { tradingDate, dryRun } = event.trigger ?? {};
      // Choosing the day skips the time-of-day window: only for the simulated broker (local runs,
      // replays). Against a real account the run plans for today, inside the window, or not at all.
      if (tradingDate && env.BOOKS_BROKER_MODE !== 'simulated') {
        return {
          proceed: false,
          reason: `refused: a trading date (${tradingDate}) may only be given to a simulated broker, not ${env.BOOKS_BROKER_MODE}`,
        };
      }
      // The Map items' run-wide fields once in the state, not per strategy (the 256 KiB limit).
      return planStateOf(
        await planRun(
          { ...deps, logger: log },
          {
            executionId: event.executionId,
            ...(tradingDate ? { tradingDate } : {}),
            ...(dryRun ? { dryRun: true } : {}),
          },
        ),
      );
    }
    const outcomes: DispatchOutcome[] = event.outcomes.map((o) => {
      const reason = failureReasonOf(o);
      return { strategyId: o.strategyId, outcome: o.outcome, ...(reason ? { reason } : {}) };
    });
    await store.finishRun(event.runId, outcomes, clock.now().toISOString());
    log.info({ event: 'run-dispatched', runId: event.runId, outcomes }, 'run dispatched');
    try {
      await completion?.requestIfComplete(event.runId);
    } catch (e) {
      // The run stands (DISPATCHED); its completion (reconciliation request, RunCompleted) is not
      // done: Finish fails so that DailyRun retries it, and finishing again completes the run.
      log.error(
        { event: 'reconciliation-request-failed', runId: event.runId, err: e },
        'run completion failed: Finish fails for DailyRun to retry it',
      );
      throw new RunCompletionFailed(event.runId, e);
    }
    return { runId: event.runId, status: 'DISPATCHED', outcomes };
  };
}
