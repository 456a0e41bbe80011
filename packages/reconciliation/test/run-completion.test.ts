import { createLogger, RunId, TradingDate } from '@books/core';
import { InProcessEventBus } from '@books/events';
import {
  isFinalIntentState,
  type ReconciliationRequester,
  RunCompletion,
  type RunCompletionStore,
  type RunSnapshot,
  runCompletion,
  strategyCompletion,
} from '../src/run-completion';

const RUN = RunId('dev-2024-09-16');

function run(overrides: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    runId: RUN,
    tradingDate: TradingDate('2024-09-16'),
    status: 'DISPATCHED',
    reconcileRequested: false,
    strategies: [
      { strategyId: 'a', status: 'PLANNED', pendingSells: 0 },
      { strategyId: 'b', status: 'NOTHING_TO_DO', pendingSells: 0 },
      { strategyId: 'c', status: 'SKIPPED', pendingSells: 0 },
      { strategyId: 'd', status: 'FAILED', pendingSells: 0 },
    ],
    plans: new Map([['a', { sells: ['a-s0'], buys: ['a-b0', 'a-b1'] }]]),
    releases: new Map([['a', ['a-b0']]]),
    intents: [
      { clientOrderId: 'a-s0', state: 'FILLED' },
      { clientOrderId: 'a-b0', state: 'REJECTED' },
    ],
    ...overrides,
  };
}

describe('runCompletion', () => {
  it('is complete when the run is dispatched, every intent is final and every released BUY executed', () => {
    expect(runCompletion(run())).toEqual({ complete: true });
  });

  it('is complete for a dispatched run with nothing to trade', () => {
    expect(
      runCompletion(
        run({
          strategies: [{ strategyId: 'b', status: 'NOTHING_TO_DO', pendingSells: 0 }],
          plans: new Map(),
          releases: new Map(),
          intents: [],
        }),
      ),
    ).toEqual({ complete: true });
  });

  it.each<[string, Partial<RunSnapshot>, string]>([
    ['the coordinator has not finished', { status: 'PLANNED' }, 'the run is PLANNED'],
    [
      'an intent is still open',
      {
        intents: [
          { clientOrderId: 'a-s0', state: 'FILLED' },
          { clientOrderId: 'a-b0', state: 'SUBMITTED' },
        ],
      },
      'intent a-b0 is SUBMITTED',
    ],
    [
      'a strategy has no plan yet',
      { strategies: [{ strategyId: 'a', status: 'PENDING', pendingSells: 0 }] },
      'a: no plan yet',
    ],
    [
      'a SELL is pending',
      { strategies: [{ strategyId: 'a', status: 'PLANNED', pendingSells: 1 }] },
      'a: 1 SELL(s) pending',
    ],
    ['the BUYs are still held', { releases: new Map() }, 'a: BUYs held until the SELLs are done'],
    [
      'a released BUY is queued (no intent yet)',
      { intents: [{ clientOrderId: 'a-s0', state: 'FILLED' }] },
      'a: a-b0 is queued',
    ],
    ['a PLANNED strategy has no plan recorded', { plans: new Map() }, 'a: no plan recorded'],
  ])('is not complete when %s', (_, overrides, waitingFor) => {
    expect(runCompletion(run(overrides))).toEqual({ complete: false, waitingFor });
  });

  it.each(['NOTHING_TO_DO', 'FAILED', 'SKIPPED', 'SIGNALLED'])(
    'counts a %s strategy complete once the run’s intents are final',
    (status) => {
      const strategies = [{ strategyId: 'x', status, pendingSells: 0 }];
      expect(runCompletion(run({ strategies }))).toEqual({ complete: true });
    },
  );

  it.each([
    ['TRADED (which nothing writes)', 'TRADED'],
    ['a status no flow writes', 'WEIRD'],
  ])('is not complete while a strategy has %s', (_, status) => {
    const strategies = [{ strategyId: 'x', status, pendingSells: 0 }];
    expect(runCompletion(run({ strategies }))).toEqual({
      complete: false,
      waitingFor: `x: unknown status ${status}`,
    });
  });

  it('waits for an open intent of a strategy that FAILED after sending it', () => {
    const strategies = [{ strategyId: 'd', status: 'FAILED', pendingSells: 0 }];
    const intents = [{ clientOrderId: 'd-s0', state: 'PARTIALLY_FILLED' }];
    expect(runCompletion(run({ strategies, intents }))).toEqual({
      complete: false,
      waitingFor: 'intent d-s0 is PARTIALLY_FILLED',
    });
  });

  it('waits for the BUYs sent with the plan when the strategy had no SELLs', () => {
    const noSells = {
      plans: new Map([['a', { sells: [], buys: ['a-b0'] }]]),
      releases: new Map(),
    };
    expect(runCompletion(run({ ...noSells, intents: [] }))).toEqual({
      complete: false,
      waitingFor: 'a: a-b0 is queued',
    });
    expect(runCompletion(run({ ...noSells, intents: [{ clientOrderId: 'a-b0', state: 'FILLED' }] }))).toEqual(
      {
        complete: true,
      },
    );
  });
});

describe('strategyCompletion', () => {
  const planned = { strategyId: 'a', status: 'PLANNED', pendingSells: 0 };
  const plan = { sells: ['a-s0'], buys: ['a-b0'] };

  it('waits for an executed SELL whose intent is not final yet, naming its state', () => {
    expect(
      strategyCompletion({ ...planned, plan, released: ['a-b0'] }, new Map([['a-s0', 'SUBMITTED']])),
    ).toEqual({
      complete: false,
      waitingFor: 'a-s0 is SUBMITTED',
    });
  });

  it('is complete when every SELL and every released BUY is final, whatever the plan’s held BUYs were', () => {
    const intents = new Map([
      ['a-s0', 'FILLED'],
      ['a-b1', 'CANCELED'],
    ]);
    expect(strategyCompletion({ ...planned, plan, released: ['a-b1'] }, intents)).toEqual({ complete: true });
  });
});

describe('isFinalIntentState', () => {
  it.each([
    ['NEW', false],
    ['SUBMITTED', false],
    ['PARTIALLY_FILLED', false],
    ['FILLED', true],
    ['REJECTED', true],
    ['CANCELED', true],
    ['EXPIRED', true],
    ['SUPPRESSED', false],
  ])('%s → %s', (state, final) => {
    expect(isFinalIntentState(state)).toBe(final);
  });
});

describe('RunCompletion', () => {
  const logger = createLogger({ service: 'test' }, { level: 'silent' });
  const clock = { now: () => new Date('2024-09-16T20:00:00Z') };

  /** A run store over one snapshot whose marker behaves like the conditional write. */
  function store(snapshot: RunSnapshot | undefined) {
    let marker: string | undefined;
    const calls: string[] = [];
    const s: RunCompletionStore = {
      snapshot: async () => snapshot && { ...snapshot, reconcileRequested: marker !== undefined },
      markReconcileRequested: async (_, at) => {
        calls.push('mark');
        if (marker !== undefined) return false;
        marker = at;
        return true;
      },
      clearReconcileRequested: async (_, at) => {
        calls.push('clear');
        if (marker === at) marker = undefined;
      },
    };
    return { s, calls, marker: () => marker };
  }

  function requester(fail = false) {
    const requests: { runId: string; date: string }[] = [];
    const r: ReconciliationRequester = {
      request: async (x) => {
        if (fail) throw new Error('lambda unavailable');
        requests.push(x);
      },
    };
    return { r, requests };
  }

  it('requests one reconciliation for a complete run however many times it is told', async () => {
    const { s } = store(run());
    const { r, requests } = requester();
    const completion = new RunCompletion({ store: s, reconciliation: r, clock, logger });
    expect(await completion.requestIfComplete(RUN)).toBe('requested');
    expect(await completion.requestIfComplete(RUN)).toBe('already-requested');
    expect(requests).toEqual([{ runId: RUN, date: '2024-09-16' }]);
  });

  it('requests nothing for an incomplete run or an unknown one', async () => {
    const { r, requests } = requester();
    const open = new RunCompletion({
      store: store(run({ status: 'PLANNED' })).s,
      reconciliation: r,
      clock,
      logger,
    });
    expect(await open.requestIfComplete(RUN)).toBe('not-complete');
    const none = new RunCompletion({ store: store(undefined).s, reconciliation: r, clock, logger });
    expect(await none.requestIfComplete(RUN)).toBe('no-run');
    expect(requests).toEqual([]);
  });

  it('removes its marker when the request fails, so that the retry asks again', async () => {
    const st = store(run());
    const failing = new RunCompletion({ store: st.s, reconciliation: requester(true).r, clock, logger });
    await expect(failing.requestIfComplete(RUN)).rejects.toThrow('lambda unavailable');
    expect(st.marker()).toBeUndefined();
    const { r, requests } = requester();
    const retry = new RunCompletion({ store: st.s, reconciliation: r, clock, logger });
    expect(await retry.requestIfComplete(RUN)).toBe('requested');
    expect(requests).toHaveLength(1);
    expect(st.calls).toEqual(['mark', 'clear', 'mark']);
  });

  it('begun, reads the run at once and decides on that read only when asked; a failed read fails the decision', async () => {
    const st = store(run());
    const reads: string[] = [];
    const counted: RunCompletionStore = {
      ...st.s,
      snapshot: async (id) => {
        reads.push(id);
        return st.s.snapshot(id);
      },
    };
    const { r, requests } = requester();
    const begun = new RunCompletion({ store: counted, reconciliation: r, clock, logger }).begin(RUN);
    expect(reads).toEqual([RUN]);
    expect(st.calls).toEqual([]);
    expect(requests).toEqual([]);
    expect(await begun.requestIfComplete()).toBe('requested');
    expect(st.calls).toEqual(['mark']);
    expect(reads).toEqual([RUN]);

    const unreadable: RunCompletionStore = {
      ...st.s,
      snapshot: async () => {
        throw new Error('table unavailable');
      },
    };
    const failed = new RunCompletion({ store: unreadable, reconciliation: r, clock, logger }).begin(RUN);
    // Nothing surfaces until the decision is asked for (a caller that fails first never asks).
    await new Promise((resolve) => setImmediate(resolve));
    await expect(failed.requestIfComplete()).rejects.toThrow('table unavailable');
    expect(requests).toHaveLength(1);
  });

  describe('with events', () => {
    function events(bus: { publish: InProcessEventBus['publish'] }, order: string[]) {
      return {
        stage: 'dev',
        publisher: {
          publish: async (e: Parameters<InProcessEventBus['publish']>[0]) => {
            order.push(`publish ${e.map((x) => x.id).join(',')}`);
            await bus.publish(e);
          },
        },
        drain: async () => void order.push('drain'),
      };
    }

    it("drains the run's outbox, requests the reconciliation, then publishes RunCompleted once", async () => {
      const order: string[] = [];
      const bus = new InProcessEventBus();
      const reconciliation: ReconciliationRequester = { request: async () => void order.push('request') };
      const completion = new RunCompletion({
        store: store(run()).s,
        reconciliation,
        clock,
        logger,
        events: events(bus, order),
      });
      expect(await completion.requestIfComplete(RUN)).toBe('requested');
      expect(await completion.requestIfComplete(RUN)).toBe('already-requested');
      expect(order).toEqual(['drain', 'request', `publish RunCompleted:${RUN}`]);
      const [event] = bus.published;
      expect(event?.type === 'RunCompleted' && event.detail.tradingDate).toBe('2024-09-16');
    });

    it('removes its marker when RunCompleted cannot be published, and the retry publishes the same id', async () => {
      const st = store(run());
      const order: string[] = [];
      const refusing = { publish: async () => Promise.reject(new Error('bus down')) };
      const failing = new RunCompletion({
        store: st.s,
        reconciliation: requester().r,
        clock,
        logger,
        events: events(refusing, order),
      });
      await expect(failing.requestIfComplete(RUN)).rejects.toThrow('bus down');
      expect(st.marker()).toBeUndefined();
      const bus = new InProcessEventBus();
      const retry = new RunCompletion({
        store: st.s,
        reconciliation: requester().r,
        clock,
        logger,
        events: events(bus, []),
      });
      expect(await retry.requestIfComplete(RUN)).toBe('requested');
      expect(bus.published.map((e) => e.id)).toEqual([`RunCompleted:${RUN}`]);
    });
  });
});
