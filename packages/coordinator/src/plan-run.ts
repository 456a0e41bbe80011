import {
  type BookStanding,
  type BooksConfig,
  type Clock,
  capitalPolicyToWire,
  describeControl,
  errorMessage,
  type Flow,
  LEGACY,
  type Logger,
  type Money,
  marketDateOf,
  type RunId,
  runIdOf,
  type StrategyConfig,
  type StrategyId,
  type Symbol,
  type TradingDate,
  ValidationError,
  Weight,
} from '@books/core';
import type { MergedFlowPlan, PlanResult } from '@books/run-contract';
import { concentrationWarnings, notionalCaps } from './limits';
import type {
  AccountSnapshotSource,
  ActivityIngestion,
  CapitalSource,
  ConfigSource,
  ControlStandings,
  FlowGuard,
  FlowOverrides,
  IngestResult,
  MarketCalendar,
  MigrationGate,
  OpenMigrationInfo,
  PendingActivityRow,
  PlanSnapshot,
  ReconciliationBreak,
  ReconciliationCheck,
  RunHistory,
  RunRecord,
  RunStore,
  StrategySymbols,
} from './ports';
import { decideRunOrder } from './run-order';
import { decideRunWindow } from './run-window';
import { topUpGrants } from './top-up-grants';

export interface PlanRunDeps {
  readonly stage: string;
  readonly config: ConfigSource;
  readonly calendar: MarketCalendar;
  readonly account: AccountSnapshotSource;
  readonly symbols: StrategySymbols;
  readonly runs: RunStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Fail closed: reconciles before handing out items and applies `onReconciliationBreak`. Absent,
   * no reconciliation gate is applied.
   */
  readonly reconciliation?: ReconciliationCheck;
  /** Run-time flow overrides (SSM deployed): the config file's flow is the default. */
  readonly flows?: FlowOverrides;
  /** Refuses a flow that does not match where the strategy's holdings are (a half-done migration). */
  readonly flowGuard?: FlowGuard;
  /**
   * Open migrations between the flows: their strategies, and the merged flow (it trades the legacy
   * book they are moving lots in or out of), are not planned until they are finished.
   */
  readonly migrations?: MigrationGate;
  /** The stage's runs in date order: absent, runs are not ordered (tests of a single run). */
  readonly history?: RunHistory;
  /**
   * The unallocated pool: opened at the stage's first run, and read with the books in the run's
   * snapshot to grant each book its top-up (`topUpGrants`). Absent, no grant is given (the
   * pool's conditional write alone caps top-ups).
   */
  readonly capital?: CapitalSource;
  /**
   * The trader controls (pause, liquidate, halt, drawdown latches): a halted account plans nothing,
   * a paused book is not dispatched, a liquidating one is dispatched to sell to cash. Absent, no
   * control applies; a store that cannot be read stops the run.
   */
  readonly controls?: ControlStandings;
  /**
   * The broker's activities since the last run, posted before the reconciliation gate and the plan
   * (a split's lots are split before its ex date's first trade; a dividend is cash the books plan
   * with). Absent, none are posted.
   */
  readonly activities?: ActivityIngestion;
}

export interface PlanRunRequest {
  readonly executionId: string;
  /** A local run or replay of a given day: skips the time-of-day window, not the calendar. */
  readonly tradingDate?: TradingDate;
  readonly dryRun?: boolean;
}

/**
 * The first state of DailyRun: validate the configuration, check the calendar and the run window,
 * take the run lock (one run per stage and trading date), snapshot the account once, record the
 * run with every strategy PENDING, and hand out the Map items. Nothing is planned or traded here.
 */
/** The Plan state's result (the DailyRun contract's PlanResult): Map items, the merged-flow plan. */
export async function planRun(deps: PlanRunDeps, request: PlanRunRequest): Promise<PlanResult> {
  const now = deps.clock.now();
  const log = deps.logger.child({ phase: 'plan', executionId: request.executionId });

  let config: BooksConfig;
  try {
    config = await deps.config.load();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    log.error({ event: 'config-invalid', problems: e.issues }, e.message);
    return {
      proceed: false,
      reason: 'stopped: invalid strategy configuration',
      problems: e.issues.map((i) => `${i.path}: ${i.message}`),
    };
  }

  const date = request.tradingDate ?? marketDateOf(now);
  // The gates' reads start while the calendar says whether the day is in its window (a broker
  // request deployed): reads only, each decided on below in the same order as when read one after
  // another; a run skipped or stopped leaves the later ones unused.
  const sessionAsked = deps.calendar.session(date);
  const reads = startGateReads(deps, config);
  // The pool as it stands, for its opening below (a read; a dry run opens nothing), and, when it is
  // open, the activities since it opened for their ingestion below (reads; it posts nothing here).
  const capital = deps.capital;
  const poolSeen = capital && !request.dryRun ? startRead(() => capital.poolOpenedAt()) : undefined;
  const activitiesRead = readActivitiesAhead(deps, date, poolSeen);
  const session = await sessionAsked;
  const window = request.tradingDate
    ? session
      ? ({ run: true } as const)
      : ({ run: false, reason: `skipped: market closed (${date} is not a trading day)` } as const)
    : decideRunWindow(now, date, session, config.runWindowMinutes);
  if (!window.run) {
    log.info({ event: 'run-skipped', date }, window.reason);
    if (!request.dryRun) await deps.runs.recordSkip(deps.stage, date, window.reason, now.toISOString());
    return { proceed: false, reason: window.reason };
  }

  const runId = runIdOf(deps.stage, date);
  const order = await takeRunOrder(deps, runId, date, now, request.dryRun ?? false);
  if ('stop' in order) {
    log.warn({ event: 'run-out-of-order', runId }, order.stop);
    if (!request.dryRun) await deps.runs.recordSkip(deps.stage, date, order.stop, now.toISOString());
    return { proceed: false, reason: order.stop, runId };
  }
  const flows = await effectiveFlows(config, reads.overrides, log);
  if ('stop' in flows) {
    if (!request.dryRun) await deps.runs.recordSkip(deps.stage, date, flows.stop, now.toISOString());
    return { proceed: false, reason: flows.stop, runId };
  }
  config = { ...config, strategies: flows.strategies };
  const controls = await standingsOf(reads.standings, log);
  if ('stop' in controls) {
    if (!request.dryRun) await deps.runs.recordSkip(deps.stage, date, controls.stop, now.toISOString());
    return { proceed: false, reason: controls.stop, runId };
  }
  const guard = (await valueOf(reads.guard)) ?? new Map<StrategyId, string>();
  for (const [sid, reason] of guard) log.error({ event: 'flow-mismatch', runId, strategy: sid }, reason);
  const migrating = (await valueOf(reads.migrating)) ?? [];
  const mergedByGuard = mergedStrategiesOf(config, guard);
  const migrationHeld = migrationBlocks(migrating, config, mergedByGuard);
  for (const [sid, reason] of migrationHeld)
    log.error({ event: 'migration-open', runId, strategy: sid }, reason);
  const paused = heldBooks(config.strategies, controls.books);
  for (const [sid, why] of paused) log.info({ event: 'book-paused', runId, strategy: sid }, why);
  // A migration's hold comes first: it names why the book cannot be planned at all.
  const held = new Map([...paused, ...migrationHeld]);
  const candidates = config.strategies.filter((s) => s.enabled && !guard.has(s.id) && !held.has(s.id));
  // The pool is opened before the first reconciliation of the stage, so that one finds it.
  const pool =
    capital && !request.dryRun
      ? await capital.openPool(
          config.strategies.map((s) => s.id),
          now.toISOString(),
          { openedAt: await valueOf(poolSeen) },
        )
      : undefined;
  let stillPending: readonly PendingActivityRow[] | undefined;
  if (deps.activities && !request.dryRun) {
    const ingestAhead = await valueOf(activitiesRead);
    const ingested = ingestAhead
      ? await ingestAhead(now.toISOString())
      : await deps.activities.ingest(date, now.toISOString(), pool ? { poolOpenedAt: pool.openedAt } : {});
    for (const p of ingested.pending)
      log.error(
        { event: 'activity-pending', runId, activityId: p.id },
        `activity ${p.id} needs an operator: ${p.reason}`,
      );
    stillPending = ingested.stillPending;
  }
  const gate = await reconciliationGate(deps, config, candidates, date, stillPending);
  for (const w of gate.warnings) log.warn({ event: 'reconciliation-break', runId }, w);
  if (gate.stop) {
    log.error({ event: 'run-blocked', runId }, gate.stop);
    if (!request.dryRun) await deps.runs.recordSkip(deps.stage, date, gate.stop, now.toISOString());
    return { proceed: false, reason: gate.stop, runId };
  }
  const enabled = candidates.filter((s) => !gate.blocked.has(s.id));
  const warnings = [
    ...(order.warning ? [order.warning] : []),
    ...(await overlapWarnings(deps.symbols, candidates)),
    ...gate.warnings,
  ];
  for (const w of warnings) log.warn({ event: 'shared-symbol', runId }, w);
  const share = config.limits?.concentrationWarning;
  const positionsOf = share ? deps.account.positions?.bind(deps.account) : undefined;
  // The account and, for the concentration warning, its positions: as the reconciliation just read
  // them (the plan's one snapshot), else both read at once.
  const known = gate.read;
  const [snapshot, positions] = known
    ? [known.account, positionsOf ? known.positions : undefined]
    : await Promise.all([deps.account.account(), positionsOf ? positionsOf() : undefined]);
  if (share && positions)
    for (const w of concentrationWarnings(positions, snapshot.equity, share)) {
      log.warn({ event: 'concentration', runId }, w);
      warnings.push(w);
    }
  const record: RunRecord = {
    runId,
    stage: deps.stage,
    tradingDate: date,
    executionId: request.executionId,
    plannedAt: now.toISOString(),
    // Execution places none of the run's orders after it (it then need not ask the calendar).
    ...(session ? { sessionCloseAt: session.closeAt.toISOString() } : {}),
    equity: snapshot.equity,
    cash: snapshot.cash,
    strategies: config.strategies.map((s) => ({
      strategyId: s.id,
      file: s.file,
      allocation: s.allocation.toString(),
      flow: s.flow,
      ...statusOf(
        s,
        migrationHeld.get(s.id) ?? gate.blocked.get(s.id) ?? guard.get(s.id) ?? paused.get(s.id),
        controlNote(controls.books.get(s.id)) ?? flows.notes.get(s.id),
      ),
    })),
    warnings,
  };

  const merged = migrating.length > 0 ? [] : mergedByGuard;
  // The capital snapshot of the grants: the books and the pool as the reconciliation read them,
  // else read while the run is recorded (a read: unused when another execution holds the run).
  const grantsRead = capital && startRead(() => capitalOf(capital, enabled, merged, known));
  let run = record;
  if (!request.dryRun) {
    const lock = await deps.runs.createRun(record);
    if (lock.result === 'exists' && lock.record.executionId !== request.executionId) {
      const reason = `already planned: run ${runId} exists (execution ${lock.record.executionId}); not planning again`;
      log.info({ event: 'run-exists', runId }, reason);
      return { proceed: false, reason, runId };
    }
    run = lock.record;
  }
  const capitalRead = await valueOf(grantsRead);
  const grants = capitalRead ? grantsOf(config, run, capitalRead) : new Map<StrategyId, Money>();
  for (const [sid, grant] of grants)
    log.info({ event: 'top-up-grant', runId, strategy: sid, grant: grant.toString() }, 'top-up granted');
  const liquidating = (sid: StrategyId) => controls.books.get(sid)?.kind === 'liquidate';
  const caps = notionalCaps(
    config.limits,
    enabled.filter((s) => !isMerged(s) && !liquidating(s.id)),
  );
  log.info(
    { event: 'run-planned', runId, strategies: enabled.length, equity: run.equity.toString() },
    'run dispatched',
  );
  return {
    proceed: true,
    runId,
    warnings: [...run.warnings],
    items: enabled.map((s) => ({
      runId,
      strategyId: s.id,
      file: s.file,
      allocation: s.allocation.toString(),
      flow: s.flow,
      asOf: date,
      accountEquity: run.equity.toString(),
      plannedAt: run.plannedAt,
      capitalPolicy: capitalPolicyToWire(config.capitalPolicy),
      minTradeNotional: config.minTradeNotional.toString(),
      dryRun: request.dryRun ?? false,
      cashReserve: config.cashReserve.toString(),
      ...limitOf(grants, s.id),
      ...controlsOf(s, controls.books.get(s.id), caps.get(s.id)),
    })),
    ...mergedFlowOf(config, merged, run, date, request.dryRun ?? false, limitOf(grants, LEGACY)),
  };
}

/** A read started ahead of its decision: its value or its error, kept until the decision asks. */
type Read<T> = Promise<
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }
>;

function startRead<T>(read: () => Promise<T>): Read<T> {
  return read().then(
    (value) => ({ ok: true, value }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );
}

/** The read's value, or its error thrown where the decision asks for it (as an unstarted read's). */
async function valueOf<T>(read: Read<T> | undefined): Promise<T | undefined> {
  if (!read) return undefined;
  const r = await read;
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * The activity ingestion's reads started ahead, once the pool is read open: the ingestion that
 * posts from them (undefined when the pool is not open, or on a dry run, which posts nothing).
 */
function readActivitiesAhead(
  deps: PlanRunDeps,
  date: TradingDate,
  poolSeen: Read<string | undefined> | undefined,
): Read<((at: string) => Promise<IngestResult>) | undefined> | undefined {
  const activities = deps.activities;
  if (!activities?.readAhead || !poolSeen) return undefined;
  const readAhead = activities.readAhead.bind(activities);
  return startRead(async () => {
    const seen = await poolSeen;
    // The pool's read failed: its error is thrown where the pool is opened, before any ingestion.
    if (!seen.ok || seen.value === undefined) return undefined;
    return readAhead(date, seen.value);
  });
}

interface GateReads {
  readonly overrides?: Read<ReadonlyMap<StrategyId, Flow>>;
  readonly standings?: Read<Awaited<ReturnType<ControlStandings['standings']>>>;
  /** The flow guard over the flows with the overrides applied; absent when they cannot be read. */
  readonly guard?: Read<ReadonlyMap<StrategyId, string>>;
  readonly migrating?: Read<readonly OpenMigrationInfo[]>;
}

/**
 * Starts the plan's independent reads at once: the flow overrides (then the flow guard over the
 * flows they give), the controls and the open migrations. Reads only: every write and decision
 * stays where it was.
 */
function startGateReads(deps: PlanRunDeps, config: BooksConfig): GateReads {
  const ids = config.strategies.map((s) => s.id);
  const { flows, controls, flowGuard, migrations } = deps;
  const overrides = flows ? startRead(() => flows.overrides()) : undefined;
  const guarded = (strategies: readonly StrategyConfig[]) =>
    flowGuard ? startRead(() => flowGuard.check(strategies)) : undefined;
  return {
    ...(overrides ? { overrides } : {}),
    ...(controls ? { standings: startRead(() => controls.standings(ids)) } : {}),
    ...(flowGuard
      ? {
          guard: (async () => {
            const read = overrides ? await overrides : undefined;
            const strategies = read?.ok
              ? withOverrides(config.strategies, read.value).strategies
              : config.strategies;
            return (await guarded(strategies)) ?? { ok: true as const, value: new Map() };
          })(),
        }
      : {}),
    ...(migrations ? { migrating: startRead(() => migrations.open(ids)) } : {}),
  };
}

/**
 * The controls in force for this run: a halt stops it (recorded as the run's skip, with who and
 * why); a store that cannot be read stops it too (the controls of real money are never guessed).
 */
async function standingsOf(
  read: GateReads['standings'],
  log: Logger,
): Promise<{ books: ReadonlyMap<StrategyId, BookStanding> } | { stop: string }> {
  if (!read) return { books: new Map() };
  const r = await read;
  if (!r.ok) {
    const stop = `stopped: the trader controls cannot be read (${errorMessage(r.error)})`;
    log.error({ event: 'controls-unreadable' }, stop);
    return { stop };
  }
  const standings = r.value;
  if (standings.halt) {
    const stop = `halted: ${describeControl('trading halted', standings.halt)} (books resume --account clears it)`;
    log.warn({ event: 'run-halted' }, stop);
    return { stop };
  }
  return { books: standings.books };
}

/**
 * The books not dispatched for their control, with the reason on their run item: paused ones, and
 * a merged-flow strategy asked to liquidate (its holdings are in the legacy book, not its own:
 * it is held like a paused one).
 */
function heldBooks(
  strategies: readonly StrategyConfig[],
  standings: ReadonlyMap<StrategyId, BookStanding>,
): Map<StrategyId, string> {
  const held = new Map<StrategyId, string>();
  for (const s of strategies) {
    const standing = standings.get(s.id);
    if (standing?.kind === 'paused') held.set(s.id, `paused: ${standing.why}`);
    if (standing?.kind === 'liquidate' && isMerged(s))
      held.set(
        s.id,
        `paused: ${standing.why}; a ${s.flow}-flow strategy has no book of its own to liquidate`,
      );
  }
  return held;
}

function controlNote(standing: BookStanding | undefined): string | undefined {
  return standing?.kind === 'liquidate' ? `liquidating: ${standing.why}` : undefined;
}

/** A dispatched book's control fields: its liquidation, its notional cap, its drawdown stop. */
function controlsOf(
  s: StrategyConfig,
  standing: BookStanding | undefined,
  cap: Money | undefined,
): {
  liquidate?: { requestId: string; why: string };
  dailyNotionalCap?: string;
  drawdownStop?: { maxDrawdown: string; action: 'liquidate' | 'pause' };
} {
  const stop = s.limits?.drawdownStop;
  return {
    ...(standing?.kind === 'liquidate'
      ? { liquidate: { requestId: standing.requestId, why: standing.why } }
      : {}),
    ...(cap ? { dailyNotionalCap: cap.toString() } : {}),
    ...(stop ? { drawdownStop: { maxDrawdown: stop.maxDrawdown.toString(), action: stop.action } } : {}),
  };
}

const ORDER_ATTEMPTS = 3;

/**
 * Runs go forward in date (run-order.ts): decides from the stage's latest run, then makes this
 * run the latest (not for a dry run), compare-and-set on the one read: when another date moved it
 * first, reads it again and decides again.
 */
async function takeRunOrder(
  deps: PlanRunDeps,
  runId: RunId,
  date: TradingDate,
  now: Date,
  dryRun: boolean,
): Promise<{ warning?: string } | { stop: string }> {
  const history = deps.history;
  if (!history) return {};
  for (let attempt = 1; ; attempt++) {
    const found = await history.latest(deps.stage);
    const session =
      found && found.tradingDate !== date ? await deps.calendar.session(found.tradingDate) : undefined;
    const latest = found && { ...found, ...(session ? { closeAt: session.closeAt } : {}) };
    const decision = decideRunOrder(date, now, latest);
    if (!decision.go) return { stop: decision.reason };
    const warning = decision.warning ? { warning: decision.warning } : {};
    if (dryRun) return warning;
    const at = now.toISOString();
    if (await history.advance(deps.stage, latest?.tradingDate, { runId, tradingDate: date, at }))
      return warning;
    if (attempt >= ORDER_ATTEMPTS)
      return { stop: `refused: the stage's latest run kept moving while ${date} was being planned` };
  }
}

function limitOf(grants: ReadonlyMap<StrategyId, Money>, sid: StrategyId): { topUpLimit?: string } {
  const grant = grants.get(sid);
  return grant ? { topUpLimit: grant.toString() } : {};
}

interface CapitalSnapshot {
  readonly requests: readonly { readonly strategyId: StrategyId; readonly allocation: Weight }[];
  readonly snapshot: Awaited<ReturnType<CapitalSource['snapshot']>>;
}

/**
 * One snapshot of the pool and the books asking for a top-up: every dispatched book, and the
 * LEGACY book (for the merged flow's allocations) when some strategy is on it.
 */
async function capitalOf(
  capital: CapitalSource,
  enabled: readonly StrategyConfig[],
  merged: readonly StrategyConfig[],
  known: PlanSnapshot | undefined,
): Promise<CapitalSnapshot> {
  const requests = enabled
    .filter((s) => !isMerged(s))
    .map((s) => ({ strategyId: s.id, allocation: s.allocation }));
  if (merged.length > 0)
    requests.push({ strategyId: LEGACY, allocation: Weight.sum(merged.map((s) => s.allocation)) });
  return {
    requests,
    snapshot: await capital.snapshot(
      requests.map((r) => r.strategyId),
      known,
    ),
  };
}

/** The run's top-up grants from the capital snapshot. */
function grantsOf(config: BooksConfig, run: RunRecord, { requests, snapshot }: CapitalSnapshot) {
  return topUpGrants({
    runId: run.runId,
    accountEquity: run.equity,
    policy: config.capitalPolicy,
    at: run.plannedAt,
    pool: snapshot.pool,
    books: snapshot.books,
    requests,
  });
}

const isMerged = (s: StrategyConfig): s is StrategyConfig & { flow: 'legacy' | 'shadow' } =>
  s.flow === 'legacy' || s.flow === 'shadow';

/**
 * The merged flow's strategies are those whose holdings are in the legacy book: their flow is
 * legacy or shadow, or their flag says per-strategy but the guard found their holdings still in the
 * legacy book (not migrated yet: their share is held, not sold). A legacy-flow strategy whose
 * holdings are in its own book is left out (its share is not bought again).
 */
function mergedStrategiesOf(
  config: BooksConfig,
  guard: ReadonlyMap<StrategyId, string>,
): (StrategyConfig & { flow: 'legacy' | 'shadow' })[] {
  return config.strategies
    .filter((s) => isMerged(s) !== guard.has(s.id))
    .map((s) => ({ ...s, flow: isMerged(s) ? s.flow : ('legacy' as const) }));
}

/** The code of a strategy not planned because a migration is open. */
export const MIGRATION_OPEN = 'MIGRATION_OPEN';

/**
 * The strategies an open migration holds back, with the reason: the migrating strategy (its
 * holdings are split between its own book and the legacy book until the migration is finished),
 * and while any migration is open every strategy of the merged flow (it would trade the legacy
 * book the migration is moving lots in or out of).
 */
function migrationBlocks(
  migrating: readonly OpenMigrationInfo[],
  config: BooksConfig,
  merged: readonly StrategyConfig[],
): Map<StrategyId, string> {
  const held = new Map<StrategyId, string>();
  const fix = (m: OpenMigrationInfo) => `finish it with  books migrate ${m.strategyId} --to ${m.to}`;
  for (const m of migrating)
    if (config.strategies.some((s) => s.id === m.strategyId))
      held.set(
        m.strategyId,
        `${MIGRATION_OPEN}: migration ${m.migrationId} of ${m.strategyId} to ${m.to} is open: ${fix(m)}`,
      );
  const first = migrating[0];
  if (first)
    for (const s of merged)
      if (!held.has(s.id))
        held.set(
          s.id,
          `${MIGRATION_OPEN}: the legacy book is mid-migration (${first.migrationId} of ${first.strategyId}): ${fix(first)}`,
        );
  return held;
}

function mergedFlowOf(
  config: BooksConfig,
  merged: readonly (StrategyConfig & { flow: 'legacy' | 'shadow' })[],
  run: RunRecord,
  date: TradingDate,
  dryRun: boolean,
  limit: { topUpLimit?: string },
): { legacy?: MergedFlowPlan } {
  if (merged.length === 0) return {};
  return {
    legacy: {
      asOf: date,
      accountEquity: run.equity.toString(),
      plannedAt: run.plannedAt,
      capitalPolicy: capitalPolicyToWire(config.capitalPolicy),
      minTradeNotional: config.minTradeNotional.toString(),
      dryRun,
      strategies: merged.map((s) => ({
        strategyId: s.id,
        allocation: s.allocation.toString(),
        flow: s.flow,
      })),
      perStrategyIds: config.strategies.map((s) => s.id),
      cashReserve: config.cashReserve.toString(),
      ...limit,
    },
  };
}

/**
 * The config's flows with the run-time overrides applied. An override naming a strategy that is
 * not in the config is a warning; a store that cannot be read stops the run (the flows of real
 * money are never guessed).
 */
async function effectiveFlows(
  config: BooksConfig,
  read: GateReads['overrides'],
  log: Logger,
): Promise<{ strategies: StrategyConfig[]; notes: Map<StrategyId, string> } | { stop: string }> {
  if (!read) return { strategies: [...config.strategies], notes: new Map() };
  const r = await read;
  if (!r.ok) {
    const stop = `stopped: the flow flags cannot be read (${errorMessage(r.error)})`;
    log.error({ event: 'flow-flags-unreadable' }, stop);
    return { stop };
  }
  const overrides = r.value;
  for (const sid of overrides.keys())
    if (!config.strategies.some((s) => s.id === sid))
      log.warn(
        { event: 'flow-flag-unknown', strategy: sid },
        `flow flag for ${sid}, which is not in the config`,
      );
  return withOverrides(config.strategies, overrides);
}

/** The strategies with their flow flags applied, and a note on each one a flag changed. */
function withOverrides(
  configured: readonly StrategyConfig[],
  overrides: ReadonlyMap<StrategyId, Flow>,
): { strategies: StrategyConfig[]; notes: Map<StrategyId, string> } {
  const notes = new Map<StrategyId, string>();
  const strategies = configured.map((s) => {
    const flow = overrides.get(s.id);
    if (flow === undefined || flow === s.flow) return s;
    notes.set(s.id, `flow ${flow} (flag; config says ${s.flow})`);
    return { ...s, flow };
  });
  return { strategies, notes };
}

/** Symbols that several strategies' files can hold: legal, but worth a warning. */
async function overlapWarnings(
  symbols: StrategySymbols,
  strategies: readonly StrategyConfig[],
): Promise<string[]> {
  const holders = new Map<Symbol, string[]>();
  for (const s of strategies) {
    for (const symbol of await symbols.symbolsOf(s.file)) {
      holders.set(symbol, [...(holders.get(symbol) ?? []), s.id]);
    }
  }
  return [...holders.entries()]
    .filter(([, ids]) => ids.length > 1)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([symbol, ids]) => `${symbol} can be held by ${ids.join(', ')}: each book keeps its own lots of it`);
}

/** Every enabled strategy is dispatched unless blocked; a flag-changed flow is noted. */
function statusOf(
  s: StrategyConfig,
  blocked?: string,
  flowNote?: string,
): { status: 'PENDING' | 'SKIPPED'; note?: string } {
  if (!s.enabled) return { status: 'SKIPPED', note: 'disabled in the configuration' };
  if (blocked !== undefined) return { status: 'SKIPPED', note: blocked };
  return { status: 'PENDING', ...(flowNote ? { note: flowNote } : {}) };
}

interface Gate {
  /** Strategies not planned, with the reason recorded on their run item. */
  readonly blocked: ReadonlyMap<StrategyId, string>;
  readonly warnings: readonly string[];
  /** Set when the whole run is refused. */
  readonly stop?: string;
  /** What the reconciliation read: the plan's snapshot of the books and the account. */
  readonly read?: PlanSnapshot;
}

/**
 * Fail closed on reconciliation breaks: a strategy whose book holds a broken symbol, or whose DSL
 * can trade it, would plan from a book that does not explain the account. `block-strategy` skips
 * those strategies (recorded SKIPPED with the break), `block-run` refuses the run, `warn` only
 * warns. A reconciliation that cannot run blocks like a break: nothing is known to be explained.
 */
async function reconciliationGate(
  deps: PlanRunDeps,
  config: BooksConfig,
  candidates: readonly StrategyConfig[],
  date: TradingDate,
  pendingActivities: readonly PendingActivityRow[] | undefined,
): Promise<Gate> {
  if (!deps.reconciliation) return { blocked: new Map(), warnings: [] };
  let breaks: readonly ReconciliationBreak[];
  let read: PlanSnapshot | undefined;
  try {
    ({ breaks, read } = await deps.reconciliation.breaks(
      date,
      pendingActivities ? { pendingActivities } : {},
    ));
  } catch (e) {
    const reason = `reconciliation could not run (${errorMessage(e)})`;
    if (config.onReconciliationBreak === 'warn') return { blocked: new Map(), warnings: [reason] };
    if (config.onReconciliationBreak === 'block-run')
      return { blocked: new Map(), warnings: [], stop: `stopped: ${reason}` };
    return { blocked: new Map(candidates.map((s) => [s.id, `blocked: ${reason}`])), warnings: [] };
  }
  const snapshot = read ? { read } : {};
  if (breaks.length === 0) return { blocked: new Map(), warnings: [], ...snapshot };
  const text = (b: ReconciliationBreak) => `${b.symbol} ${b.status} (unexplained ${b.unexplained})`;
  const warnings = breaks.map((b) => `reconciliation break: ${text(b)}`);
  if (config.onReconciliationBreak === 'warn') return { blocked: new Map(), warnings, ...snapshot };
  if (config.onReconciliationBreak === 'block-run')
    return {
      blocked: new Map(),
      warnings,
      stop: `stopped: reconciliation breaks ${breaks.map(text).join(', ')}`,
    };
  const blocked = new Map<StrategyId, string>();
  for (const s of candidates) {
    const tradable = new Set<string>(await deps.symbols.symbolsOf(s.file));
    const hit = breaks.filter((b) => b.holders.includes(s.id) || tradable.has(b.symbol));
    if (hit.length > 0)
      blocked.set(s.id, `blocked: unexplained reconciliation break on ${hit.map(text).join(', ')}`);
  }
  return { blocked, warnings, ...snapshot };
}
