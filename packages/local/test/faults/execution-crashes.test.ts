import { StrategyId, TradingDate } from '@books/core';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { MIXED_EXAMPLES, strategiesDirWith } from '../legacy/support';
import { CrashSchedule } from './harness/crash';
import { InterceptedBroker } from './harness/faulty-broker';
import type { DynamoCall } from './harness/faulty-dynamodb';
import { withFaultyLedger } from './harness/faulty-dynamodb';
import { expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { KeyedChance, scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(777);

/** The steps of executing one message, in order; a crash is injected at one of them per day. */
type CrashPoint =
  | 'before the intent'
  | 'after the order is accepted'
  | 'after the fill'
  | 'inside the ledger transaction, before it commits'
  | 'inside the ledger transaction, after it commits'
  | 'before the BUY release'
  | 'after the release is recorded, before its BUYs are sent'
  | 'after the BUYs are sent, before the release is marked sent';

const intentOf = (call: DynamoCall) => call.keys.find((k) => k.SK.startsWith('INTENT#'));
const releaseOf = (call: DynamoCall) => call.keys.find((k) => k.SK.startsWith('RELEASE#'));

/**
 * Which DynamoDB request (and when: before it is sent, or once it has been applied) each point
 * is: the intent's creation (a put, alone or in a transaction), its NEW → SUBMITTED update, the
 * recording transaction (which updates the intent to its final state), the release marker (put
 * before its BUYs are sent, updated once they are).
 */
function dynamoPoint(
  call: DynamoCall,
  when: 'before' | 'after',
): { point: CrashPoint; key: string } | undefined {
  const intent = intentOf(call);
  const release = releaseOf(call);
  const transaction = call.op === 'TransactWriteItems';
  if (intent && when === 'before' && (call.op === 'PutItem' || (transaction && intent.write === 'put')))
    return { point: 'before the intent', key: intent.SK };
  if (intent && when === 'after' && call.op === 'UpdateItem')
    return { point: 'after the fill', key: intent.SK };
  if (intent && transaction && intent.write === 'update')
    return {
      point:
        when === 'before'
          ? 'inside the ledger transaction, before it commits'
          : 'inside the ledger transaction, after it commits',
      key: intent.SK,
    };
  if (release && when === 'before' && call.op === 'GetItem')
    return { point: 'before the BUY release', key: `${release.PK}/${release.SK}` };
  if (release && when === 'after' && call.op === 'PutItem')
    return {
      point: 'after the release is recorded, before its BUYs are sent',
      key: `${release.PK}/${release.SK}`,
    };
  if (release && when === 'before' && call.op === 'UpdateItem')
    return {
      point: 'after the BUYs are sent, before the release is marked sent',
      key: `${release.PK}/${release.SK}`,
    };
  return undefined;
}

/** Each point on a day whose trades reach it (the BUY release needs a day with SELLs). */
const SCHEDULE: readonly [CrashPoint, string][] = [
  ['before the intent', '2024-09-16'],
  ['after the order is accepted', '2024-09-25'],
  ['after the fill', '2024-09-27'],
  ['inside the ledger transaction, before it commits', '2024-09-30'],
  ['inside the ledger transaction, after it commits', '2024-10-01'],
  ['before the BUY release', '2024-10-09'],
  ['after the release is recorded, before its BUYs are sent', '2024-10-10'],
  ['after the BUYs are sent, before the release is marked sent', '2024-10-16'],
];

/** The same crashes for per-strategy books alone, and for the merged flow's LEGACY book beside one. */
const WORLDS = [
  { name: 'per-strategy books', options: {} },
  {
    name: 'the LEGACY book beside a per-strategy book',
    options: {
      world: { strategiesDir: strategiesDirWith(MIXED_EXAMPLES), configFile: 'config.local.json' },
      strategyIds: MIXED_EXAMPLES.map((m) => StrategyId(m.id)),
    },
  },
] as const;

describe.each(WORLDS)(
  `fault injection: execution crashes at each step in turn, and redelivery converges: $name (seed ${SEED})`,
  ({ options }) => {
    jest.setTimeout(120_000);
    let s: Scenario;
    let armed: CrashPoint | undefined;
    let crashes: CrashSchedule;
    const ids = 'strategyIds' in options ? options.strategyIds : undefined;

    beforeAll(async () => {
      s = await openScenario('fault-crash', SEED, {
        ...('world' in options ? { world: options.world } : {}),
        inject: (random) => {
          const at = (call: DynamoCall, when: 'before' | 'after') => {
            const hit = dynamoPoint(call, when);
            if (hit && hit.point === armed) crashes.maybeCrash(hit.point, hit.key);
          };
          return {
            services: (fn, services) => {
              if (fn !== 'execution') return services;
              crashes = new CrashSchedule(new KeyedChance(random.seed, services.env.BOOKS_STAGE), 1);
              return {
                ...withFaultyLedger(services, {
                  before: (call) => at(call, 'before'),
                  after: (call) => at(call, 'after'),
                }),
                broker: new InterceptedBroker(services.broker, {
                  afterPlace: (request) => {
                    if (armed === 'after the order is accepted')
                      crashes.maybeCrash(armed, request.clientOrderId);
                  },
                }),
              };
            },
          };
        },
      });
    });

    it.each(SCHEDULE)(
      'a crash %s (on %s): the message comes back and ends in one order, one trade',
      async (point, date) => {
        const day = TradingDate(date);
        armed = point;
        await s.world.planDay(day);
        const runId = played(s, day);
        const report = await drainQueue(
          s.world.services.clients.sqs,
          s.world.executionQueueUrl,
          s.world.functions.execution,
          s.world.services.logger,
          { retryDelaySeconds: 0 },
        );
        armed = undefined;
        expect(crashes.crashed.filter((c) => c.point === point).length).toBeGreaterThan(0);
        expect(report.failed).toBeGreaterThan(0);
        const intents = await s.world.services.intents.listForRun(runId);
        expect(intents.length).toBeGreaterThan(0);
        await expectInvariants(s, `a crash ${point} on ${day}`, ids);
      },
    );
  },
);
