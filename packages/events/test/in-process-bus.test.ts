import { createLogger } from '@books/core';
import { drainOutbox, InProcessEventBus, runCompletedEvent, type StageEvent } from '../src';

const origin = { stage: 'local', occurredAt: '2024-03-15T20:00:00.000Z' };
const completed = (runId: string) => runCompletedEvent(origin, { runId, tradingDate: '2024-03-15' });

/** An outbox in memory: what the ledger's OutboxRepository does, for the drain's contract. */
function memoryOutbox(events: readonly StageEvent[]) {
  const rows = events.map((e) => ({
    eventId: e.id,
    eventJson: JSON.stringify(e),
    publishedAt: undefined as string | undefined,
  }));
  return {
    rows,
    pending: async () => rows.filter((r) => r.publishedAt === undefined),
    markPublished: async (_run: string, eventId: string, at: string) => {
      for (const r of rows) if (r.eventId === eventId) r.publishedAt ??= at;
    },
  };
}

const clock = { now: () => new Date('2024-03-15T20:00:01.000Z') };
const logger = createLogger({ service: 'test' }, { destination: { write: () => undefined } });

describe('the in-process bus', () => {
  it('hands each subscriber every event as a consumer parses it, in order', async () => {
    const bus = new InProcessEventBus();
    const seen: string[] = [];
    bus.subscribe((e) => void seen.push(`a:${e.id}`));
    bus.subscribe((e) => void seen.push(`b:${e.id}`));
    await bus.publish([completed('r1'), completed('r2')]);
    expect(seen).toEqual([
      'a:RunCompleted:r1',
      'b:RunCompleted:r1',
      'a:RunCompleted:r2',
      'b:RunCompleted:r2',
    ]);
    expect(bus.published.map((e) => e.id)).toEqual(['RunCompleted:r1', 'RunCompleted:r2']);
  });

  it("keeps a target's failure out of the publisher's path, and still delivers to the other targets", async () => {
    const bus = new InProcessEventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('target down');
    });
    bus.subscribe((e) => void seen.push(e.id));
    await bus.publish([completed('r1')]);
    expect(seen).toEqual(['RunCompleted:r1']);
    expect(bus.targetErrors.map((t) => [t.eventId, String(t.error)])).toEqual([
      ['RunCompleted:r1', 'Error: target down'],
    ]);
  });

  it('refuses an event that does not parse, as PutEvents validation would', async () => {
    const bus = new InProcessEventBus();
    const bad = { ...completed('r1'), version: 2 } as unknown as ReturnType<typeof completed>;
    await expect(bus.publish([bad])).rejects.toThrow();
  });

  it('keeps only the latest deliveries and target errors of its window, while still delivering every event', async () => {
    const failures: string[] = [];
    const bus = new InProcessEventBus(undefined, 3);
    const seen: string[] = [];
    bus.subscribe((e) => void seen.push(e.id));
    bus.subscribe((e) => {
      failures.push(e.id);
      throw new Error(`down for ${e.id}`);
    });
    const runs = Array.from({ length: 10 }, (_, i) => `r${i}`);
    for (const run of runs) await bus.publish([completed(run)]);
    expect(seen).toEqual(runs.map((r) => `RunCompleted:${r}`));
    expect(failures).toHaveLength(10);
    expect(bus.published.map((e) => e.id)).toEqual(['RunCompleted:r7', 'RunCompleted:r8', 'RunCompleted:r9']);
    expect(bus.targetErrors.map((t) => t.eventId)).toEqual([
      'RunCompleted:r7',
      'RunCompleted:r8',
      'RunCompleted:r9',
    ]);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => new InProcessEventBus(undefined, 0)).toThrow('positive integer');
  });

  it('stops delivering to a subscriber that unsubscribed', async () => {
    const bus = new InProcessEventBus();
    const seen: string[] = [];
    const stop = bus.subscribe((e) => void seen.push(e.id));
    stop();
    await bus.publish([completed('r1')]);
    expect(seen).toEqual([]);
  });
});

describe('draining an outbox', () => {
  it('publishes the pending events and marks them, so a second drain publishes nothing', async () => {
    const outbox = memoryOutbox([completed('r1'), completed('r2')]);
    const bus = new InProcessEventBus();
    const first = await drainOutbox({ outbox, publisher: bus, clock, logger }, 'r');
    expect(first.map((e) => e.id)).toEqual(['RunCompleted:r1', 'RunCompleted:r2']);
    expect(outbox.rows.every((r) => r.publishedAt === '2024-03-15T20:00:01.000Z')).toBe(true);
    expect(await drainOutbox({ outbox, publisher: bus, clock }, 'r')).toEqual([]);
    expect(bus.published).toHaveLength(2);
  });

  it('leaves every event pending when the bus refuses them, and the next drain publishes them again with the same ids', async () => {
    const outbox = memoryOutbox([completed('r1')]);
    const refusing = { publish: async () => Promise.reject(new Error('bus down')) };
    await expect(drainOutbox({ outbox, publisher: refusing, clock }, 'r')).rejects.toThrow('bus down');
    expect(outbox.rows[0]?.publishedAt).toBeUndefined();
    const bus = new InProcessEventBus();
    await drainOutbox({ outbox, publisher: bus, clock }, 'r');
    expect(bus.published.map((e) => e.id)).toEqual(['RunCompleted:r1']);
  });

  it('refuses a stored event that no longer parses rather than dropping it', async () => {
    const outbox = {
      pending: async () => [{ eventId: 'x', eventJson: '{"type":"TradeExecuted"}' }],
      markPublished: jest.fn(async () => {}),
    };
    await expect(drainOutbox({ outbox, publisher: new InProcessEventBus(), clock }, 'r')).rejects.toThrow();
    expect(outbox.markPublished).not.toHaveBeenCalled();
  });
});
