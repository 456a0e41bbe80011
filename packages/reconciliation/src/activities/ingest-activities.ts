import type { ListActivitiesQuery, NonTradeActivity } from '@books/broker';
import { type Logger, marketDateOf, type StrategyId, type Symbol, type TradingDate } from '@books/core';
import type { StoredActivity } from '@books/ledger-client';
import { type ActivityPlan, exDateOf, type Holding, planActivity } from './plan-activity';

/** The broker's activities (the port's `listActivities`). */
export interface ActivitySource {
  listActivities(query?: ListActivitiesQuery): Promise<NonTradeActivity[]>;
}

/** Holdings read once per ingestion attempt: every book's lots now and its trades since a date. */
export interface HoldingsSnapshot {
  holdings(symbol: Symbol, date: TradingDate): readonly Holding[];
}

/** The ledger side of the ingestion (`LedgerActivities` over the one table). */
export interface ActivityLedger {
  /** Every activity already ingested (posted, pending, resolved or before the ledger). */
  ingested(): Promise<readonly StoredActivity[]>;
  /** The day the stage's pool opened (activities until then are in its opening); undefined before. */
  poolOpenedOn(): Promise<TradingDate | undefined>;
  /** Reads the books (every book on the ledger, EXTERNAL excluded) for the symbols and dates asked. */
  snapshot(
    asks: readonly { readonly symbol: Symbol; readonly date: TradingDate }[],
  ): Promise<HoldingsSnapshot>;
  /**
   * Writes a plan for `group` (its first row names the record) with `record` as its activity item:
   * `posted`, `already-posted` (another ingestion did it), `retry` (a book changed since it was
   * read: read and plan again), `pool-short` (an outflow larger than the pool) or `too-large`
   * (more writes than one transaction holds); nothing is written for the last three.
   */
  write(
    group: readonly NonTradeActivity[],
    plan: ActivityPlan,
    record: (outcome: StoredActivity['outcome'], reason?: string) => readonly StoredActivity[],
  ): Promise<'posted' | 'already-posted' | 'retry' | 'pool-short' | 'too-large'>;
}

export interface IngestPorts {
  readonly broker: ActivitySource;
  readonly ledger: ActivityLedger;
  readonly logger: Logger;
}

export interface IngestSummary {
  readonly posted: readonly string[];
  readonly pending: readonly { readonly id: string; readonly reason: string }[];
  readonly beforeLedger: readonly string[];
  /**
   * The ledger's activities as this ingestion read them, when it wrote none (they are then the
   * ledger's activities after it): a reconciliation in the same invocation takes its pending ones
   * from here instead of reading them again. Absent when it wrote any, or did not read them.
   */
  readonly stored?: readonly StoredActivity[];
}

const ATTEMPTS = 5;

/**
 * Posts every broker activity dated on or before `date` that the ledger has not ingested, exactly
 * once each (by activity id; `ActivityRepository`), oldest first: to the books (`planActivity`), to
 * the pool, or to the operator's queue (pending, with its reason: a named break). An activity
 * dated on or before the day the pool opened is recorded `before-ledger` (the pool's opening and the
 * books' trades already hold it). The rows of one symbol change (NC, same date and group) post
 * together. Runs after the close and before each plan (the coordinator), so a split is posted
 * before the first trade of its ex date.
 */
export async function ingestActivities(
  ports: IngestPorts,
  request: {
    readonly date: TradingDate;
    readonly at: string;
    /** The pool's opening day when the caller knows it (`poolOpeningDay`): not read again. */
    readonly poolOpenedOn?: TradingDate;
  },
  /** The ingestion's reads when the caller started them ahead (`readActivities`): not read again. */
  read?: ActivityReads,
): Promise<IngestSummary> {
  const { opened, ingested, since } = read ?? (await readActivities(ports, request.poolOpenedOn));
  const summary = {
    posted: [] as string[],
    pending: [] as { id: string; reason: string }[],
    beforeLedger: [] as string[],
  };
  if (opened === undefined) return summary;
  const done = new Set(ingested.map((a) => a.activityId));
  const listed = (since ?? (await ports.broker.listActivities({ after: opened }))).filter(
    (a) => a.date <= request.date && !done.has(a.id),
  );
  if (listed.length === 0) return { ...summary, stored: ingested };
  for (const group of groupsOf(listed)) {
    const head = group[0] as NonTradeActivity;
    const record = (outcome: StoredActivity['outcome'], reason?: string, books: readonly StrategyId[] = []) =>
      group.map((a) => recordOf(a, outcome, request.at, group, reason, books));
    if (head.date <= opened) {
      await ports.ledger.write(group, { kind: 'pending', reason: 'before the ledger' }, () =>
        record('before-ledger', `dated on or before the pool's opening (${opened})`),
      );
      summary.beforeLedger.push(head.id);
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      const asks = group.flatMap((a) =>
        'symbol' in a && a.symbol
          ? [{ symbol: a.symbol, date: a.kind === 'dividend' ? exDateOf(a) : a.date }]
          : [],
      );
      const snapshot = await ports.ledger.snapshot(asks);
      let plan = planActivity(group, { at: request.at, holdings: (s, d) => snapshot.holdings(s, d) });
      let result = await ports.ledger.write(group, plan, (outcome, reason) =>
        record(outcome, reason, plan.kind === 'books' ? plan.postings.map((p) => p.strategyId) : []),
      );
      if (result === 'pool-short' || result === 'too-large') {
        const reason =
          result === 'pool-short'
            ? `${head.activityType} of ${amountOf(head)} exceeds the pool`
            : `${head.activityType} touches more lots than one transaction can post at once`;
        plan = { kind: 'pending', reason };
        result = await ports.ledger.write(group, plan, (outcome, why) => record(outcome, why));
      }
      if (result === 'retry') {
        if (attempt < ATTEMPTS) continue;
        throw new Error(`activity ${head.id}: the books kept changing while it was posted`);
      }
      if (plan.kind === 'pending') {
        summary.pending.push({ id: head.id, reason: plan.reason });
        ports.logger.error(
          { event: 'activity-pending', activityId: head.id, type: head.activityType, reason: plan.reason },
          `activity ${head.id} (${head.activityType}) not posted: ${plan.reason}`,
        );
      } else {
        summary.posted.push(head.id);
        ports.logger.info(
          { event: 'activity-posted', activityId: head.id, type: head.activityType, to: plan.kind, result },
          `activity ${head.id} (${head.activityType}) posted to the ${plan.kind}`,
        );
      }
      break;
    }
  }
  return summary;
}

/** What an ingestion reads before it writes anything. */
export interface ActivityReads {
  /** The day the pool opened; undefined before it opens (nothing is ingested then). */
  readonly opened: TradingDate | undefined;
  readonly ingested: readonly StoredActivity[];
  /** The broker's activities since the pool opened, when its day was known to the read. */
  readonly since: readonly NonTradeActivity[] | undefined;
}

/**
 * The ingestion's reads, at once: the ingested activities, and the pool's opening day or, when it
 * is known, the broker's activities since (the ingested ones are read even before the pool opens,
 * then left unused). Reads only: a caller may start them ahead of the ingestion's writes.
 */
export async function readActivities(
  ports: Pick<IngestPorts, 'broker' | 'ledger'>,
  poolOpenedOn: TradingDate | undefined,
): Promise<ActivityReads> {
  const [opened, ingested, since] = await Promise.all([
    poolOpenedOn ?? ports.ledger.poolOpenedOn(),
    ports.ledger.ingested(),
    poolOpenedOn === undefined ? undefined : ports.broker.listActivities({ after: poolOpenedOn }),
  ]);
  return { opened, ingested, since };
}

/** The day the pool opened (activities until then are in its opening): its opening instant's market date. */
export function poolOpeningDay(openedAt: string): TradingDate {
  return marketDateOf(new Date(openedAt));
}

/** Activities in date order, the NC rows of one date and group together, everything else alone. */
export function groupsOf(activities: readonly NonTradeActivity[]): NonTradeActivity[][] {
  const sorted = [...activities].sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  const groups: NonTradeActivity[][] = [];
  const renames = new Map<string, NonTradeActivity[]>();
  for (const a of sorted) {
    if (a.kind !== 'name_change') {
      groups.push([a]);
      continue;
    }
    const key = `${a.date}#${a.groupId ?? ''}`;
    const group = renames.get(key);
    if (group) group.push(a);
    else {
      const fresh = [a];
      renames.set(key, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

function amountOf(a: NonTradeActivity): string {
  return a.kind === 'account_cash' || a.kind === 'dividend' ? a.netAmount.toString() : '';
}

function recordOf(
  a: NonTradeActivity,
  outcome: StoredActivity['outcome'],
  at: string,
  group: readonly NonTradeActivity[],
  reason: string | undefined,
  books: readonly StrategyId[],
): StoredActivity {
  const symbol = 'symbol' in a && a.symbol ? a.symbol : null;
  const amount =
    a.kind === 'dividend' || a.kind === 'account_cash' || a.kind === 'merger' || a.kind === 'spinoff'
      ? a.netAmount.toString()
      : a.kind === 'split'
        ? a.cashInLieu.toString()
        : null;
  return {
    activityId: a.id,
    activityType: a.activityType,
    kind: a.kind,
    date: a.date,
    symbol,
    amount,
    outcome,
    target: outcome === 'posted' ? (books.length > 0 ? 'books' : 'pool') : 'none',
    books,
    ...(reason !== undefined ? { reason } : {}),
    ...(group.length > 1 ? { group: group.map((g) => g.id).filter((id) => id !== a.id) } : {}),
    at,
  };
}
