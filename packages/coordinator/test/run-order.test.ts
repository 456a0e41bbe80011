import { marketTimeToInstant, RunId, TradingDate } from '@books/core';
import { decideRunOrder, type LatestRun } from '../src/run-order';

const day = TradingDate('2026-11-24');
const previous = TradingDate('2026-11-23');
const afterClose = marketTimeToInstant(day, '15:30');

function latest(overrides: Partial<LatestRun> = {}): LatestRun {
  return {
    runId: RunId(`test-${previous}`),
    tradingDate: previous,
    inFlight: [],
    closeAt: marketTimeToInstant(previous, '16:00'),
    ...overrides,
  };
}

describe("a stage's runs in date order", () => {
  it("plans the stage's first run, and a retry of the latest run's own date", () => {
    expect(decideRunOrder(day, afterClose, undefined)).toEqual({ go: true });
    expect(decideRunOrder(previous, afterClose, latest({ waitingFor: 'x', inFlight: ['a NEW'] }))).toEqual({
      go: true,
    });
  });

  it('plans a later date once the latest run is complete', () => {
    expect(decideRunOrder(day, afterClose, latest())).toEqual({ go: true });
  });

  it("refuses a date before the stage's latest run, naming it", () => {
    const decision = decideRunOrder(TradingDate('2026-11-20'), afterClose, latest());
    expect(decision).toEqual({
      go: false,
      reason: `refused: 2026-11-20 is before the stage's latest run, run test-${previous} (${previous}); runs go forward in date`,
    });
  });

  it('refuses while the latest run has orders in flight, naming them, even after its close', () => {
    const decision = decideRunOrder(
      day,
      afterClose,
      latest({ waitingFor: 'intent c1 is SUBMITTED', inFlight: ['c1 SUBMITTED'] }),
    );
    expect(decision.go).toBe(false);
    expect(!decision.go && decision.reason).toMatch(
      /^waiting: run .* still has orders in flight \(c1 SUBMITTED\)/,
    );
  });

  it('refuses while the latest run is open and its session has not closed', () => {
    const early = marketTimeToInstant(previous, '15:45');
    const decision = decideRunOrder(day, early, latest({ waitingFor: 'momentum: c2 is queued' }));
    expect(decision).toEqual({
      go: false,
      reason: `waiting: run test-${previous} (${previous}) is still open (momentum: c2 is queued); plan ${day} once it is complete`,
    });
  });

  it('plans, with a warning, after an incomplete run whose session closed with nothing in flight: its unplaced trades expire', () => {
    const decision = decideRunOrder(day, afterClose, latest({ waitingFor: 'momentum: c2 is queued' }));
    expect(decision).toEqual({
      go: true,
      warning: `run test-${previous} (${previous}) did not complete (momentum: c2 is queued); its session has closed, so its unplaced trades expire`,
    });
  });
});
