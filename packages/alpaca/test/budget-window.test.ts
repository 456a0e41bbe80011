import {
  exhaustedUntil,
  guardWaitUntil,
  MAX_BLOCK_WINDOWS,
  retryAt,
  windowAt,
  windowsUntil,
} from '../src/budget-window';

const at = (iso: string) => new Date(iso);
const headers = (h: Record<string, string>) => new Headers(h);

describe('budget windows', () => {
  it('puts an instant in the epoch minute that holds it, start inclusive, end exclusive', () => {
    expect(windowAt(at('2026-11-27T15:00:00.000Z'))).toEqual({
      start: at('2026-11-27T15:00:00Z'),
      end: at('2026-11-27T15:01:00Z'),
    });
    expect(windowAt(at('2026-11-27T15:00:59.999Z')).start).toEqual(at('2026-11-27T15:00:00Z'));
    expect(windowAt(at('2026-11-27T15:01:00.000Z')).start).toEqual(at('2026-11-27T15:01:00Z'));
  });

  it('sends a taker in the last guard of a window to the next window, and no one before it', () => {
    expect(guardWaitUntil(at('2026-11-27T15:00:57.999Z'), 2_000)).toBeUndefined();
    expect(guardWaitUntil(at('2026-11-27T15:00:58.000Z'), 2_000)).toEqual(at('2026-11-27T15:01:00Z'));
    expect(guardWaitUntil(at('2026-11-27T15:00:59.999Z'), 2_000)).toEqual(at('2026-11-27T15:01:00Z'));
    expect(guardWaitUntil(at('2026-11-27T15:01:00.000Z'), 2_000)).toBeUndefined();
    expect(guardWaitUntil(at('2026-11-27T15:00:59.999Z'), 0)).toBeUndefined();
  });

  it('lets a refused taker of a full window retry when the window ends', () => {
    const now = at('2026-11-27T15:00:20Z');
    expect(retryAt(now, windowAt(now), { used: 200, blockedUntil: undefined }, 200)).toEqual(
      at('2026-11-27T15:01:00Z'),
    );
  });

  it('holds a taker until a block from the broker, even in a window with room', () => {
    const now = at('2026-11-27T15:00:20Z');
    const refusal = { used: 12, blockedUntil: at('2026-11-27T15:00:45Z') };
    expect(retryAt(now, windowAt(now), refusal, 200)).toEqual(at('2026-11-27T15:00:45Z'));
  });

  it('waits for the later of a full window and a block past its end', () => {
    const now = at('2026-11-27T15:00:20Z');
    const refusal = { used: 200, blockedUntil: at('2026-11-27T15:01:05Z') };
    expect(retryAt(now, windowAt(now), refusal, 200)).toEqual(at('2026-11-27T15:01:05Z'));
  });

  it('writes a block into every window up to the reset, and no further than the cap', () => {
    const now = at('2026-11-27T15:00:50Z');
    expect(windowsUntil(now, at('2026-11-27T15:01:10Z')).map((w) => w.start)).toEqual([
      at('2026-11-27T15:00:00Z'),
      at('2026-11-27T15:01:00Z'),
    ]);
    expect(windowsUntil(now, at('2026-11-27T15:01:00Z'))).toHaveLength(1);
    expect(windowsUntil(now, at('2026-11-27T16:00:00Z'))).toHaveLength(MAX_BLOCK_WINDOWS);
  });

  it.each([
    [{ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1795791660' }, '2026-11-27T15:01:00.000Z'],
    [{ 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': '1795791660' }, '2026-11-27T15:01:00.000Z'],
    [{ 'X-RateLimit-Remaining': '2', 'X-RateLimit-Reset': '1795791660' }, undefined],
    [{ 'X-RateLimit-Remaining': '0' }, undefined],
    [{ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': 'soon' }, undefined],
    [{ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1795791600' }, undefined],
  ])('reads %j as spent until %s', (h, expected) => {
    const until = exhaustedUntil(headers(h), at('2026-11-27T15:00:30Z'));
    expect(until?.toISOString()).toBe(expected);
  });
});
