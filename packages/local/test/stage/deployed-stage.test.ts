import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  runAdjust,
  runControl,
  runDlq,
  runFlows,
  runMigrate,
  runPnl,
  runPositions,
  runReconcile,
  runRecover,
  runReport,
  runRuns,
  runShadowReport,
  runStatus,
  runTrades,
} from '@books/cli';
import { ManualClock, runIdOf, type TradingDate } from '@books/core';
import type { AwsAccess, QueryContext, Stage } from '@books/operator';
import {
  confirmMutation,
  mutating,
  openDeployed,
  runDeployedDay,
  StageError,
  sfnClientOf,
  withStage,
} from '@books/operator';
import { FakeAlpacaServer } from '@books/testkit';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { localDynamoDb } from '../../src/stack/clients';
import { daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS, sampleBarsDir } from '../e2e/support';
import { type MotoServer, motoAwsAccess, startMoto } from '../support/moto-server';

/**
 * `books <command> --stage S` on a deployed stage, against real AWS API emulators: the stage's
 * queues, SSM parameters and CloudFormation stack in moto's server, its table in DynamoDB Local
 * (both created from serverless.yml's definitions, as `sls deploy` would), its broker the
 * Alpaca-shaped server. The ledger holds the books of a real daily cycle.
 */
describe('a deployed stage', () => {
  jest.setTimeout(300_000);
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const region = 'us-east-1';
  let moto: MotoServer;
  let alpaca: FakeAlpacaServer;
  let world: LocalWorld;
  let stageName: string;
  let aws: AwsAccess;
  const [day1, day2] = daysFrom('2024-05-01', 2) as [TradingDate, TradingDate];

  const motoClient = <C>(make: new (c: object) => C): C =>
    new make({ endpoint: moto.url, region, credentials });

  beforeAll(async () => {
    moto = await startMoto();
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT ?? '';
    // The stage's table (DynamoDB Local) and queues (moto's SQS) from serverless.yml's definitions,
    // and a real daily cycle on them, as the deployed functions would run it.
    world = await openWorld('ops', { endpoints: { dynamodb, sqs: moto.url } });
    await world.runDay(day1);
    await world.runDay(day2);
    stageName = world.services.env.BOOKS_STAGE;
    const dlqUrl = world.executionQueueUrl.replace(/-execution$/, '-execution-dlq');

    const ssm = motoClient(SSMClient);
    for (const [key, value] of [
      ['api-key-id', 'PKTEST'],
      ['api-secret-key', 'secret'],
    ])
      await ssm.send(
        new PutParameterCommand({
          Name: `/strategy-books/${stageName}/alpaca/${key}`,
          Value: value,
          Type: 'SecureString',
        }),
      );
    await ssm.send(
      new PutParameterCommand({
        Name: `/strategy-books/${stageName}/flows/${STRATEGY_IDS[0]}`,
        Value: 'shadow',
        Type: 'String',
      }),
    );
    // The bars bucket as the data refresh keeps it.
    const bucket = `strategy-books-${stageName}-bars`;
    const s3 = new S3Client({ endpoint: moto.url, region, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const file of readdirSync(sampleBarsDir()))
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `bars/${file}`,
          Body: readFileSync(join(sampleBarsDir(), file), 'utf8'),
        }),
      );
    // The DailyRun state machine, which moto executes (its Lambdas are played by the test).
    const config = await fetch(`${moto.url}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
    });
    expect(config.ok).toBe(true);
    const { stateMachineArn = '' } = await motoClient(SFNClient).send(
      new CreateStateMachineCommand({
        name: `strategy-books-${stageName}-daily-run`,
        roleArn: 'arn:aws:iam::123456789012:role/daily-run',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    // The stack registered with the outputs serverless.yml declares (its topic created by CloudFormation).
    const output = (value: string) => ({ Value: value });
    await motoClient(CloudFormationClient).send(
      new CreateStackCommand({
        StackName: `strategy-books-${stageName}`,
        TemplateBody: JSON.stringify({
          Resources: { AlarmTopic: { Type: 'AWS::SNS::Topic' } },
          Outputs: {
            LedgerTableName: output(world.services.env.BOOKS_TABLE_NAME),
            ExecutionQueueUrl: output(world.executionQueueUrl),
            ExecutionDeadLetterQueueUrl: output(dlqUrl),
            DailyRunStateMachineArn: output(stateMachineArn),
            AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } },
            BrokerMode: output('alpaca-paper'),
            AlpacaFeed: output('iex'),
            AlpacaKeySsmPrefix: output(`/strategy-books/${stageName}/alpaca`),
            FlowFlagsSsmPrefix: output(`/strategy-books/${stageName}/flows`),
            ControlsSsmPrefix: output(`/strategy-books/${stageName}/controls`),
            StrategiesConfig: output('config.local.json'),
            BarsLocation: output(`s3://${bucket}/bars/`),
          },
        }),
      }),
    );
    await motoClient(SQSClient).send(
      new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"not":"an order"}' }),
    );

    const symbols = readdirSync(sampleBarsDir()).map((f) => f.replace(/\.csv$/, ''));
    const now = new Date();
    // The broker's calendar ends on the day `books run` runs below: the stage's last run is day 2's.
    const day3 = daysFrom('2024-05-01', 3)[2] ?? '';
    const calendar = SAMPLE_DAYS.filter((d) => d <= day3).map((date) => ({
      date,
      open: '09:30',
      close: '16:00',
    }));
    alpaca = await FakeAlpacaServer.start({
      world: {
        cash: '100000',
        assets: symbols.map((symbol) => ({ symbol, tradable: true, fractionable: true })),
        prices: Object.fromEntries(symbols.map((s) => [s, '123.45'])),
        calendar,
      },
      clock: new ManualClock(now.toISOString()),
      keyId: 'PKTEST',
      secretKey: 'secret',
    });
    aws = motoAwsAccess(moto, dynamodb, region, credentials);
  });

  afterAll(async () => {
    await alpaca?.close();
    await moto?.stop();
  });

  const onStage = <T>(work: (stage: Stage) => Promise<T>) =>
    withStage(stageName, work, { aws, alpacaUrls: { tradingUrl: alpaca.url, dataUrl: alpaca.url } });

  type Command = (c: QueryContext, io: { out(t: string): void; err(t: string): void }) => Promise<number>;
  async function capture(ctx: QueryContext, command: Command) {
    let out = '';
    let err = '';
    const code = await command(ctx, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }
  const embeddedCtx = (strategyIds: QueryContext['strategyIds']): QueryContext => ({
    services: world.services,
    stage: stageName,
    strategyIds,
    calendar: SAMPLE_DAYS,
    lastRunDate: day2,
    now: new Date(),
  });

  it('is reached through its stack: its resources, broker mode and strategies from the outputs', async () => {
    await onStage(async (stage) => {
      expect(stage.kind).toBe('deployed');
      expect(stage.liveMoney).toBe(false);
      expect(stage.services.env.BOOKS_TABLE_NAME).toBe(world.services.env.BOOKS_TABLE_NAME);
      expect(stage.services.env.BOOKS_EXECUTION_QUEUE_URL).toBe(world.executionQueueUrl);
      expect([...stage.strategyIds].sort()).toEqual(STRATEGY_IDS);
      expect(stage.services.flows.source).toBe(`ssm:/strategy-books/${stageName}/flows`);
      expect(await stage.callerIdentity()).toMatch(/^arn:aws:/);
    });
  });

  it('books positions and trades print what the ledger holds, as on the embedded stage', async () => {
    await onStage(async (stage) => {
      for (const command of [
        (c: QueryContext, io: Parameters<Command>[1]) => runPositions(c, { json: false }, io),
        (c: QueryContext, io: Parameters<Command>[1]) => runTrades(c, { json: false }, io),
      ]) {
        const deployed = await capture(stage, command);
        const embedded = await capture(embeddedCtx(stage.strategyIds), command);
        expect(deployed.code).toBe(0);
        expect(deployed.out).toBe(embedded.out);
        for (const sid of STRATEGY_IDS) expect(deployed.out).toContain(sid);
      }
    });
  });

  it('books pnl marks every book at the broker’s latest prices', async () => {
    const before = alpaca.count('GET /v2/stocks/trades/latest');
    const r = await onStage((stage) => capture(stage, (c, io) => runPnl(c, { json: true }, io)));
    expect(r.code).toBe(0);
    expect(alpaca.count('GET /v2/stocks/trades/latest')).toBeGreaterThan(before);
    for (const sid of STRATEGY_IDS) expect(r.out).toContain(sid);
  });

  it('books runs shows the runs of the daily cycles', async () => {
    const r = await onStage((stage) =>
      capture(stage, (c, io) => runRuns(c, { from: day1, to: day2, last: 5, json: false }, io)),
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(day1);
    expect(r.out).toContain(day2);
  });

  it('books flows reads the flags from the stage’s SSM prefix', async () => {
    const r = await onStage((stage) => capture(stage, (c, io) => runFlows(c, { json: true }, io)));
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as {
      flags: string;
      strategies: { strategyId: string; flag?: string }[];
    };
    expect(parsed.flags).toBe(`ssm:/strategy-books/${stageName}/flows`);
    expect(parsed.strategies.find((s) => s.strategyId === STRATEGY_IDS[0])?.flag).toBe('shadow');
  });

  it('books pause, status and resume keep the controls in the stage’s SSM prefix and record who did it', async () => {
    const sid = STRATEGY_IDS[1];
    if (!sid) throw new Error('no strategy');
    const paused = await onStage((stage) =>
      capture(stage, (_c, io) =>
        runControl(
          stage,
          (by) => ({ action: 'pause', strategyId: sid, by, reason: 'deployed test' }),
          { json: true },
          io,
        ),
      ),
    );
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.out)).toMatchObject({
      store: `ssm:/strategy-books/${stageName}/controls`,
      change: {
        action: 'pause',
        target: sid,
        by: expect.stringMatching(/^arn:aws:/),
        reason: 'deployed test',
      },
    });
    const status = await onStage((stage) => capture(stage, (c, io) => runStatus(c, { json: true }, io)));
    const shown = JSON.parse(status.out) as { books: { strategyId: string; state: string }[] };
    expect(shown.books.find((b) => b.strategyId === sid)?.state).toBe('paused');
    const resumed = await onStage((stage) =>
      capture(stage, (_c, io) =>
        runControl(
          stage,
          (by) => ({ action: 'resume', strategyId: sid, by, reason: 'done' }),
          { json: false },
          io,
        ),
      ),
    );
    expect(resumed.out).toMatch(new RegExp(`^resume ${sid} on ${stageName} by arn:aws:`));
    const flows = await onStage((stage) => capture(stage, (c, io) => runFlows(c, { json: true }, io)));
    const rows = JSON.parse(flows.out) as { strategies: { strategyId: string; control: string }[] };
    expect(rows.strategies.find((s) => s.strategyId === sid)?.control).toBe('active');
  });

  it('books dlq list and show read the DLQ named by the stack', async () => {
    const list = await onStage((stage) =>
      capture(stage, (c, io) => runDlq(c, { action: 'list', json: true }, io)),
    );
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.out) as { messages: { messageId: string; why: string }[] };
    expect(parsed.messages).toHaveLength(1);
    expect(parsed.messages[0]?.why).toMatch(/malformed message/);
    const id = parsed.messages[0]?.messageId ?? '';
    const show = await onStage((stage) =>
      capture(stage, (c, io) => runDlq(c, { action: 'show', id, json: false }, io)),
    );
    expect(show.code).toBe(0);
    expect(show.out).toContain('{"not":"an order"}');
  });

  it('books reconcile compares the books with the broker account', async () => {
    const r = await onStage((stage) => capture(stage, (c, io) => runReconcile(c, { json: true }, io)));
    // The Alpaca-shaped account holds none of the books' shares: every held symbol is a break.
    expect(r.code).toBe(1);
    expect(r.out).toContain('"status"');
  });

  it('books report renders the deployed ledger to HTML', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'books-deployed-report-')), 'report.html');
    const r = await onStage((stage) =>
      capture(stage, (c, io) => runReport(c, { out, from: day1, to: day2 }, io)),
    );
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    for (const sid of STRATEGY_IDS) expect(html).toContain(sid);
  });

  it('knows its last run from the ledger: books recover and shadow-report default to it', async () => {
    await onStage(async (stage) => {
      expect(stage.lastRunDate).toBe(day2);
      const recover = await capture(stage, (c, io) => runRecover(c, { json: false }, io));
      expect(recover.code).toBe(0);
      expect(recover.out).toContain(`recover ${runIdOf(stageName, day2)}`);
      const shadow = await capture(stage, (c, io) => runShadowReport(c, { json: true }, io));
      expect(shadow.err).toBe('');
      expect(shadow.out).toContain(day2);
    });
  });

  it('books migrate --dry-run prints the transfers and moves nothing; books adjust --restore-from-ledger finds the book equal to its ledger', async () => {
    await onStage(async (stage) => {
      const sid = STRATEGY_IDS[2] ?? '';
      const before = await capture(stage, (c, io) => runPositions(c, { json: true }, io));
      const dry = await capture(stage, (c, io) =>
        runMigrate(c, { strategy: sid, to: 'legacy', dryRun: true, json: false }, io),
      );
      expect(dry.err).toBe('');
      expect(dry.code).toBe(0);
      expect((await capture(stage, (c, io) => runPositions(c, { json: true }, io))).out).toBe(before.out);
      const restore = await capture(stage, (c, io) =>
        runAdjust(c, { strategy: sid, restore: true, reason: 'deployed-stage test', json: false }, io),
      );
      // The deployed book equals what its ledger says: nothing is written.
      expect(restore.err).toMatch(/already equals its ledger: nothing to restore/);
      expect(restore.code).toBe(2);
      expect((await capture(stage, (c, io) => runPositions(c, { json: true }, io))).out).toBe(before.out);
    });
  });

  it('books run starts the deployed DailyRun, follows it to the end and prints the day report', async () => {
    const day3 = daysFrom('2024-05-01', 3)[2] as TradingDate;
    const stage = await openDeployed(stageName, {
      aws,
      alpacaUrls: { tradingUrl: alpaca.url, dataUrl: alpaca.url },
    });
    const sfn = sfnClientOf(stage);
    const started: string[] = [];
    // The deployed functions at work: once DailyRun is started, the day's cycle runs on the stage.
    sfn.middlewareStack.add(
      (next, context) => async (input) => {
        const result = await next(input);
        if (context.commandName === 'StartExecutionCommand') {
          started.push(JSON.stringify(input.input));
          await world.runDay(day3);
        }
        return result;
      },
      { step: 'initialize', name: 'deployedFunctions' },
    );
    let out = '';
    let err = '';
    const code = await runDeployedDay(
      stage,
      { date: day3, json: false, dryRun: false, yes: false },
      { out: (t) => (out += t), err: (t) => (err += t) },
      {
        sfn,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        now: () => new Date(),
        pollMs: 100,
        followMs: 60_000,
      },
    );
    expect(err).toMatch(/DailyRun .* started/);
    expect(err).toMatch(/DailyRun SUCCEEDED/);
    expect(code).toBe(0);
    expect(started[0]).toContain(day3);
    expect(out).toContain(day3);
    for (const sid of STRATEGY_IDS) expect(out).toContain(sid);
    sfn.destroy();
  });

  describe('on a live-money stage, a mutating command', () => {
    const live = () =>
      openDeployed(stageName, { aws, alpacaUrls: { tradingUrl: alpaca.url, dataUrl: alpaca.url } }).then(
        (stage) => ({ ...stage, liveMoney: true }),
      );

    it('without --yes and without a terminal does nothing', async () => {
      let ran = false;
      let log = '';
      const code = await mutating(
        await live(),
        'books dlq redrive',
        false,
        async () => {
          ran = true;
          return 0;
        },
        (l) => (log += l),
      );
      expect(code).toBe(2);
      expect(ran).toBe(false);
      expect(log).toMatch(/not confirmed; nothing done on ops-/);
    });

    it('goes on only when the operator types the stage name', async () => {
      const stage = await live();
      const log = () => undefined;
      expect(await confirmMutation(stage, 'books recover', { yes: false, ask: async () => 'y', log })).toBe(
        false,
      );
      expect(
        await confirmMutation(stage, 'books recover', { yes: false, ask: async () => stageName, log }),
      ).toBe(true);
    });

    it('with --yes runs and logs what it did with the caller’s identity (STS)', async () => {
      let log = '';
      const code = await mutating(
        await live(),
        'books adjust momentum',
        true,
        async () => 0,
        (l) => (log += l),
      );
      expect(code).toBe(0);
      expect(log).toMatch(/arn:aws:sts::\d+:.* on live stage ops-.*: books adjust momentum: exit 0/);
    });

    it('on a paper stage is not asked', async () => {
      let ran = false;
      const paper = await openDeployed(stageName, {
        aws,
        alpacaUrls: { tradingUrl: alpaca.url, dataUrl: alpaca.url },
      });
      expect(paper.liveMoney).toBe(false);
      await mutating(paper, 'books recover', false, async () => {
        ran = true;
        return 0;
      });
      expect(ran).toBe(true);
    });
  });

  describe('fails clearly and creates nothing', () => {
    async function inventory() {
      const tables = await localDynamoDb(aws.endpoints?.dynamodb ?? '').send(new ListTablesCommand({}));
      const queues = await motoClient(SQSClient).send(new ListQueuesCommand({}));
      const parameters = await motoClient(SSMClient).send(new DescribeParametersCommand({}));
      return {
        tables: tables.TableNames ?? [],
        queues: queues.QueueUrls ?? [],
        parameters: (parameters.Parameters ?? []).map((p) => p.Name),
      };
    }

    it('on a stage with no stack: names the stack, the region and `sls deploy`', async () => {
      const before = await inventory();
      const attempt = withStage('nostack', async () => 'reached', { aws });
      await expect(attempt).rejects.toThrow(StageError);
      await expect(attempt).rejects.toThrow(
        /no stack strategy-books-nostack in us-east-1: deploy it with `sls deploy --stage nostack/,
      );
      expect(await inventory()).toEqual(before);
    });

    it('without AWS credentials: says how to provide them', async () => {
      const saved = { ...process.env };
      const empty = join(mkdtempSync(join(tmpdir(), 'books-no-aws-')), 'none');
      writeFileSync(empty, '');
      for (const k of Object.keys(process.env))
        if (k.startsWith('AWS_') && k !== 'AWS_REGION') delete process.env[k];
      Object.assign(process.env, {
        AWS_SHARED_CREDENTIALS_FILE: empty,
        AWS_CONFIG_FILE: empty,
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      try {
        const before = await inventory();
        const { credentials: _, ...withoutCredentials } = aws;
        const attempt = withStage(stageName, async () => 'reached', { aws: withoutCredentials });
        await expect(attempt).rejects.toThrow(
          /no AWS credentials to reach the stack strategy-books-.*AWS_PROFILE/,
        );
        expect(await inventory()).toEqual(before);
      } finally {
        process.env = saved;
      }
    });

    it('when a parameter the stage needs is missing: names it and how to put it', async () => {
      const ssm = motoClient(SSMClient);
      const { DeleteParameterCommand } = await import('@aws-sdk/client-ssm');
      const name = `/strategy-books/${stageName}/alpaca/api-secret-key`;
      await ssm.send(new DeleteParameterCommand({ Name: name }));
      try {
        await expect(onStage(async () => 'reached')).rejects.toThrow(
          new RegExp(`the SSM parameter ${name} .*aws ssm put-parameter`),
        );
      } finally {
        await ssm.send(new PutParameterCommand({ Name: name, Value: 'secret', Type: 'SecureString' }));
      }
    });
  });
});
