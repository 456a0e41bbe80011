import { renderReport } from '../../src/report/render';
import { FIXTURE } from './fixture';

describe("the HTML report links a day's targets to their decision trace", () => {
  it('opens each strategy’s targets onto its escaped tree', () => {
    const [first, ...rest] = FIXTURE.days;
    if (first === undefined) throw new Error('the fixture has days');
    const [alpha, ...others] = first.run.strategies;
    if (alpha === undefined) throw new Error('the fixture has strategies');
    const tree =
      'm.clj as of 2024-01-02\nif  m.clj:2:3\n  (rsi "SPY") = 71 > 70 → true: then\ntargets: <SPY> 1\n';
    const html = renderReport({
      ...FIXTURE,
      days: [
        {
          ...first,
          run: { ...first.run, strategies: [{ ...alpha, targets: 'SPY 1', explain: tree }, ...others] },
        },
        ...rest,
      ],
    });
    expect(html).toContain(
      '<details class="trace"><summary>targets: SPY 1</summary><pre>m.clj as of 2024-01-02\nif  m.clj:2:3\n  (rsi &quot;SPY&quot;) = 71 &gt; 70 → true: then\ntargets: &lt;SPY&gt; 1\n</pre></details>',
    );
    expect(renderReport(FIXTURE)).not.toContain('class="trace"');
  });
});
