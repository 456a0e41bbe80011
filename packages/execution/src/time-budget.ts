/**
 * How execution spends an invocation's time, so that it never times out in the middle of a record
 * (a Lambda stopped inside the symbol lock leaves the lease behind until it expires, blocking the
 * symbol's other orders).
 *
 * Contract:
 * - A record's worst case is `lockWait + fillWaitMs + stepsMs`: waiting for the symbol lock, then
 *   for the fill, plus every other step (ledger reads and transaction, the submit and the fill
 *   polls under the broker's rate budget, the lock release and its retries, the BUY release).
 * - A record is taken on only while the remaining time, less `safetyMarginMs`, covers that worst
 *   case with the full fill wait and a lock wait of at least zero (one attempt at the lock).
 *   Otherwise it and every record after it are handed back untouched (nothing claimed, no lock
 *   taken) as batch item failures: SQS redelivers them after the visibility timeout.
 * - The lock wait is the configured one, cut to what the remaining time leaves once the fill wait
 *   and the steps are reserved. So the last record started ends, at worst, `safetyMarginMs` before
 *   the deadline, with its lock released (or kept on purpose while its order is still working:
 *   FillPending, the lease the order needs).
 *
 * Deployment (serverless.yml): a full batch is finished even when every record hits its worst case
 * when `timeout ≥ safetyMarginMs + batchSize × (lockWaitMs + fillWaitMs + stepsMs)`; otherwise the
 * tail of such a batch is handed back (each time one receive of `maxReceiveCount`). The queue's
 * visibility timeout must be at least the function timeout (AWS advises six times it); a record
 * handed back comes again after the visibility timeout. With the defaults below
 * (10 s + 20 s + 15 s = 45 s a record, 5 s margin): batchSize 2 fits a 120 s timeout
 * (5 + 2 × 45 = 95 s); batchSize 5 needs a timeout of at least 230 s.
 */
export interface ExecutionLimits {
  /** The longest a record waits for another order's lock on its symbol. */
  readonly lockWaitMs: number;
  /** The longest a record polls for its order's fill before handing the message back. */
  readonly fillWaitMs: number;
  /** A bound on everything a record does besides the two waits. */
  readonly stepsMs: number;
  /** Left unused at the end of the invocation: answering, logging, clock skew. */
  readonly safetyMarginMs: number;
}

export const DEFAULT_EXECUTION_LIMITS: ExecutionLimits = {
  lockWaitMs: 10_000,
  fillWaitMs: 20_000,
  stepsMs: 15_000,
  safetyMarginMs: 5_000,
};

/** The longest one record may take, whatever happens. */
export function recordWorstCaseMs(limits: ExecutionLimits): number {
  return limits.lockWaitMs + limits.fillWaitMs + limits.stepsMs;
}

/**
 * What a record may wait with `remainingMs` left in the invocation, or undefined when it must not
 * be started. Called again when the lock is requested, so the lock wait follows the time left then.
 */
export function recordBudget(
  remainingMs: number,
  limits: ExecutionLimits,
): { readonly lockWaitMs: number; readonly fillWaitMs: number } | undefined {
  const spare = remainingMs - limits.safetyMarginMs - limits.stepsMs - limits.fillWaitMs;
  if (spare < 0) return undefined;
  return { lockWaitMs: Math.min(limits.lockWaitMs, spare), fillWaitMs: limits.fillWaitMs };
}
