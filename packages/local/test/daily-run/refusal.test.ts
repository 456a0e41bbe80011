import { REFUSED, refusalOf } from '../../src/daily-run/refusal';

describe('books run: a day the coordinator did not run', () => {
  it.each([
    ['stopped: invalid strategy configuration', true],
    ["refused: 2024-09-25 is before the stage's latest run, run local-2024-09-27 (2024-09-27)", true],
    ['waiting: run local-2024-09-25 (2024-09-25) still has orders in flight (x SUBMITTED)', true],
    ['stopped: reconciliation breaks SPY DRIFT (unexplained 3)', true],
    ['skipped: market closed (2024-09-28 is not a trading day)', false],
    ['already planned: run local-2024-09-25 exists (execution e); not planning again', false],
  ])('"%s" is a day not run (exit 1, the cursor stays): %s', (reason, notRun) => {
    const refusal = refusalOf({ plan: { proceed: false, reason } });
    expect(refusal?.reason).toBe(reason);
    expect(REFUSED.test(reason)).toBe(notRun);
  });

  it("keeps the configuration's problems to print, and finds no refusal in a run that finished", () => {
    expect(
      refusalOf({
        plan: { proceed: false, reason: 'stopped: invalid strategy configuration', problems: ['a: b'] },
      }),
    ).toEqual({ proceed: false, reason: 'stopped: invalid strategy configuration', problems: ['a: b'] });
    expect(refusalOf({ runId: 'local-2024-09-25', status: 'DISPATCHED', outcomes: [] })).toBeUndefined();
  });
});
