import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createLogger, runIdOf } from '@books/core';
import { loadRunCompleteness } from '@books/operator';
import { reconcilerFunction } from '@books/reconciler';
import * as z from 'zod';
import { writeLoadFixture } from '../load/load-fixture';
import { openLoadWorld } from '../load/open-load-world';

const LogLineSchema = z
  .object({
    event: z.string().optional(),
    strategyId: z.string().nullable().optional(),
    err: z.object({ message: z.string() }).optional(),
  })
  .loose();

/** Broken strategy files, by the index of the generated strategy they replace. */
const BROKEN: Record<number, { source: string; error: RegExp }> = {
  1: {
    source: '(defsymphony "syntax" {}\n  (weight-equal [(asset "LAAA")))\n',
    error: /^load_001\.clj:2:32: PARSE '\)' does not close the '\[' opened at 2:17/,
  },
  2: {
    source: '(defsymphony "unknown symbol" {}\n  (weight-equal [(asset "LAAA") (asset "NOSUCH")]))\n',
    error: /^load_002\.clj:2:33: NO_DATA no market data for NOSUCH/,
  },
  3: {
    source: '(defsymphony "operator" {}\n  (weight-equal [(momentum "LAAA")]))\n',
    error: /^load_003\.clj:2:18: UNKNOWN_OPERATOR unknown operator 'momentum'/,
  },
  4: {
    source:
      '(defsymphony "too little history" {}\n  (if (> (current-price "LAAB") (moving-average-price "LAAB" {:window 400}))\n    (asset "LAAB") (asset "LAAC")))\n',
    error: /^load_004\.clj:2:33: INSUFFICIENT_DATA/,
  },
  5: {
    source: `${'['.repeat(5000)}${']'.repeat(5000)}`,
    error: /^load_005\.clj:1:501: LIMIT nesting deeper than the limit of 500 brackets/,
  },
};

describe('bad input on the embedded stack: one broken strategy or message affects nothing else', () => {
  jest.setTimeout(180_000);

  it('records each broken strategy FAILED with its file, line and column, while the others plan, trade and reconcile', async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    const fixture = writeLoadFixture({ strategies: 12, symbols: 20 });
    for (const [index, broken] of Object.entries(BROKEN))
      writeFileSync(join(fixture.strategiesDir, `${fixture.strategyIds[Number(index)]}.clj`), broken.source);
    const lines: string[] = [];
    const logger = createLogger(
      { service: 'bad-input' },
      { level: 'info', destination: { write: (l: string) => lines.push(l) } },
    );
    const world = await openLoadWorld({ dynamodb, sqs }, fixture, 'badinput', logger);

    // Malformed messages wait on the queue beside the run's own.
    await world.planDay(fixture.runDay);
    const junk = [
      '{"type": "StrategyExecutionRequested", "version": 1',
      '{"type":"StrategyExecutionRequested","version":1}',
    ];
    for (const body of junk)
      await world.services.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: world.executionQueueUrl, MessageBody: body }),
      );
    const result = await world.runDay(fixture.runDay);
    expect(result.drain.failed).toBe(0);

    const runId = runIdOf(world.services.env.BOOKS_STAGE, fixture.runDay);
    const run = await loadRunCompleteness(world.services, runId, world.clock.now());
    expect(run?.status).toBe('COMPLETE');
    const byId = new Map(run?.strategies.map((s) => [s.strategyId, s]));
    fixture.strategyIds.forEach((id, index) => {
      const strategy = byId.get(id);
      const broken = BROKEN[index];
      if (broken) {
        expect(strategy).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(broken.error) });
        const logged = lines
          .map((l) => LogLineSchema.parse(JSON.parse(l)))
          .filter((l) => l.event === 'strategy-failed' && l.strategyId === id);
        expect(logged.length).toBeGreaterThan(0);
        expect(logged[0]?.err?.message).toMatch(broken.error);
      } else {
        expect(strategy?.status).toBe('TRADED');
      }
    });

    // The malformed messages are kept for a human, each naming what is wrong, and never retried.
    const poison = await world.services.table.queryAll({ partition: 'POISON' });
    expect(poison).toHaveLength(2);
    const problems = poison.map((p) => (p.problems?.L ?? []).map((v) => v.S ?? '').join('; '));
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^body is not JSON/), expect.stringMatching(/run_id: /)]),
    );
    const malformedLogs = lines.filter((l) => l.includes('"malformed-message"'));
    expect(malformedLogs).toHaveLength(2);

    const recon = await reconcilerFunction(world.services)({ date: fixture.runDay });
    expect(recon).toMatchObject({ ok: true, breaks: [] });
  });
});
