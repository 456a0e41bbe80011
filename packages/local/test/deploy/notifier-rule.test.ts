import * as z from 'zod';
import { packageStage, type Template } from './packaged';

/** The notifier's subscription to the stage's bus, as the packaged prod template declares it. */

const RuleSchema = z.object({
  EventBusName: z.unknown(),
  EventPattern: z.object({ source: z.array(z.string()), 'detail-type': z.array(z.string()) }),
  Targets: z.array(
    z.object({
      Arn: z.unknown(),
      RetryPolicy: z.object({ MaximumRetryAttempts: z.number(), MaximumEventAgeInSeconds: z.number() }),
      DeadLetterConfig: z.object({ Arn: z.unknown() }),
    }),
  ),
});

const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });

describe("the notifier's rule on the stage's bus", () => {
  jest.setTimeout(180_000);
  let template: Template;

  beforeAll(async () => {
    template = (await packageStage('prod')).template;
  });

  const resourcesOf = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);

  it('routes RunCompleted and ReconciliationBreak of strategy-books to the notifier, retried, then dead-lettered', () => {
    const rules = resourcesOf('AWS::Events::Rule').map((r) => RuleSchema.parse(r.Properties));
    const notifier = rules.filter((r) =>
      r.Targets.some(
        (t) => JSON.stringify(t.Arn) === JSON.stringify(getAtt('NotifierLambdaFunction', 'Arn')),
      ),
    );
    expect(notifier).toHaveLength(1);
    const [rule] = notifier;
    expect(rule?.EventBusName).toEqual(getAtt('EventBus', 'Name'));
    expect(rule?.EventPattern).toEqual({
      source: ['strategy-books'],
      'detail-type': ['RunCompleted', 'ReconciliationBreak'],
    });
    expect(rule?.Targets[0]?.DeadLetterConfig.Arn).toEqual(getAtt('NotifierDeadLetterQueue', 'Arn'));
    expect(rule?.Targets[0]?.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it('lets EventBridge invoke the notifier and send what it gives up on to the dead-letter queue', () => {
    const invoke = resourcesOf('AWS::Lambda::Permission')
      .map((r) => z.object({ FunctionName: z.unknown(), Principal: z.string() }).parse(r.Properties))
      .filter((p) => JSON.stringify(p.FunctionName).includes('NotifierLambdaFunction'));
    expect(invoke.map((p) => p.Principal)).toEqual(['events.amazonaws.com']);
    const policy = z
      .object({
        Queues: z.array(z.unknown()),
        PolicyDocument: z.object({
          Statement: z.array(
            z.object({ Principal: z.unknown(), Action: z.unknown(), Resource: z.unknown() }),
          ),
        }),
      })
      .parse(template.Resources.NotifierDeadLetterQueuePolicy?.Properties);
    expect(policy.Queues).toEqual([{ Ref: 'NotifierDeadLetterQueue' }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('NotifierDeadLetterQueue', 'Arn'),
      },
    ]);
  });
});
