import { type ColdStartRow, formatColdStarts, medianRows } from '../../src/artifacts/cold-start';

const row = (key: string, loadMs: number, firstMs: number, note = 'n'): ColdStartRow => ({
  key,
  zipMb: 0.3,
  readyMs: loadMs + 60,
  loadMs,
  firstMs,
  loadCpuMs: loadMs,
  firstCpuMs: firstMs,
  note,
});

describe("bench cold-start's rounds", () => {
  it("reports each function's median over the rounds, and the least and most load + first seen", () => {
    const rows = medianRows([
      [row('execution', 100, 200, 'first round'), row('coordinator', 90, 150)],
      [row('execution', 140, 260, 'second round'), row('coordinator', 80, 140)],
      [row('execution', 120, 180), row('coordinator', 100, 170)],
    ]);
    expect(rows.map((r) => r.key)).toEqual(['execution', 'coordinator']);
    expect(rows[0]).toMatchObject({
      loadMs: 120,
      firstMs: 200,
      // The median of the sums (300, 400, 300), not the sum of the medians.
      totalMs: 300,
      totalRangeMs: [300, 400],
      note: 'first round',
    });
    expect(rows[1]).toMatchObject({ loadMs: 90, firstMs: 150, totalMs: 240, totalRangeMs: [220, 270] });
  });

  it('takes the middle two of an even number of rounds, and judges the goal on the median', () => {
    const [execution] = medianRows([[row('execution', 100, 190)], [row('execution', 120, 230)]]);
    expect(execution).toMatchObject({ totalMs: 320, totalRangeMs: [290, 350] });
    const table = formatColdStarts(execution ? [execution] : [], 2);
    expect(table).toContain('medians of 2 round(s)');
    expect(table).toMatch(/execution .*320 ms +290–350 ms +OVER 300/);
  });
});
