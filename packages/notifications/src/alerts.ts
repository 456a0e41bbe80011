import { type Logger, TradingDate } from '@books/core';
import type { EventType, StageEvent } from '@books/events';
import { escapeHtml, type RenderedMessage } from './render';
import { redactSecrets } from './secrets';
import type { NotificationSink } from './sinks';

/**
 * Failure and recovery alerts with repeat suppression. Each subject (a strategy's runs, the
 * account's reconciliation) is FAILING or OK; after each run it is observed failing or not:
 *
 *   stored \ observed │ failing                    │ not failing
 *   ──────────────────┼────────────────────────────┼──────────────────────────
 *   none, OK          │ → FAILING, alert "failure" │ (nothing)
 *   FAILING           │ (suppressed: same episode) │ → OK, alert "recovery"
 *
 * So a failure episode is alerted once, however many runs it lasts, and its end once.
 */
export type AlertStatus = 'FAILING' | 'OK';

/** The subject of a strategy's runs: `strategy:{sid}` (`observeRun`). */
export const STRATEGY_SUBJECT = 'strategy:';

export interface Observation {
  readonly subject: string;
  readonly failing: boolean;
  /** The error or the breaks, for the message. */
  readonly detail: string;
}

export interface StoredAlert {
  readonly status: AlertStatus;
  readonly since: string;
  readonly detail: string;
}

export type AlertDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'failure' | 'recovery'; readonly next: StoredAlert; readonly previous?: StoredAlert };

/** The table above: what an observation at `at` does to the stored state. */
export function decideAlert(
  stored: StoredAlert | undefined,
  observed: Observation,
  at: string,
): AlertDecision {
  const failing = stored?.status === 'FAILING';
  if (observed.failing && !failing)
    return {
      kind: 'failure',
      next: { status: 'FAILING', since: at, detail: observed.detail },
      ...(stored ? { previous: stored } : {}),
    };
  if (!observed.failing && failing && stored)
    return { kind: 'recovery', next: { status: 'OK', since: at, detail: observed.detail }, previous: stored };
  return { kind: 'none' };
}

/** An alert as an e-mail (subject, HTML escaped, plain text). */
export function renderAlert(input: {
  readonly stage: string;
  readonly date: string;
  readonly subject: string;
  readonly decision: Extract<AlertDecision, { kind: 'failure' | 'recovery' }>;
}): RenderedMessage {
  const { decision } = input;
  const title =
    decision.kind === 'failure'
      ? `strategy-books ${input.stage}: ${input.subject} is failing`
      : `strategy-books ${input.stage}: ${input.subject} recovered`;
  const lines =
    decision.kind === 'failure'
      ? [
          `${input.subject} failed on ${input.date}: ${decision.next.detail}`,
          'No further alert until it recovers.',
        ]
      : [
          `${input.subject} is back to normal on ${input.date}, failing since ${decision.previous?.since ?? '?'}.`,
        ];
  return {
    kind: `alert-${input.subject.replace(/[^A-Za-z0-9_-]/g, '-')}-${decision.kind}`,
    date: input.date,
    subject: title,
    text: `${[title, '', ...lines].join('\n')}\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  };
}

/** Where subjects' states are kept (ledger-client's AlertStateRepository). */
export interface AlertStore<S extends StoredAlert & { readonly version: number }> {
  get(subject: string): Promise<S | undefined>;
  /** False when another writer moved the state since `read`. */
  replace(read: S | undefined, next: StoredAlert & { readonly subject: string }): Promise<boolean>;
}

export interface AlertNotifierDeps<S extends StoredAlert & { readonly version: number }> {
  readonly stage: string;
  /** What the run of a date shows of each subject. */
  readonly observe: (date: TradingDate) => Promise<readonly Observation[]>;
  readonly store: AlertStore<S>;
  readonly sink: NotificationSink;
  readonly secrets: () => Promise<readonly string[]>;
  readonly clock: { now(): Date };
  readonly logger: Logger;
  /**
   * The events that observe their date (default: RunCompleted). The deployed notifier adds
   * ReconciliationBreak, so a scheduled reconciliation's breaks (no run announces them) alert too.
   */
  readonly on?: readonly Exclude<EventType, 'TradeExecuted'>[];
}

/**
 * The alert consumer: on a run's RunCompleted (or another event of `on`) each subject of the
 * event's date is observed and `decideAlert` applied.
 * The message is delivered before the new state is written (conditional on the state read): a
 * crash in between alerts again on the retry (at least once), never loses the alert; a writer that
 * lost the condition to a concurrent consumer has sent a duplicate at worst.
 */
export function alertNotifier<S extends StoredAlert & { readonly version: number }>(
  deps: AlertNotifierDeps<S>,
): (event: StageEvent) => Promise<void> {
  const on: readonly EventType[] = deps.on ?? ['RunCompleted'];
  return async (event) => {
    if (event.type === 'TradeExecuted' || !on.includes(event.type)) return;
    const date = TradingDate(event.detail.tradingDate);
    const at = deps.clock.now().toISOString();
    for (const observed of await deps.observe(date)) {
      const stored = await deps.store.get(observed.subject);
      const decision = decideAlert(stored, observed, at);
      if (decision.kind === 'none') continue;
      const message = {
        ...renderAlert({ stage: deps.stage, date, subject: observed.subject, decision }),
        // The transition from the version read: a retry of the event (the state not yet written)
        // is the same message, whichever event observed it.
        id: `alert#${observed.subject}#v${stored?.version ?? 0}#${decision.kind}`,
        about: observed.subject.startsWith(STRATEGY_SUBJECT)
          ? { strategyId: observed.subject.slice(STRATEGY_SUBJECT.length) }
          : {},
      };
      await deps.sink.deliver(redactSecrets(message, await deps.secrets()));
      const written = await deps.store.replace(stored, { subject: observed.subject, ...decision.next });
      deps.logger.warn(
        { event: `alert-${decision.kind}`, subject: observed.subject, stateWritten: written },
        message.subject,
      );
    }
  };
}
