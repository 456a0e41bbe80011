import { reconciliationMetric } from '../src/metric';

describe('the ReconciliationBreaks metric (CloudWatch Embedded Metric Format)', () => {
  it('is one record with the namespace, the Stage dimension, the count and its timestamp', () => {
    const line = JSON.parse(
      JSON.stringify(reconciliationMetric('prod', 2, new Date('2024-09-16T20:15:00.000Z'))),
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1726517700000,
        CloudWatchMetrics: [
          {
            Namespace: 'StrategyBooks',
            Dimensions: [['Stage']],
            Metrics: [{ Name: 'ReconciliationBreaks', Unit: 'Count' }],
          },
        ],
      },
      Stage: 'prod',
      ReconciliationBreaks: 2,
    });
  });

  it('reports 0 on a clean reconciliation, so that the alarm has data and clears', () => {
    expect(reconciliationMetric('dev', 0, new Date(0)).ReconciliationBreaks).toBe(0);
  });
});
