import type * as z from 'zod';
import type * as Events from '../src';

/**
 * Most functions load the event contracts and publish nothing on a cold start: the event schemas
 * are built at their first parse (deferredSchema), not as the module loads.
 */

afterEach(() => {
  Reflect.deleteProperty(globalThis, '__zod_globalConfig');
});

/** A fresh events module (and a fresh zod), counting the zod schemas constructed once its dependencies are loaded. */
function loadEvents(): {
  readonly events: typeof Events;
  readonly built: () => number;
  readonly lazyExports: number;
} {
  let loaded: { events: typeof Events; built: () => number; lazyExports: number } | undefined;
  jest.isolateModules(() => {
    require('@books/core');
    let built = 0;
    // zod hands each schema it constructs to its global post-processor.
    Reflect.set(globalThis, '__zod_globalConfig', {
      postProcessor: () => {
        built += 1;
      },
    });
    const events: typeof Events = require('../src');
    const zod: typeof z = require('zod');
    const lazyExports = Object.values(events).filter((v) => v instanceof zod.ZodLazy).length;
    loaded = { events, built: () => built, lazyExports };
  });
  if (!loaded) throw new Error('the events module was not loaded');
  return loaded;
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
