import * as z from 'zod';
import { packageStage } from './packaged';

/** Properties of the packaged prod template a deployed stage relies on. */
describe('the packaged stage resources', () => {
  jest.setTimeout(180_000);

  it('protects the retained ledger table from deletion', async () => {
    const { template } = await packageStage('prod');
    const table = template.Resources.LedgerTable;
    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });

  it('reserves concurrency only where the ReservedConcurrency parameter allows it (small accounts turn it off)', async () => {
    const { template } = await packageStage('prod');
    const reserved = (id: string) =>
      z
        .object({ ReservedConcurrentExecutions: z.unknown().optional() })
        .passthrough()
        .parse(template.Resources[id]?.Properties).ReservedConcurrentExecutions;
    expect(reserved('ExecutionLambdaFunction')).toEqual({
      'Fn::If': ['UseReservedConcurrency', 2, { Ref: 'AWS::NoValue' }],
    });
    expect(reserved('DataRefreshLambdaFunction')).toEqual({
      'Fn::If': ['UseReservedConcurrency', 1, { Ref: 'AWS::NoValue' }],
    });
    const others = Object.entries(template.Resources)
      .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && reserved(id) !== undefined)
      .map(([id]) => id)
      .sort();
    expect(others).toEqual(['DataRefreshLambdaFunction', 'ExecutionLambdaFunction']);
    expect(template.Conditions?.UseReservedConcurrency).toEqual({
      'Fn::Equals': [{ Ref: 'ReservedConcurrency' }, 'enabled'],
    });
  });

  it('retries every Lambda task of DailyRun on transient Lambda errors, Finish included', async () => {
    const { template } = await packageStage('prod');
    const definition = z
      .object({ DefinitionString: z.object({ 'Fn::Sub': z.tuple([z.string(), z.unknown()]) }) })
      .parse(template.Resources.DailyRunStateMachine?.Properties).DefinitionString['Fn::Sub'][0];
    interface State {
      readonly Type: string;
      readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
      readonly Iterator?: { readonly States: Record<string, State> };
    }
    const StateSchema: z.ZodType<State> = z.lazy(() =>
      z.object({
        Type: z.string(),
        Retry: z.array(z.object({ ErrorEquals: z.array(z.string()) })).optional(),
        Iterator: z.object({ States: z.record(z.string(), StateSchema) }).optional(),
      }),
    );
    const all = (states: Record<string, State>): [string, State][] =>
      Object.entries(states).flatMap(([name, st]): [string, State][] => [
        [name, st],
        ...(st.Iterator ? all(st.Iterator.States) : []),
      ]);
    const states = z
      .object({ States: z.record(z.string(), StateSchema) })
      .parse(JSON.parse(definition)).States;
    const tasks = all(states).filter(([, st]) => st.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['Finish', 'Legacy', 'Plan', 'Worker']);
    for (const [name, st] of tasks)
      expect({
        name,
        retried: st.Retry?.some((r) => r.ErrorEquals.includes('Lambda.ServiceException')) ?? false,
      }).toEqual({
        name,
        retried: true,
      });
  });
});
