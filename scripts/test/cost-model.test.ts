import { Decimal, Money } from '../../packages/core/src';
import {
  costOf,
  dailyRunTransitions,
  gbSeconds,
  perRun,
  requestUnits,
  type Usage,
} from '../bench/flows/cost-model';
import { flowFigures, latencyStats, pnlRows, targets } from '../bench/flows/figures';

const usage: Usage = {
  functions: {
    coordinator: { invocations: 2, billedMs: 1000, memoryMb: 512 },
    strategyWorker: { invocations: 3, billedMs: 2000, memoryMb: 1024 },
  },
  sqsRequests: 1_000_000,
  dynamodbReadUnits: 2_000_000,
  dynamodbWriteUnits: 1_000_000,
  stateTransitions: 1000,
};

describe('bench flows cost model (counts → dollars)', () => {
  it('prices GB-seconds as wall seconds × memory in GB', () => {
    expect(gbSeconds({ invocations: 1, billedMs: 1000, memoryMb: 512 }).toString()).toBe('0.5');
    expect(gbSeconds({ invocations: 4, billedMs: 2500, memoryMb: 1024 }).toString()).toBe('2.5');
  });

  it('adds Lambda requests and compute, SQS requests, DynamoDB units and state transitions at us-east-1 prices', () => {
    const cost = costOf(usage);
    // 5 requests × $0.20/M; (0.5 + 2) GB-s × $0.0000133334; 1M SQS × $0.40/M;
    // 2M RRU × $0.125/M + 1M WRU × $0.625/M; 1000 transitions × $0.025/1000.
    expect(cost.lambdaRequests.toString()).toBe('0.000001');
    expect(cost.lambdaCompute.toString()).toBe('0.0000333335');
    expect(cost.sqs.toString()).toBe('0.4');
    expect(cost.dynamodb.toString()).toBe('0.875');
    expect(cost.stepFunctions.toString()).toBe('0.025');
    expect(cost.total.toString()).toBe('1.3000343335');
  });

  it('divides usage into per-run figures without changing memory sizes', () => {
    const one = perRun(usage, 4);
    expect(one.functions.strategyWorker).toEqual({ invocations: 0.75, billedMs: 500, memoryMb: 1024 });
    expect(one.stateTransitions).toBe(250);
  });

  it('estimates request units from item sizes: reads per 4 KB, writes per 1 KB, transactions double', () => {
    expect(requestUnits('read', 100, 'eventual')).toBe(0.5);
    expect(requestUnits('read', 4097, 'strong')).toBe(2);
    expect(requestUnits('read', 10, 'transactional')).toBe(2);
    expect(requestUnits('write', 1025, 'transactional')).toBe(4);
    expect(requestUnits('write', 0, 'eventual')).toBe(1);
  });

  it('counts a DailyRun’s transitions: its Tasks, failed workers’ Pass states and the path’s control states', () => {
    // Plan, ShouldDispatch, Strategies, 3 × Worker, MergedFlow, Legacy, Finish.
    expect(dailyRunTransitions({ taskAttempts: 6, failedWorkers: 0, proceeded: true })).toBe(9);
    expect(dailyRunTransitions({ taskAttempts: 5, failedWorkers: 1, proceeded: true })).toBe(9);
    // Plan, ShouldDispatch, Skipped.
    expect(dailyRunTransitions({ taskAttempts: 1, failedWorkers: 0, proceeded: false })).toBe(3);
  });
});

describe('bench flows figures', () => {
  it('takes the mean, median and max of the runs’ latencies', () => {
    expect(latencyStats([30, 10, 20, 100])).toEqual({
      runs: 4,
      meanMs: 40,
      p50Ms: 20,
      maxMs: 100,
      totalMs: 160,
    });
  });

  it('checks per-strategy latency against legacy + 10% and cost against 1.2 × legacy', () => {
    const legacy = flowFigures([100, 100], usage);
    const slower = flowFigures([111, 111], { ...usage, sqsRequests: 1_200_000 });
    const t = targets(legacy, slower);
    expect(t.latencyRatio.toString()).toBe('1.11');
    expect(t.latencyMet).toBe(false);
    expect(t.costMet).toBe(true);
    expect(targets(legacy, flowFigures([110, 110], usage))).toMatchObject({
      latencyMet: true,
      costMet: true,
    });
    const dearer = flowFigures([100, 100], { ...usage, dynamodbWriteUnits: 2_000_000 });
    expect(targets(legacy, dearer).costRatio.gt(new Decimal('1.2'))).toBe(true);
    expect(targets(legacy, dearer).costMet).toBe(false);
  });

  it('gives each strategy’s P&L in both flows and their difference', () => {
    const rows = pnlRows(
      new Map([
        ['b', Money.parse('10.50')],
        ['a', Money.parse('-3')],
      ]),
      new Map([['b', Money.parse('10.25')]]),
    );
    expect(rows.map((r) => [r.strategyId, r.difference.toString()])).toEqual([
      ['a', '-3'],
      ['b', '0.25'],
    ]);
  });
});
