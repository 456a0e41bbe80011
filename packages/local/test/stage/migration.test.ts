import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runFlows, runMigrate, runReconcile } from '@books/cli';
import {
  LEGACY,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import {
  LedgerTable,
  LegacyRepository,
  loadBook,
  MigrationRepository,
  type TransactItem,
  transferItems,
} from '@books/ledger-client';
import { aggregateSignals } from '@books/legacy';
import { type AwsAccess, type QueryContext, type Stage, withStage } from '@books/operator';
import { applyTransferChanges, type Lot, quantitiesOf, type Transfer } from '@books/portfolio';
import { FakeAlpacaServer } from '@books/testkit';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { openWorld, SAMPLE_DAYS } from '../e2e/support';
import { type MotoServer, motoAwsAccess, startMoto } from '../support/moto-server';

/** A ledger table whose `failAt`-th transaction (counted from the call to `arm`) throws: a crash mid-migration. */
class CrashingTable extends LedgerTable {
  private calls = 0;
  constructor(
    base: LedgerTable,
    private readonly failAt: number,
  ) {
    super(base.client, base.tableName);
  }
  override async transact(items: readonly TransactItem[], options?: { clientRequestToken?: string }) {
    this.calls++;
    if (this.calls === this.failAt) throw new Error(`the process died at transaction ${this.calls}`);
    return super.transact(items, options);
  }
}

const SYMBOLS = ['GLD', 'IWM', 'QQQ', 'SPY', 'TLT'].map((s) => Symbol(s));
const LOTS = 250;
const LEGACY_CASH = '12345.67';

/** The i-th lot of the legacy book: the symbols in turn, a second apart. */
function lotOf(i: number): Lot {
  const qty = Quantity.parse(`${1 + (i % 5)}.5`);
  const price = Price.parse(`${90 + (i % 13)}.10`);
  return {
    symbol: SYMBOLS[i % SYMBOLS.length] ?? Symbol('SPY'),
    openedAt: new Date(Date.parse('2024-04-01T15:00:00.000Z') + i * 1000).toISOString(),
    orderId: `seed-${String(i).padStart(4, '0')}`,
    openQty: qty,
    openPrice: price,
    cost: Money.of(qty.value.times(price.value)),
  };
}

/**
 * `books migrate S --to per-strategy|legacy --stage S` on a deployed stage (its stack, SSM flags
 * and queues in moto's server, its table in DynamoDB Local, its broker the Alpaca-shaped server)
 * for a strategy with 200 lots in the legacy book: moved in chunks, crashed mid-way and finished,
 * and back, with no broker order; the books explain the broker after every step.
 */
describe('books migrate on a deployed stage', () => {
  jest.setTimeout(300_000);
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const region = 'us-east-1';
  const sid = StrategyId('momentum');
  const date = '2024-05-01';
  let moto: MotoServer;
  let alpaca: FakeAlpacaServer;
  let world: LocalWorld;
  let stageName: string;
  let aws: AwsAccess;

  const motoClient = <C>(make: new (c: object) => C): C =>
    new make({ endpoint: moto.url, region, credentials });

  beforeAll(async () => {
    moto = await startMoto();
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT ?? '';
    world = await openWorld('migr', { endpoints: { dynamodb, sqs: moto.url } });
    stageName = world.services.env.BOOKS_STAGE;
    const { table, books } = world.services;

    // The legacy book as the merged flow left it: 200 lots (each book is a projection of its
    // transfers), its cash, and a legacy run in which momentum holds every symbol but SPY alone
    // (and part of SPY, and of the idle cash, with breakout).
    const all = Array.from({ length: LOTS }, (_, i) => lotOf(i));
    for (let start = 0; start < all.length; start += 40) {
      const loaded = await loadBook(books, LEGACY);
      const transfer: Transfer = {
        id: `seed-${start}`,
        amount: start === 0 ? Money.parse(LEGACY_CASH) : Money.ZERO,
        reason: 'adjustment',
        at: '2024-04-30T21:00:00.000Z',
        positions: all.slice(start, start + 40).map((lot) => ({ direction: 'in', lot })),
      };
      const { changes } = applyTransferChanges(loaded.book, transfer);
      await table.transact(transferItems(books, loaded, LEGACY, transfer, { changes }));
    }
    const weights = (w: Record<string, string>) =>
      new Map(Object.entries(w).map(([s, v]) => [Symbol(s), Weight.parse(v)]));
    const other = StrategyId('breakout');
    await new LegacyRepository(table).putSignals(
      aggregateSignals({
        runId: RunId(`${stageName}-2024-04-30`),
        tradingDate: TradingDate('2024-04-30'),
        recordedAt: '2024-04-30T20:00:00.000Z',
        strategies: [
          { strategyId: sid, flow: 'legacy', allocation: Weight.parse('0.5') },
          { strategyId: other, flow: 'legacy', allocation: Weight.parse('0.5') },
        ],
        signals: new Map([
          [
            sid,
            {
              strategyId: sid,
              outcome: 'SIGNALLED',
              weights: weights({ GLD: '0.16', IWM: '0.16', QQQ: '0.16', SPY: '0.16', TLT: '0.16' }),
            },
          ],
          [other, { strategyId: other, outcome: 'SIGNALLED', weights: weights({ SPY: '0.5' }) }],
        ]),
      }),
    );

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
    const output = (value: string) => ({ Value: value });
    await motoClient(CloudFormationClient).send(
      new CreateStackCommand({
        StackName: `strategy-books-${stageName}`,
        TemplateBody: JSON.stringify({
          Resources: { AlarmTopic: { Type: 'AWS::SNS::Topic' } },
          Outputs: {
            LedgerTableName: output(world.services.env.BOOKS_TABLE_NAME),
            ExecutionQueueUrl: output(world.executionQueueUrl),
            ExecutionDeadLetterQueueUrl: output(
              world.executionQueueUrl.replace(/-execution$/, '-execution-dlq'),
            ),
            DailyRunStateMachineArn: output(
              `arn:aws:states:${region}:123456789012:stateMachine:strategy-books-${stageName}-daily-run`,
            ),
            AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } },
            BrokerMode: output('alpaca-paper'),
            AlpacaFeed: output('iex'),
            AlpacaKeySsmPrefix: output(`/strategy-books/${stageName}/alpaca`),
            FlowFlagsSsmPrefix: output(`/strategy-books/${stageName}/flows`),
            StrategiesConfig: output('config.local.json'),
            BarsLocation: output(`s3://strategy-books-${stageName}-bars/bars/`),
          },
        }),
      }),
    );

    // The broker holds exactly what the legacy book holds, and its cash.
    const legacy = await loadBook(books, LEGACY);
    alpaca = await FakeAlpacaServer.start({
      world: {
        cash: LEGACY_CASH,
        assets: SYMBOLS.map((symbol) => ({ symbol, tradable: true, fractionable: true })),
        prices: Object.fromEntries(SYMBOLS.map((s) => [s, '100'])),
        calendar: SAMPLE_DAYS.filter((d) => d <= date).map((d) => ({
          date: d,
          open: '09:30',
          close: '16:00',
        })),
      },
      clock: new ManualClock(new Date().toISOString()),
      keyId: 'PKTEST',
      secretKey: 'secret',
    });
    for (const [symbol, qty] of quantitiesOf(legacy.book))
      alpaca.state.setPosition(symbol, qty.toString(), '100');
    aws = motoAwsAccess(moto, dynamodb, region, credentials);
  });

  afterAll(async () => {
    await alpaca?.close();
    await moto?.stop();
  });

  const onStage = <T>(work: (stage: Stage) => Promise<T>) =>
    withStage(stageName, work, { aws, alpacaUrls: { tradingUrl: alpaca.url, dataUrl: alpaca.url } });
  type Io = { out(t: string): void; err(t: string): void };
  async function capture(ctx: QueryContext, command: (c: QueryContext, io: Io) => Promise<number>) {
    let out = '';
    let err = '';
    const code = await command(ctx, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }
  const migrate = (ctx: QueryContext, to: 'per-strategy' | 'legacy', dryRun = false) =>
    capture(ctx, (c, io) => runMigrate(c, { strategy: sid, to, dryRun, json: false, by: 'ops@e2e' }, io));

  /** `books reconcile --json`: exit 0 and every symbol MATCH, held by the books named. */
  async function expectMatch(step: string, holders: Record<string, string[]>) {
    const r = await onStage((stage) => capture(stage, (c, io) => runReconcile(c, { date, json: true }, io)));
    const parsed = JSON.parse(r.out) as {
      symbols: { symbol: string; status: string; byStrategy: { strategyId: string }[] }[];
    };
    expect({ step, code: r.code, err: r.err }).toEqual({ step, code: 0, err: '' });
    expect({
      step,
      symbols: Object.fromEntries(
        parsed.symbols.map((s) => [s.symbol, [s.status, ...s.byStrategy.map((b) => b.strategyId).sort()]]),
      ),
    }).toEqual({
      step,
      symbols: Object.fromEntries(SYMBOLS.map((s) => [s, ['MATCH', ...(holders[s] ?? [])]])),
    });
  }
  const flagOf = async () =>
    (
      await motoClient(SSMClient)
        .send(new GetParameterCommand({ Name: `/strategy-books/${stageName}/flows/${sid}` }))
        .catch(() => ({ Parameter: undefined }))
    ).Parameter?.Value;

  it('moves 200 lots to per-strategy in chunks, survives a crash mid-way, and back, with no order; reconcile MATCH at every step', async () => {
    const orders = () => alpaca.count('POST /v2/orders');
    const ordersBefore = orders();
    const inLegacy = Object.fromEntries(SYMBOLS.map((s) => [s, ['LEGACY']]));
    await expectMatch('before', inLegacy);

    // --dry-run: the lots, the cash and the chunks; nothing written.
    const dry = await onStage((stage) => migrate(stage, 'per-strategy', true));
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(
      /would migrate momentum to per-strategy \(mig-momentum-per-strategy-\d+, LEGACY → momentum/,
    );
    expect(dry.out).toMatch(/transfer {2}cash [1-9]\d*\.\d\d\n/);
    // 200 lots of GLD, IWM, QQQ, TLT (all momentum's) and the first of SPY (2/7 of it is momentum's).
    const [, lots, chunks] = /(\d+) lots in (\d+) chunks of at most 40 lots/.exec(dry.out) ?? [];
    expect(Number(lots)).toBeGreaterThan(200);
    expect(Number(chunks)).toBe(Math.ceil(Number(lots) / 40));
    expect(await new MigrationRepository(world.services.table).list(sid)).toEqual([]);

    // The process dies at the third transaction (open, chunk 1, then chunk 2): the migration stays
    // open at chunk 1, the books (part in each) still explain the broker, the flag is not set.
    const crashed = await onStage((stage) =>
      migrate(
        { ...stage, services: { ...stage.services, table: new CrashingTable(stage.services.table, 3) } },
        'per-strategy',
      ),
    );
    expect(crashed.code).toBe(2);
    expect(crashed.err).toMatch(new RegExp(`chunk 1/${chunks} done \\(40 lots\\)`));
    expect(crashed.err).toMatch(/the process died at transaction 3/);
    const [open] = await new MigrationRepository(world.services.table).list(sid);
    expect(open).toMatchObject({ status: 'OPEN', chunksDone: 1, by: 'ops@e2e' });
    // Chunk 1 moved the first 40 of GLD's 50 lots (symbols in order, FIFO).
    await expectMatch('after the crash', { ...inLegacy, GLD: ['LEGACY', 'momentum'] });
    expect(await flagOf()).toBeUndefined();
    const flows = await onStage((stage) => capture(stage, (c, io) => runFlows(c, { json: false }, io)));
    expect(flows.out).toMatch(
      new RegExp(`momentum .* split: ${open?.id} to per-strategy open \\(1/${chunks} chunks\\)`),
    );
    // The other direction is refused while it is open.
    const back = await onStage((stage) => migrate(stage, 'legacy'));
    expect(back.code).toBe(2);
    expect(back.err).toMatch(/migration mig-momentum-per-strategy-\d+ of momentum to per-strategy is open/);

    // The next attempt finishes it: all of GLD, IWM, QQQ, TLT and momentum's part of SPY.
    const finished = await onStage((stage) => migrate(stage, 'per-strategy'));
    expect(finished.code).toBe(0);
    expect(finished.out).toMatch(/finished migrating momentum to per-strategy/);
    expect(finished.out).toContain(
      `${chunks} chunks of at most 40 lots; open with 1 of them done (opened by ops@e2e)`,
    );
    expect(finished.err).toContain(`chunk ${chunks}/${chunks} done`);
    expect(await flagOf()).toBe('per-strategy');
    await expectMatch('after the carve-out', {
      GLD: ['momentum'],
      IWM: ['momentum'],
      QQQ: ['momentum'],
      SPY: ['LEGACY', 'momentum'],
      TLT: ['momentum'],
    });
    expect((await loadBook(world.services.books, sid)).book.lots).toHaveLength(Number(lots));

    // And back: every lot folds into the legacy book again.
    const folded = await onStage((stage) => migrate(stage, 'legacy'));
    expect(folded.err).toMatch(/chunk \d\/\d done/);
    expect(folded.code).toBe(0);
    expect(await flagOf()).toBe('legacy');
    await expectMatch('after the fold-back', inLegacy);
    expect((await loadBook(world.services.books, LEGACY)).book.lots).toHaveLength(LOTS);
    expect(orders()).toBe(ordersBefore);
  });
});
