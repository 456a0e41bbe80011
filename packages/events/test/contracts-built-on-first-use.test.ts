import { loadCountingZodSchemas, stopCountingZodSchemas } from '@books/testkit';
import type * as Events from '../src';

/**
 * Most functions load the event contracts and publish nothing on a cold start: the event schemas
 * are built at their first parse (deferredSchema), not as the module loads.
 */

afterEach(stopCountingZodSchemas);

/** A fresh events module (and a fresh zod), counting the zod schemas constructed once its dependencies are loaded. */
function loadEvents(): {
  readonly events: typeof Events;
  readonly built: () => number;
  readonly lazyExports: number;
} {
  const fresh = loadCountingZodSchemas(
    () => {
      require('@books/core');
    },
    (): typeof Events => require('../src'),
  );
  return { events: fresh.loaded, built: fresh.built, lazyExports: fresh.lazyExports(fresh.loaded) };
}

describe('the event contracts of a freshly loaded events module', () => {
  it('build one lazy wrapper per exported schema as the module loads, none of the schemas', () => {
    const { built, lazyExports } = loadEvents();
    expect(lazyExports).toBe(7);
    expect(built()).toBe(lazyExports);
  });

  it('build the schemas at the first parse, once, and parse as they did', () => {
    const { events, built } = loadEvents();
    const event = events.runCompletedEvent(
      { stage: 'local', occurredAt: '2024-03-15T19:30:05.000Z' },
      { runId: 'local-2024-03-15', tradingDate: '2024-03-15' },
    );
    expect(event.id).toBe('RunCompleted:local-2024-03-15');
    const afterFirst = built();
    expect(afterFirst).toBeGreaterThan(7);
    expect(events.StageEventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
    const afterUnion = built();
    expect(events.StageEventSchema.safeParse({ ...event, type: 'Unknown' }).success).toBe(false);
    expect(events.runCompletedEvent({ stage: 'local', occurredAt: event.occurredAt }, event.detail)).toEqual(
      event,
    );
    expect(built()).toBe(afterUnion);
  });
});
