import { z } from 'zod';
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
});
