import { mapBounded } from '../src/bounded';

describe('mapBounded', () => {
  it('keeps the items order and never has more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);
    const out = await mapBounded(
      items,
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        return i * 2;
      },
      3,
    );
    expect(out).toEqual(items.map((i) => i * 2));
    expect(peak).toBe(3);
  });

  it('rejects with the first failure once the reads in flight have settled', async () => {
    const settled: number[] = [];
    await expect(
      mapBounded([1, 2, 3], async (i) => {
        if (i === 1) throw new Error('one failed');
        await new Promise((r) => setTimeout(r, 5));
        settled.push(i);
        return i;
      }),
    ).rejects.toThrow('one failed');
    expect(settled).toEqual([2, 3]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapBounded([], async () => 1)).toEqual([]);
  });
});
