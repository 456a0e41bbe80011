import * as z from 'zod';
import { packageStage, type Template } from './packaged';
import { allows, arnOf, rolePolicies } from './template-iam';

/** The stage's alarms and schedules as the packaged prod template declares them (README: Alarms). */

const AlarmSchema = z.object({
  AlarmActions: z.array(z.unknown()),
  MetricName: z.string().optional(),
  Namespace: z.string().optional(),
  Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
  Metrics: z
    .array(
      z.object({
        Id: z.string(),
        MetricStat: z
          .object({
            Metric: z.object({
              MetricName: z.string(),
              Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })),
            }),
          })
          .optional(),
      }),
    )
    .optional(),
  TreatMissingData: z.string(),
});

function alarms(template: Template) {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => ({ id, ...AlarmSchema.parse(r.Properties) }));
}

/** What an alarm watches: `namespace metric dimension=value` (values as CloudFormation gives them). */
function watched(alarm: ReturnType<typeof alarms>[number]): string[] {
  const dims = (d: { Name: string; Value: unknown }[] | undefined) =>
    (d ?? []).map((x) => `${x.Name}=${JSON.stringify(x.Value)}`).join(',');
  if (alarm.Metrics)
    return alarm.Metrics.flatMap((m) =>
      m.MetricStat ? [`${m.MetricStat.Metric.MetricName} ${dims(m.MetricStat.Metric.Dimensions)}`] : [],
    );
  return [`${alarm.MetricName} ${dims(alarm.Dimensions)}`];
}

describe("the stage's alarms", () => {
  jest.setTimeout(180_000);
  let template: Template;

  beforeAll(async () => {
    template = (await packageStage('prod')).template;
  });

  it("sends every alarm to the stage's alarm topic", () => {
    const all = alarms(template);
    expect(all.length).toBeGreaterThan(0);
    for (const a of all)
      expect({ id: a.id, actions: a.AlarmActions }).toEqual({ id: a.id, actions: [{ Ref: 'AlarmTopic' }] });
  });

  it('watches the dead-letter queues, DailyRun failures, time-outs and aborts, and each function’s errors', () => {
    const all = alarms(template).flatMap(watched);
    const ref = (id: string) => JSON.stringify({ Ref: id });
    expect(all).toEqual(
      expect.arrayContaining([
        `ApproximateNumberOfMessagesVisible QueueName=${JSON.stringify({ 'Fn::GetAtt': ['ExecutionDeadLetterQueue', 'QueueName'] })}`,
        `ApproximateNumberOfMessagesVisible QueueName=${JSON.stringify({ 'Fn::GetAtt': ['NotifierDeadLetterQueue', 'QueueName'] })}`,
        `ExecutionsFailed StateMachineArn=${ref('DailyRunStateMachine')}`,
        `ExecutionsTimedOut StateMachineArn=${ref('DailyRunStateMachine')}`,
        `ExecutionsAborted StateMachineArn=${ref('DailyRunStateMachine')}`,
        `ExecutionsFailed StateMachineArn=${ref('WatchdogStateMachine')}`,
        'ReconciliationBreaks Stage="prod"',
      ]),
    );
    const functions = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id]) => id);
    expect(functions.length).toBe(7);
    for (const fn of functions) expect(all).toContain(`Errors FunctionName=${ref(fn)}`);
  });

  it('runs the watchdog at 15:45 (DailyRun) and 16:30 (reconciliation) New York on weekdays, with the scheduled time', () => {
    const schedules = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
      .map((r) =>
        z
          .object({
            ScheduleExpression: z.string(),
            ScheduleExpressionTimezone: z.string(),
            Target: z.object({ Arn: z.unknown(), Input: z.string().optional() }),
          })
          .parse(r.Properties),
      )
      .filter((s) => JSON.stringify(s.Target.Arn) === JSON.stringify({ Ref: 'WatchdogStateMachine' }))
      .map((s) => ({
        cron: s.ScheduleExpression,
        tz: s.ScheduleExpressionTimezone,
        input: JSON.parse(s.Target.Input ?? '{}'),
      }));
    expect(schedules).toEqual(
      expect.arrayContaining([
        {
          cron: 'cron(45 15 ? * MON-FRI *)',
          tz: 'America/New_York',
          input: { check: 'daily-run', time: '<aws.scheduler.scheduled-time>' },
        },
        {
          cron: 'cron(30 16 ? * MON-FRI *)',
          tz: 'America/New_York',
          input: { check: 'reconciliation', time: '<aws.scheduler.scheduled-time>' },
        },
      ]),
    );
  });

  it("lets the watchdog's role do each of its tasks", async () => {
    const resources = template.Resources;
    const role = rolePolicies(template, 'WatchdogRole');
    const tasks = [
      { action: 'states:ListExecutions', resource: arnOf(resources, 'DailyRunStateMachine') },
      { action: 'dynamodb:Query', resource: arnOf(resources, 'LedgerTable') },
      { action: 'sns:Publish', resource: arnOf(resources, 'AlarmTopic') },
    ];
    for (const task of tasks)
      expect({ ...task, allowed: await allows(role, task.action, task.resource) }).toEqual({
        ...task,
        allowed: true,
      });
  });

  it('lets each schedule start its target, and DailyRun invoke its functions', async () => {
    const resources = template.Resources;
    const Target = z.object({
      Target: z.object({
        Arn: z.union([
          z
            .object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) })
            .transform((a) => a['Fn::GetAtt'][0]),
          z.object({ Ref: z.string() }).transform((r) => r.Ref),
        ]),
        RoleArn: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
      }),
    });
    const checks: { role: string; action: string; target: string }[] = [];
    for (const r of Object.values(resources)) {
      if (r.Type !== 'AWS::Scheduler::Schedule') continue;
      const { Arn: target, RoleArn } = Target.parse(r.Properties).Target;
      const action =
        resources[target]?.Type === 'AWS::StepFunctions::StateMachine'
          ? 'states:StartExecution'
          : 'lambda:InvokeFunction';
      checks.push({ role: RoleArn['Fn::GetAtt'][0], action, target });
    }
    for (const fn of ['CoordinatorLambdaFunction', 'StrategyWorkerLambdaFunction', 'LegacyLambdaFunction'])
      checks.push({ role: 'DailyRunStateMachineRole', action: 'lambda:InvokeFunction', target: fn });
    expect(checks.length).toBeGreaterThanOrEqual(8);
    for (const c of checks)
      expect({
        ...c,
        allowed: await allows(rolePolicies(template, c.role), c.action, arnOf(resources, c.target)),
      }).toEqual({ ...c, allowed: true });
  });
});
