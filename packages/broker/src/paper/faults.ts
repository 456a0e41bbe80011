/** The operations of the Broker port, as fault targets. */
export type PaperRoute =
  | 'getAccount'
  | 'getPositions'
  | 'getClock'
  | 'getCalendar'
  | 'getAsset'
  | 'placeOrder'
  | 'getOrder'
  | 'getOrderByClientId'
  | 'cancelOrder'
  | 'listOpenOrders'
  | 'getLatestPrices'
  | 'listActivities';

export type PaperFaultKind =
  | 'latency'
  | '5xx'
  | '429'
  | 'timeout-after-accept'
  | 'partial-fill'
  | 'delayed-fill'
  | 'wash-trade';

/**
 * A fault the paper broker applies to the next matching calls.
 * - latency: waits `latencyMs` (through the injected sleep) before the call.
 * - 5xx: the call fails with BrokerUnavailable and does nothing.
 * - 429: the call fails with RateLimited (retry after `retryAfterMs`) and does nothing.
 * - timeout-after-accept (placeOrder): the order is placed and filled as usual, then the call
 *   fails with BrokerUnavailable, as a submit whose answer was lost.
 * - partial-fill (placeOrder, market orders): fills `fillRatio` of the quantity now (whole
 *   shares for non-fractionable assets); the rest on `settlePending()`.
 * - delayed-fill (placeOrder, market orders): accepted, filled on `settlePending()`.
 * - wash-trade (placeOrder): a new order is rejected with WashTradeRejected, as when an
 *   opposite-side order (placed by hand, or by another system) is open on the symbol.
 */
export interface PaperFaultSpec {
  readonly kind: PaperFaultKind;
  /** Default: every route for latency/5xx/429, placeOrder for the order faults. */
  readonly route?: PaperRoute;
  /** How many matching calls it applies to (default 1; Infinity for all). */
  readonly count?: number;
  /** Chance in [0, 1] that a matching call is affected (default 1), drawn from the seeded generator. */
  readonly probability?: number;
  readonly latencyMs?: number;
  readonly retryAfterMs?: number;
  /** Decimal text in (0, 1); default "0.5". */
  readonly fillRatio?: string;
}

const ORDER_FAULTS: ReadonlySet<PaperFaultKind> = new Set([
  'timeout-after-accept',
  'partial-fill',
  'delayed-fill',
  'wash-trade',
]);

/** Deterministic: the same seed and the same sequence of calls give the same faults. */
export class PaperFaults {
  private readonly active: { spec: PaperFaultSpec; remaining: number }[] = [];
  private state: number;

  constructor(seed = 1) {
    this.state = seed >>> 0;
  }

  inject(spec: PaperFaultSpec): void {
    if (spec.probability !== undefined && (spec.probability < 0 || spec.probability > 1))
      throw new RangeError(`fault probability must be in [0, 1], got ${spec.probability}`);
    this.active.push({ spec, remaining: spec.count ?? 1 });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Consumes and returns the first fault of one of `kinds` that applies to this call of `route`. */
  take(route: PaperRoute, kinds: readonly PaperFaultKind[]): PaperFaultSpec | undefined {
    for (const slot of this.active) {
      const { spec } = slot;
      if (slot.remaining <= 0 || !kinds.includes(spec.kind)) continue;
      const target = spec.route ?? (ORDER_FAULTS.has(spec.kind) ? 'placeOrder' : route);
      if (target !== route) continue;
      if (spec.probability !== undefined && this.next() >= spec.probability) continue;
      slot.remaining--;
      return spec;
    }
    return undefined;
  }

  /** mulberry32: a small seeded generator, uniform in [0, 1). */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
