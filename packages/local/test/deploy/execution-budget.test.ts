import { DEFAULT_EXECUTION_LIMITS } from '@books/execution';
import * as z from 'zod';
import { packageStage, type Template } from './packaged';

const EventSourceMapping = z.object({ BatchSize: z.number().int().positive() });
const LambdaFunction = z.object({ Timeout: z.number().int().positive() });
const Queue = z.object({ VisibilityTimeout: z.number().int().positive() });

function propertiesOf<T>(template: Template, type: string, schema: z.ZodType<T>, named?: string): T {
  const match = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === type && (named === undefined || id === named),
  );
  if (!match) throw new Error(`no ${type}${named ? ` ${named}` : ''} in the packaged template`);
  return schema.parse(match[1].Properties);
}

describe('the packaged execution function and its queue', () => {
  jest.setTimeout(180_000);

  it.each(['prod', 'dev'])(
    'finishes a full %s batch of worst-case records inside its timeout, and the queue hides a record longer',
    async (stage) => {
      const { template } = await packageStage(stage);
      const { BatchSize } = propertiesOf(template, 'AWS::Lambda::EventSourceMapping', EventSourceMapping);
      const { Timeout } = propertiesOf(
        template,
        'AWS::Lambda::Function',
        LambdaFunction,
        'ExecutionLambdaFunction',
      );
      const { VisibilityTimeout } = propertiesOf(template, 'AWS::SQS::Queue', Queue, 'ExecutionQueue');
      const limits = DEFAULT_EXECUTION_LIMITS;
      const worstRecordMs = limits.lockWaitMs + limits.fillWaitMs + limits.stepsMs;
      // time-budget.ts: timeout ≥ margin + batchSize × worst case, else a batch's tail is handed back.
      expect(limits.safetyMarginMs + BatchSize * worstRecordMs).toBeLessThanOrEqual(Timeout * 1000);
      expect(VisibilityTimeout).toBeGreaterThanOrEqual(6 * Timeout);
    },
  );
});
