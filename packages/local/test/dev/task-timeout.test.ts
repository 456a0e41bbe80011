import { loadStateMachine } from '../../src/daily-run/definition';
import { withoutDefaultTaskTimeout } from '../../src/dev/run-via-offline';

function tasks(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const n of node) tasks(n, out);
  else if (typeof node === 'object' && node !== null) {
    const record = Object.fromEntries(Object.entries(node));
    if (record.Type === 'Task') out.push(record);
    for (const v of Object.values(record)) tasks(v, out);
  }
  return out;
}

describe('DailyRun through serverless-offline', () => {
  it('lifts the local runner’s 60 s default from every Task that sets no timeout, as Step Functions has none', () => {
    const machine = loadStateMachine('dailyRun', 'local');
    const lifted = withoutDefaultTaskTimeout(machine);
    const before = tasks(machine.definition);
    const after = tasks(lifted.definition);
    expect(after).toHaveLength(before.length);
    expect(after.map((t) => t.TimeoutSeconds)).toEqual(
      before.map((t) => t.TimeoutSeconds ?? (t.TimeoutSecondsPath === undefined ? 2_147_483 : undefined)),
    );
    expect(after.map(({ TimeoutSeconds: _, ...rest }) => rest)).toEqual(
      before.map(({ TimeoutSeconds: _, ...rest }) => rest),
    );
    expect(lifted.taskFunctions).toBe(machine.taskFunctions);
  });
});
