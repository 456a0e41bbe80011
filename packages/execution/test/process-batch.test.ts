import type { RunId } from '@books/core';
import { serializeExecutionMessage } from '@books/queue';
import { type BatchDeps, processRecords } from '../src/process-batch';
import { DEFAULT_EXECUTION_LIMITS } from '../src/time-budget';
import { runId, world } from './support/world';

const context = { getRemainingTimeInMillis: () => 900_000 };

/** A batch of the world's one message delivered twice (a redelivery beside the first), and a malformed one. */
function batch(completion: BatchDeps['completion'], asked: string[]) {
  const w = world();
  const body = serializeExecutionMessage(w.message);
  const deps: BatchDeps = {
    execution: {
      ...w.deps,
      events: {
        drain: async (r: RunId) => {
          asked.push(`drain ${r}`);
        },
      },
    },
    poison: { record: async () => undefined },
    logger: w.deps.logger,
    limits: DEFAULT_EXECUTION_LIMITS,
    ...(completion ? { completion } : {}),
  };
  const records = [
    { messageId: 'm1', body },
    { messageId: 'm2', body: '{"not":"a message"}' },
    { messageId: 'm3', body },
  ];
  return { deps, records };
}

describe('a batch finishes each of its runs once, after its last request', () => {
  it('publishes each run’s events, then asks its completion, once, after every record of the batch is done', async () => {
    const asked: string[] = [];
    const { deps, records } = batch(
      {
        begin: (r) => {
          asked.push(`read ${r}`);
          return {
            requestIfComplete: async () => {
              asked.push(`completion ${r}`);
            },
          };
        },
      },
      asked,
    );
    const results = await processRecords(records, deps, context);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    // The completion's read goes out beside the publication; its decision comes after it.
    expect(asked).toEqual([`read ${runId}`, `drain ${runId}`, `completion ${runId}`]);
  });

  it('fails the executed records of a run whose events could not be published, so their redeliveries publish again', async () => {
    const { deps, records } = batch(undefined, []);
    const failing: BatchDeps = {
      ...deps,
      execution: {
        ...deps.execution,
        events: {
          drain: async () => {
            throw new Error('bus down');
          },
        },
      },
    };
    const results = await processRecords(records, failing, context);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
  });

  it('fails the executed records of a run whose completion failed, so their redeliveries ask again; a poison record stays done', async () => {
    const { deps, records } = batch(
      {
        begin: () => ({
          requestIfComplete: async () => {
            throw new Error('reconciler unavailable');
          },
        }),
      },
      [],
    );
    const results = await processRecords(records, deps, context);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect(results[0]).toMatchObject({ reason: new Error('reconciler unavailable') });
  });
});
