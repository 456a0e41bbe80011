import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { listDlq, recoverRun, redriveDlq } from '@books/operator';
import type { Services } from '@books/runtime';
import { deliverChaotically } from './harness/chaotic-delivery';
import { type DynamoCall, throttled, transactionConflict, withFaultyLedger } from './harness/faulty-dynamodb';
import { ACTIVE_DAYS, expectInvariants, openScenario, played, runIdOf } from './harness/scenario';
import { KeyedChance, scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(31337);

/** The items every execution of a run fights over: books' cash, symbol locks, the run's strategy items. */
function isHot(key: { PK: string; SK: string }): boolean {
  return (
    key.SK === 'CASH' ||
    key.PK.startsWith('LOCK#SYMBOL#') ||
    key.SK.startsWith('STRATEGY#') ||
    key.PK.endsWith('#BOOK')
  );
}

interface Counts {
  throttled: number;
  conflicts: number;
  versionBumps: number;
}

/**
 * Execution's ledger on a client where hot items are throttled (the SDK's retries exhausted), a
 * share of transactions is cancelled by a conflicting transaction, and a share of book-cash
 * transactions loses its version condition for real: a concurrent writer moves the book's version
 * on between execution's read and its write.
 */
function contendedLedger(services: Services, random: KeyedChance, counts: Counts): Services {
  const bumpVersion = async (key: { PK: string; SK: string }) => {
    await services.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: services.table.tableName,
        Key: { PK: { S: key.PK }, SK: { S: key.SK } },
        UpdateExpression: 'SET #v = #v + :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    counts.versionBumps++;
  };
  return withFaultyLedger(services, {
    before: async (call: DynamoCall) => {
      const identity = `${call.op} ${call.keys.map((k) => `${k.PK}/${k.SK}`).join(' ')}`;
      if (call.keys.some(isHot) && random.chance('throttle', identity, 0.04)) {
        counts.throttled++;
        throw throttled(call);
      }
      if (call.op !== 'TransactWriteItems') return;
      if (random.chance('conflict', identity, 0.15)) {
        counts.conflicts++;
        throw transactionConflict(call);
      }
      const cash = call.keys.find((k) => k.SK === 'CASH');
      if (cash && random.chance('version', identity, 0.3)) await bumpVersion(cash);
    },
  });
}

describe(`fault injection: DynamoDB throttling and conditional-check conflicts on hot items (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('every trade still ends final and booked once, with books equal to their rebuild', async () => {
    const counts: Counts = { throttled: 0, conflicts: 0, versionBumps: 0 };
    const s = await openScenario('fault-dynamo', SEED, {
      inject: (random) => ({
        services: (fn, services) =>
          fn === 'execution'
            ? contendedLedger(services, new KeyedChance(random.seed, services.env.BOOKS_STAGE), counts)
            : services,
      }),
    });
    let deadLettered = 0;
    for (const day of ACTIVE_DAYS.slice(0, 3)) {
      await s.world.planDay(day);
      played(s, day);
      await deliverChaotically(s.world, s.random, { copies: [1, 2], concurrency: 2 });
      // A message unlucky enough to fail all its receives is dead-lettered, as in AWS: the
      // operator's procedure (recover, then redrive) must then complete the run all the same.
      if ((await listDlq(s.world.services, s.world.services.env.BOOKS_STAGE)).length > 0) {
        deadLettered++;
        await recoverRun(s.world.services, runIdOf(s.world, day));
        await redriveDlq(s.world.services, s.world.services.env.BOOKS_STAGE);
        await deliverChaotically(s.world, s.random, { copies: [1, 1], concurrency: 1 });
      }
      await expectInvariants(s, `contention on ${day}`);
    }
    expect(counts.throttled).toBeGreaterThan(0);
    expect(counts.conflicts).toBeGreaterThan(0);
    expect(counts.versionBumps).toBeGreaterThan(0);
    expect(deadLettered).toBeLessThanOrEqual(1);
  });
});
