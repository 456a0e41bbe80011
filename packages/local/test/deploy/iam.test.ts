import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientOrderId, Quantity, Symbol } from '@books/core';
import { EVENT_SOURCE } from '@books/events';
import { SAMPLE_SYMBOLS } from '@books/market-data';
import { notifierHandlerFunction } from '@books/notifier';
import { reconcilerFunction } from '@books/reconciler';
import { installAwsCallRecorder, type Services } from '@books/runtime';
import { createTestBucket, type FakeSsmServer, startFakeSsm, type TestBucket } from '@books/testkit';
import * as z from 'zod';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, sampleBarsDir } from '../e2e/support';
import { MIXED_EXAMPLES, strategiesDirWith } from '../legacy/support';
import { type DeployedLocations, deployedServices, uploadBars } from './deployed-stand-ins';
import { AttributingRecorder, type IamRequest, iamRequestsOf } from './iam-requests';
import { packageStage, type Template } from './packaged';
import {
  ACCOUNT,
  allows,
  arnOf,
  type FunctionRole,
  functionRoles,
  grantedActions,
  REGION,
} from './template-iam';

/**
 * Every AWS call the functions make in end-to-end runs is recorded (a middleware on the runtime's
 * clients), attributed to the function whose handler made it, turned into the IAM requests AWS
 * authorises it as, and evaluated against that function's role in the packaged prod template by
 * an IAM policy simulator. A denied request fails; so does a granted action no call uses, unless
 * it is listed (with its reason) in NEEDED_WITHOUT_A_RECORDED_CALL.
 */

/**
 * Granted actions the recorded runs cannot show, each with why the function needs it. Anything
 * else a role grants must be used by a recorded call.
 */
const NEEDED_WITHOUT_A_RECORDED_CALL: Record<string, Record<string, string>> = {
  coordinator: {
    // RunCompletion.requestIfComplete: a failed invoke of the reconciler clears the run's marker
    // (a conditional delete) so that the retry asks again; execution's refused invoke shows it here.
    'dynamodb:DeleteItem': "RunCompletion clears the run's reconciliation marker when the invoke fails",
  },
  execution: {
    // HeldBuyRelease: a strategy's BUYs are sent once its SELLs are final (e2e/sells-first.test.ts
    // finds such a run over many days; these short runs do not).
    'sqs:SendMessage': 'HeldBuyRelease sends the BUYs held back until the SELLs are final',
    'sqs:GetQueueUrl': 'the deployed queue is named (BOOKS_EXECUTION_QUEUE_NAME): its URL is looked up once',
    // The SQS event source mapping polls the queue with the function's role (AWS requires these
    // three on the role); locally the harness's poller stands in for it.
    'sqs:ReceiveMessage': 'the SQS event source mapping (Lambda polls with the function role)',
    'sqs:DeleteMessage': 'the SQS event source mapping deletes what a batch processed',
    'sqs:GetQueueAttributes': 'the SQS event source mapping reads the queue attributes',
  },
  reconciler: {
    // The role is EventBridge Scheduler's too (its trust policy): the schedule invokes the function.
    'lambda:InvokeFunction': 'EventBridge Scheduler assumes this role to invoke the reconciler',
  },
  notifier: {
    // Deployed, the broker is Alpaca's: the digest's latest prices take from the account's shared
    // request budget (one UpdateItem each); the simulated broker here has no budget.
    'dynamodb:UpdateItem': "the Alpaca broker's shared request budget (the digest's latest prices)",
    // Without ListBucket, S3 answers a missing bar file with 403 instead of 404 (NoSuchKey).
    's3:ListBucket': 'S3 tells a missing bar file (NoSuchKey) from a denied read only with ListBucket',
  },
  dataRefresh: {
    'lambda:InvokeFunction': 'EventBridge Scheduler assumes this role to invoke dataRefresh',
    // dataRefresh builds its own clients (packages/market-data); its calls are not recorded here.
    's3:ListBucket': 'dataRefresh lists the bar store (S3BarStore.symbols)',
    's3:GetObject': 'dataRefresh reads each symbol it extends',
    's3:PutObject': 'dataRefresh writes the extended bars (conditional on the ETag read)',
    'ssm:GetParameter': 'dataRefresh reads the Alpaca keys from SSM (BOOKS_ALPACA_KEY_SSM_PREFIX)',
  },
};

/** Rewrites the strategies' allocations in a config file (a smaller one makes the book sell). */
function shrinkAllocations(configFile: string, allocations: Record<string, string>): void {
  const config = z
    .object({ strategies: z.array(z.object({ id: z.string(), allocation: z.string() }).passthrough()) })
    .passthrough()
    .parse(JSON.parse(readFileSync(configFile, 'utf8')));
  const strategies = config.strategies.map((s) => ({ ...s, allocation: allocations[s.id] ?? s.allocation }));
  writeFileSync(configFile, JSON.stringify({ ...config, strategies }, null, 2));
}

/** Functions with no recorded runs here (their calls are listed above). */
const NOT_RUN_LOCALLY = new Set(['dataRefresh']);

/**
 * The stage deployed with the notifier's e-mail on (the sender's SES identity, a recipient): the
 * role's SES grant exists only then.
 */
const EMAIL = { from: 'books@example.com', to: ['trader@example.com'] };
const DEPLOYED_WITH = { NotifyEmailFrom: EMAIL.from };

/** The simulated broker's own table: no deployed resource (the broker is Alpaca's API there). */
const SIMULATED_BROKER = 'simulated-broker';

const EnvironmentSchema = z.object({
  Environment: z.object({ Variables: z.record(z.string(), z.string()) }),
});

/** The notifier's webhook parameter, as its function's environment names it. */
function notifierWebhookParameter(template: Template): string {
  const vars = z
    .object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) })
    .parse(template.Resources.NotifierLambdaFunction?.Properties).Environment.Variables;
  return z.string().parse(vars.BOOKS_NOTIFY_WEBHOOK_SSM);
}

function deployedLocations(template: Template): DeployedLocations {
  const vars = EnvironmentSchema.parse(template.Resources.CoordinatorLambdaFunction?.Properties).Environment
    .Variables;
  const keys = z.string().parse(vars.BOOKS_ALPACA_KEY_SSM_PREFIX);
  const flows = z.string().parse(vars.BOOKS_FLOW_FLAGS);
  const controls = z.string().parse(vars.BOOKS_CONTROLS);
  const eventBus = z.string().parse(vars.BOOKS_EVENT_BUS_NAME);
  const bars = z
    .string()
    .regex(/^s3:\/\/[^/]+\//)
    .parse(vars.BOOKS_BARS);
  return {
    alpacaKeyPrefix: keys,
    flowFlags: flows,
    controls,
    barsPrefix: bars.replace(/^s3:\/\/[^/]+\//, ''),
    eventBus,
  };
}

describe("each function's calls against its role in the packaged prod template", () => {
  jest.setTimeout(300_000);

  let template: Template;
  let locations: DeployedLocations;
  let roles: Map<string, FunctionRole>;
  let ssm: FakeSsmServer;
  let bucket: TestBucket;
  let world: LocalWorld;
  const recorder = new AttributingRecorder();
  /** What the notifier published to the stage's topic. */
  const published: unknown[] = [];
  /** What the notifier e-mailed through SES. */
  const mailed: unknown[] = [];

  beforeAll(async () => {
    template = (await packageStage('prod')).template;
    roles = functionRoles(template, DEPLOYED_WITH);
    locations = deployedLocations(template);
    ssm = await startFakeSsm({
      [`${locations.alpacaKeyPrefix}/api-key-id`]: 'AKTESTKEY',
      [`${locations.alpacaKeyPrefix}/api-secret-key`]: 'test-secret',
    });
    bucket = await createTestBucket('iam-bars');
    await uploadBars(bucket, sampleBarsDir(), locations.barsPrefix);
    const s3Endpoint = z.string().parse(process.env.BOOKS_TEST_S3_ENDPOINT);
    const deployed = (base: Services) =>
      deployedServices(base, { s3Endpoint, ssm, bucket: bucket.bucket, published, mailed }, locations);

    const strategiesDir = strategiesDirWith(MIXED_EXAMPLES);
    installAwsCallRecorder(recorder);
    let refused = false;
    let reconcile: ((event: unknown) => Promise<unknown>) | undefined;
    const reconcilerFor = () => {
      reconcile ??= reconcilerFunction(deployed(world.services));
      return reconcile;
    };
    world = await openWorld('iam', {
      strategiesDir,
      configFile: 'config.local.json',
      inject: {
        services: (_fn, base) => deployed(base),
        handler: (fn, h) => (event) => recorder.as(fn, () => h(event)),
        // Deployed, the coordinator and execution invoke the reconciler Lambda asynchronously.
        reconciliation: {
          request: async (run) => {
            recorder.record({
              client: 'LambdaClient',
              operation: 'Invoke',
              input: { FunctionName: 'reconciler', InvocationType: 'Event' },
            });
            // Lambda refuses execution's first invoke: the run's marker is cleared (a conditional
            // delete) and the redelivered message asks again.
            if (recorder.running === 'execution' && !refused) {
              refused = true;
              throw new Error('the invoke was refused (test)');
            }
            await recorder.as('reconciler', () => reconcilerFor()({ ...run, trigger: 'run-complete' }));
          },
        },
      },
    });
    // Deployed, the stage's rule hands RunCompleted and ReconciliationBreak to the notifier; its
    // webhook parameter is absent (read, none: no webhook), its topic and SES are answered locally.
    let notify: ((event: unknown) => Promise<unknown>) | undefined;
    world.events.subscribe(async (event) => {
      if (event.type === 'TradeExecuted') return;
      notify ??= notifierHandlerFunction(deployed(world.services), {
        topicArn: arnOf(template.Resources, 'AlarmTopic'),
        webhookParameter: notifierWebhookParameter(template),
        email: EMAIL,
      });
      const delivery = {
        source: EVENT_SOURCE,
        'detail-type': event.type,
        detail: JSON.parse(JSON.stringify(event)),
      };
      await recorder.as('notifier', () => (notify ?? (async () => {}))(delivery));
    });
    // Full daily cycles: per-strategy, shadow and legacy flows, execution, reconciliation after each
    // run; then two strategies' allocations shrink, so their books sell (lots close).
    const [first, second, ...rest] = daysFrom('2024-09-16', 4);
    if (!first || !second) throw new Error('no sample days');
    for (const day of [first, second]) await world.runDay(day);
    shrinkAllocations(join(strategiesDir, 'config.local.json'), { breakout: '0.10', momentum: '0.05' });
    for (const day of rest) await world.runDay(day);
    // Trades nobody booked: a sale of a held symbol (a DRIFT), then a symbol no book holds bought and
    // sold at the broker, which the scheduled reconciliation books into EXTERNAL and out again.
    const held = (await world.services.broker.getPositions()).map((p) => p.symbol);
    const [owned] = held;
    const unowned = SAMPLE_SYMBOLS.map((s) => s.symbol).find((s) => !held.includes(Symbol(s)));
    if (!owned || !unowned) throw new Error('the books hold nothing, or everything, after the runs');
    const manual = async (id: string, symbol: string, side: 'buy' | 'sell') => {
      await world.services.broker.placeOrder({
        clientOrderId: ClientOrderId(id),
        symbol: Symbol(symbol),
        side,
        qty: Quantity.parse('2'),
        type: 'market',
        timeInForce: 'day',
      });
      world.clock.advance(60_000);
      await recorder.as('reconciler', () => reconcilerFor()({}));
    };
    await manual('iam-manual-sale', owned, 'sell');
    await manual('iam-manual-buy', unowned, 'buy');
    await manual('iam-manual-unowned-sale', unowned, 'sell');
    installAwsCallRecorder(undefined);
  });

  afterAll(async () => {
    installAwsCallRecorder(undefined);
    await ssm?.close();
    await bucket?.cleanup();
  });

  /** Every recorded call of a function, as the IAM requests AWS authorises. */
  function requestsByFunction(): Map<string, IamRequest[]> {
    const resources = template.Resources;
    const localTable = world.services.env.BOOKS_TABLE_NAME;
    const paperBroker = `strategy-books-${world.services.env.BOOKS_STAGE}-paper-broker`;
    const deployed = {
      tableArn: (name: string) => {
        if (name === localTable) return arnOf(resources, 'LedgerTable');
        if (name === paperBroker) return SIMULATED_BROKER;
        throw new Error(`a call on table ${name}, which the stage does not have`);
      },
      queueArn: (urlOrName: string) => {
        // By URL, or by name (GetQueueUrl): the queue's name is the URL's last segment.
        if (urlOrName.split('/').pop() === world.executionQueueUrl.split('/').pop())
          return arnOf(resources, 'ExecutionQueue');
        throw new Error(`a call on queue ${urlOrName}, which the stage does not have`);
      },
      bucketArn: (name: string) => {
        if (name === bucket.bucket) return arnOf(resources, 'BarsBucket');
        throw new Error(`a call on bucket ${name}, which the stage does not have`);
      },
      parameterArn: (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
      functionArn: (name: string) =>
        arnOf(resources, `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`),
      eventBusArn: (name: string) => {
        if (name === locations.eventBus) return arnOf(resources, 'EventBus');
        throw new Error(`a call on event bus ${name}, which the stage does not have`);
      },
      topicArn: (arn: string) => {
        if (arn === arnOf(resources, 'AlarmTopic')) return arn;
        throw new Error(`a publish to topic ${arn}, which the stage does not have`);
      },
      emailIdentityArn: (from: string) => `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${from}`,
    };
    const out = new Map<string, IamRequest[]>();
    for (const { functionName, call } of recorder.calls) {
      // Calls outside every handler are the harness's (the poller standing in for the event source).
      if (functionName === undefined) continue;
      // The simulated broker keeps its account in DynamoDB; deployed, the broker is Alpaca's API.
      const requests = iamRequestsOf(call, deployed).filter((r) => r.resource !== SIMULATED_BROKER);
      out.set(functionName, [...(out.get(functionName) ?? []), ...requests]);
    }
    return out;
  }

  it('records calls of every function that runs locally', () => {
    const recorded = new Set(requestsByFunction().keys());
    const expected = [...roles.keys()].filter((fn) => !NOT_RUN_LOCALLY.has(fn)).sort();
    expect([...recorded].sort()).toEqual(expected);
    // The notifier delivered each run's digest to the topic (plain text, no secret in it).
    const messages = published.map((p) => z.object({ Subject: z.string(), Message: z.string() }).parse(p));
    expect(messages.filter((m) => /fill/.test(m.Subject)).length).toBeGreaterThanOrEqual(4);
    for (const m of messages) expect(m.Message).not.toMatch(/AKTESTKEY|test-secret/);
    // The manual trades' breaks (ReconciliationBreak) alerted once: the episode is not over.
    expect(messages.filter((m) => m.Subject.endsWith('reconciliation is failing'))).toHaveLength(1);
    // The same digests and alert went out as e-mail through SES, HTML with its text part.
    const mails = mailed.map((m) =>
      z
        .object({
          FromEmailAddress: z.literal(EMAIL.from),
          Content: z.object({
            Simple: z.object({
              Subject: z.object({ Data: z.string() }),
              Body: z.object({ Html: z.object({ Data: z.string() }), Text: z.object({ Data: z.string() }) }),
            }),
          }),
        })
        .parse(m),
    );
    expect(mails.map((m) => m.Content.Simple.Subject.Data).sort()).toEqual(
      messages.map((m) => m.Subject).sort(),
    );
    for (const { Body } of mails.map((m) => m.Content.Simple)) {
      expect(Body.Html.Data).toMatch(/^<!doctype html>/);
      expect(`${Body.Html.Data}${Body.Text.Data}`).not.toMatch(/AKTESTKEY|test-secret/);
    }
    // The intent claim's transaction is among them, with its condition check.
    const actions = [...requestsByFunction().values()].flat().map((r) => r.action);
    expect(actions).toContain('dynamodb:ConditionCheckItem');
  });

  it("allows every recorded call by the calling function's role", async () => {
    const denied: { functionName: string; request: IamRequest }[] = [];
    for (const [functionName, requests] of requestsByFunction()) {
      const role = roles.get(functionName);
      if (!role) throw new Error(`no function ${functionName} in the template`);
      const distinct = new Map(requests.map((r) => [`${r.action} ${r.resource}`, r]));
      for (const request of distinct.values())
        if (!(await allows(role, request.action, request.resource))) denied.push({ functionName, request });
    }
    expect(denied.map((d) => `${d.functionName}: ${d.request.action} on ${d.request.resource}`)).toEqual([]);
  });

  it('grants no action that no recorded call (or a listed need) uses', () => {
    const used = requestsByFunction();
    const unused: string[] = [];
    for (const [functionName, role] of roles) {
      const actions = new Set((used.get(functionName) ?? []).map((r) => r.action));
      const needed = NEEDED_WITHOUT_A_RECORDED_CALL[functionName] ?? {};
      for (const { action } of grantedActions(role))
        if (!actions.has(action) && needed[action] === undefined) unused.push(`${functionName}: ${action}`);
    }
    expect(unused).toEqual([]);
  });

  it("grants the notifier SES only on the sender's identity, and only when the stage names a sender", async () => {
    const notifier = roles.get('notifier');
    if (!notifier) throw new Error('no notifier in the template');
    expect(grantedActions(notifier).find((g) => g.action === 'ses:SendEmail')?.resources).toEqual([
      `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${EMAIL.from}`,
    ]);
    expect(
      await allows(notifier, 'ses:SendEmail', `arn:aws:ses:${REGION}:${ACCOUNT}:identity/other@example.com`),
    ).toBe(false);
    // The stage's default (notifyEmailFrom empty): no e-mail, no grant.
    const byDefault = functionRoles(template).get('notifier');
    expect(byDefault && grantedActions(byDefault).map((g) => g.action)).not.toContain('ses:SendEmail');
    expect(
      [...functionRoles(template, DEPLOYED_WITH)].filter(
        ([fn, role]) => fn !== 'notifier' && grantedActions(role).some((g) => g.action.startsWith('ses:')),
      ),
    ).toEqual([]);
  });

  it('lists no need the role does not grant (the list stays true)', async () => {
    const stale: string[] = [];
    for (const [functionName, needs] of Object.entries(NEEDED_WITHOUT_A_RECORDED_CALL)) {
      const role = roles.get(functionName);
      if (!role) throw new Error(`no function ${functionName} in the template`);
      const granted = new Set(grantedActions(role).map((g) => g.action));
      for (const action of Object.keys(needs))
        if (!granted.has(action)) stale.push(`${functionName}: ${action}`);
    }
    expect(stale).toEqual([]);
  });
});
