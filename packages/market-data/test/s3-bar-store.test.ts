import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ConcurrencyError, TradingDate, ValidationError } from '@books/core';
import { createTestBucket, type TestBucket, testS3 } from '@books/testkit';
import { type Bar, BarFileError, S3BarStore } from '../src';
import { type BarFiles, csv, describeBarStore } from './support/bar-store-suite';
import { enforceConditionalPuts } from './support/conditional-puts';

/** The SDK's commands the store sends, as a function's wiring hands them in. */
const S3_COMMANDS = { GetObjectCommand, PutObjectCommand, ListObjectsV2Command };

let bucket: TestBucket;
let prefixes = 0;

beforeAll(async () => {
  bucket = await createTestBucket('bars');
});
afterAll(() => bucket.cleanup());

/** Writes `files` under a fresh prefix of the test bucket and returns that prefix. */
async function upload(files: BarFiles): Promise<string> {
  prefixes++;
  const prefix = `run-${prefixes}/bars/`;
  for (const [name, body] of Object.entries(files))
    await bucket.client.send(
      new PutObjectCommand({ Bucket: bucket.bucket, Key: `${prefix}${name}`, Body: body }),
    );
  return prefix;
}

const storeOf = (prefix: string, client = bucket.client) =>
  new S3BarStore({ client, commands: S3_COMMANDS, bucket: bucket.bucket, prefix });

describeBarStore('S3BarStore', async (files) => storeOf(await upload(files)));

const bar = (date: string, closeText: string, extra: Partial<Bar> = {}): Bar => ({
  date: TradingDate(date),
  open: 1.25,
  high: 2,
  low: 0.5,
  close: Number(closeText),
  closeText,
  volume: 1200,
  ...extra,
});

describe('S3BarStore', () => {
  it('reads each object once per instance', async () => {
    const prefix = await upload({ 'SPY.csv': csv('2024-01-02,1,1,1,1.5,1') });
    const store = storeOf(prefix);
    await store.bars('SPY');
    await bucket.client.send(
      new PutObjectCommand({
        Bucket: bucket.bucket,
        Key: `${prefix}SPY.csv`,
        Body: csv('2024-01-02,1,1,1,9,1'),
      }),
    );
    expect((await store.bars('SPY'))[0]?.closeText).toBe('1.5');
    expect((await storeOf(prefix).bars('SPY'))[0]?.closeText).toBe('9');
  });

  it('lists only the CSV objects directly under its prefix', async () => {
    const prefix = await upload({ 'SPY.csv': csv(), 'notes.txt': 'x', 'old/QQQ.csv': csv() });
    expect(await storeOf(prefix).symbols()).toEqual(['SPY']);
    expect(await storeOf(prefix.slice(0, -1)).symbols()).toEqual(['SPY']);
  });

  it('writes bars that a fresh store reads back exactly, and updates its own listing and calendar', async () => {
    const prefix = await upload({ 'SPY.csv': csv('2024-01-02,1,1,1,1.5,1') });
    const store = storeOf(prefix);
    expect(await store.calendar()).toEqual(['2024-01-02']);

    const written = [bar('2024-01-03', '360.5000'), bar('2024-01-04', '361.123456789', { volume: 0.5 })];
    await store.putBars('BRK/B', written);

    expect(await storeOf(prefix).bars('BRK/B')).toEqual(written);
    expect(await store.bars('BRK/B')).toEqual(written);
    expect(await store.symbols()).toEqual(['BRK/B', 'SPY']);
    expect(await store.calendar()).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
  });

  it('never writes bars the parser would reject', async () => {
    const prefix = await upload({});
    const store = storeOf(prefix);
    await expect(store.putBars('SPY', [bar('2024-01-03', '1'), bar('2024-01-03', '2')])).rejects.toThrow(
      /SPY\.csv:3: duplicate bar for 2024-01-03/,
    );
    await expect(store.putBars('SPY', [bar('2024-01-03', '0')])).rejects.toBeInstanceOf(BarFileError);
    expect(await storeOf(prefix).symbols()).toEqual([]);
  });

  it('writes on condition of the version it read: none for a new object, its ETag for an existing one', async () => {
    const prefix = await upload({ 'SPY.csv': csv('2024-01-02,1,1,1,1.5,1') });
    const client = testS3();
    const puts = enforceConditionalPuts(client, bucket.client);
    try {
      const store = storeOf(prefix, client);
      await store.bars('SPY');
      await store.putBars('SPY', [bar('2024-01-02', '1.5'), bar('2024-01-03', '1.6')]);
      await store.putBars('SPY', [
        bar('2024-01-02', '1.5'),
        bar('2024-01-03', '1.6'),
        bar('2024-01-04', '1.7'),
      ]);
      await store.putBars('QQQ', [bar('2024-01-02', '400')]);

      expect(puts.map((p) => [p.IfMatch === undefined ? 'none' : 'etag', p.IfNoneMatch ?? null])).toEqual([
        ['etag', null],
        ['etag', null],
        ['none', '*'],
      ]);
      expect(puts[1]?.IfMatch).not.toBe(puts[0]?.IfMatch);
      expect((await storeOf(prefix).bars('SPY')).map((b) => b.closeText)).toEqual(['1.5', '1.6', '1.7']);
    } finally {
      client.destroy();
    }
  });

  it('refuses to overwrite an object another writer changed since it was read', async () => {
    const prefix = await upload({ 'SPY.csv': csv('2024-01-02,1,1,1,1.5,1') });
    const client = testS3();
    enforceConditionalPuts(client, bucket.client);
    try {
      const first = storeOf(prefix, client);
      const second = storeOf(prefix, client);
      await first.bars('SPY');
      await second.bars('SPY');
      await first.putBars('SPY', [bar('2024-01-02', '1.5'), bar('2024-01-03', '2')]);

      await expect(
        second.putBars('SPY', [bar('2024-01-02', '1.5'), bar('2024-01-03', '3')]),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await storeOf(prefix).bars('SPY')).map((b) => b.closeText)).toEqual(['1.5', '2']);
      // The loser forgot what it read: a retry reads the winner's version.
      expect((await second.bars('SPY')).map((b) => b.closeText)).toEqual(['1.5', '2']);
    } finally {
      client.destroy();
    }
  });

  it('rejects a symbol that is not a ticker instead of reading an arbitrary key', async () => {
    await expect(storeOf('x/').bars('../secrets')).rejects.toBeInstanceOf(ValidationError);
  });
});
