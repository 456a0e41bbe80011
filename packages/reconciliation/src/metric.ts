/** The CloudWatch namespace of the stage's alarm metrics (serverless.yml's alarm reads it). */
export const METRIC_NAMESPACE = 'StrategyBooks';
export const RECONCILIATION_BREAKS = 'ReconciliationBreaks';

/**
 * One CloudWatch Embedded Metric Format record: `ReconciliationBreaks` = the number of symbols the
 * books do not explain (0 on a clean reconciliation, so the alarm always has data and a clean run
 * clears it), dimension `Stage`. Written as the top-level fields of one JSON log line; CloudWatch
 * Logs extracts the metric from it, no PutMetricData call. Spec:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface ReconciliationMetric {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly [
      {
        readonly Namespace: typeof METRIC_NAMESPACE;
        readonly Dimensions: readonly [readonly ['Stage']];
        readonly Metrics: readonly [{ readonly Name: typeof RECONCILIATION_BREAKS; readonly Unit: 'Count' }];
      },
    ];
  };
  readonly Stage: string;
  readonly ReconciliationBreaks: number;
}

export function reconciliationMetric(stage: string, breaks: number, at: Date): ReconciliationMetric {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Stage']],
          Metrics: [{ Name: RECONCILIATION_BREAKS, Unit: 'Count' }],
        },
      ],
    },
    Stage: stage,
    ReconciliationBreaks: breaks,
  };
}
