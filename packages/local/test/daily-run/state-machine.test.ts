import { loadStateMachine } from '../../src/daily-run/definition';
import { runStateMachine } from '../../src/daily-run/state-machine-runner';

describe('the DailyRun state machine, run locally from serverless.yml', () => {
  const machine = loadStateMachine('dailyRun', 'local');

  it('binds every Task state to the function serverless.yml deploys for it', () => {
    expect(Object.fromEntries(machine.taskFunctions)).toEqual({
      Plan: 'coordinator',
      Worker: 'strategyWorker',
      Legacy: 'legacy',
      Finish: 'coordinator',
    });
    expect(JSON.stringify(machine.definition)).toContain('"MaxConcurrency":8');
  });

  it('plans, maps over strategies, records a failing one without failing the others, and finishes', async () => {
    const finished: unknown[] = [];
    const workerEvents: unknown[] = [];
    const result = await runStateMachine(
      machine,
      {
        coordinator: async (event) => {
          const e = event as { phase: string; outcomes?: unknown };
          if (e.phase === 'plan') {
            return {
              proceed: true,
              runId: 'local-2025-03-03',
              run: { runId: 'local-2025-03-03', accountEquity: '100000' },
              items: [{ strategyId: 'a' }, { strategyId: 'b' }, { strategyId: 'c' }],
            };
          }
          finished.push(e.outcomes);
          return { status: 'DISPATCHED' };
        },
        strategyWorker: async (event) => {
          workerEvents.push(event);
          const { item } = event as { item: { strategyId: string } };
          if (item.strategyId === 'b') throw new Error('bad DSL in b.clj:3:4');
          return { strategyId: item.strategyId, outcome: 'PLANNED' };
        },
        legacy: async () => {
          throw new Error('the Legacy state runs only when some strategy is on the merged flow');
        },
      },
      { trigger: 'test' },
    );
    // Each worker gets the run-wide fields, carried once in the plan, and its own item.
    expect(workerEvents).toEqual(
      ['a', 'b', 'c'].map((strategyId) => ({
        run: { runId: 'local-2025-03-03', accountEquity: '100000' },
        item: { strategyId },
      })),
    );
    expect(finished).toHaveLength(1);
    const outcomes = finished[0] as Array<{
      strategyId: string;
      outcome: string;
      error?: { Cause?: string };
    }>;
    expect(outcomes.map((o) => [o.strategyId, o.outcome])).toEqual([
      ['a', 'PLANNED'],
      ['b', 'FAILED'],
      ['c', 'PLANNED'],
    ]);
    expect(JSON.stringify(outcomes[1]?.error)).toContain('bad DSL in b.clj:3:4');
    expect(result).toMatchObject({ status: 'DISPATCHED' });
  });

  it('ends without dispatching when the plan says not to proceed', async () => {
    let workers = 0;
    await runStateMachine(
      machine,
      {
        coordinator: async () => ({ proceed: false, reason: 'skipped: market closed' }),
        strategyWorker: async () => {
          workers++;
          return {};
        },
        legacy: async () => ({}),
      },
      {},
    );
    expect(workers).toBe(0);
  });

  it('runs the Legacy state after the Map when the plan has a merged flow, and finishes even if it fails', async () => {
    const legacyInputs: unknown[] = [];
    const finished: unknown[] = [];
    const result = await runStateMachine(
      machine,
      {
        coordinator: async (event) => {
          const e = event as { phase: string; outcomes?: unknown };
          if (e.phase === 'plan')
            return {
              proceed: true,
              runId: 'local-2025-03-03',
              run: { runId: 'local-2025-03-03' },
              items: [{ strategyId: 'a' }],
              legacy: { asOf: '2025-03-03', strategies: [{ strategyId: 'a' }] },
            };
          finished.push(e.outcomes);
          return { status: 'DISPATCHED' };
        },
        strategyWorker: async () => ({
          strategyId: 'a',
          outcome: 'SIGNALLED',
          signal: { weights: { SPY: '1' } },
        }),
        legacy: async (event) => {
          legacyInputs.push(event);
          throw new Error('broker unavailable');
        },
      },
      { trigger: 'test' },
    );
    expect(legacyInputs).toEqual([
      {
        runId: 'local-2025-03-03',
        legacy: { asOf: '2025-03-03', strategies: [{ strategyId: 'a' }] },
        outcomes: [{ strategyId: 'a', outcome: 'SIGNALLED', signal: { weights: { SPY: '1' } } }],
      },
    ]);
    expect(finished).toHaveLength(1);
    expect(result).toMatchObject({ status: 'DISPATCHED' });
  });

  it('checks a definition against the States Language before its first run, unless told not to', async () => {
    // A Pass state with a field the States Language does not know.
    const invalid = {
      definition: { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true, Unknown: 1 } } },
      taskFunctions: new Map<string, string>(),
    };
    await expect(runStateMachine(invalid, {}, {})).rejects.toThrow(/definition/i);
    const unchecked = { ...invalid };
    await expect(
      runStateMachine(unchecked, {}, { a: 1 }, 'x', {}, { checkDefinition: false }),
    ).resolves.toEqual({
      a: 1,
    });
  });
});
