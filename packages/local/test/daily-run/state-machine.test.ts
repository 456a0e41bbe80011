import { loadStateMachine } from '../../src/daily-run/definition';
import { runStateMachine } from '../../src/daily-run/state-machine-runner';

describe('the DailyRun state machine, run locally from serverless.yml', () => {
  const machine = loadStateMachine('dailyRun', 'local');

  it('binds every Task state to the function serverless.yml deploys for it', () => {
    expect(Object.fromEntries(machine.taskFunctions)).toEqual({
      Plan: 'coordinator',
      Worker: 'strategyWorker',
      Finish: 'coordinator',
    });
    expect(JSON.stringify(machine.definition)).toContain('"MaxConcurrency":8');
  });

  it('plans, maps over strategies, records a failing one without failing the others, and finishes', async () => {
    const finished: unknown[] = [];
    const result = await runStateMachine(
      machine,
      {
        coordinator: async (event) => {
          const e = event as { phase: string; outcomes?: unknown };
          if (e.phase === 'plan') {
            return {
              proceed: true,
              runId: 'local-2025-03-03',
              items: [{ strategyId: 'a' }, { strategyId: 'b' }, { strategyId: 'c' }],
            };
          }
          finished.push(e.outcomes);
          return { status: 'DISPATCHED' };
        },
        strategyWorker: async (event) => {
          const item = event as { strategyId: string };
          if (item.strategyId === 'b') throw new Error('bad DSL in b.clj:3:4');
          return { strategyId: item.strategyId, outcome: 'PLANNED' };
        },
      },
      { trigger: 'test' },
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
      },
      {},
    );
    expect(workers).toBe(0);
  });
});
