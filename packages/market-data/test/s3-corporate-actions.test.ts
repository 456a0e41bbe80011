import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createTestBucket, type TestBucket } from '@books/testkit';
import {
  BarFileError,
  CORPORATE_ACTIONS_FILE,
  formatCorporateActions,
  NO_CORPORATE_ACTIONS,
  S3BarStore,
} from '../src';
import { SAMPLE_CORPORATE_ACTIONS } from '../src/sample-bars';

/** The SDK's commands the store sends, as a function's wiring hands them in. */
const S3_COMMANDS = { GetObjectCommand, PutObjectCommand, ListObjectsV2Command };

let bucket: TestBucket;
beforeAll(async () => {
  bucket = await createTestBucket('corporate-actions');
});
afterAll(() => bucket.cleanup());

const put = (key: string, body: string) =>
  bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: body }));
const store = (prefix: string) =>
  new S3BarStore({ client: bucket.client, commands: S3_COMMANDS, bucket: bucket.bucket, prefix });

describe('S3BarStore corporate actions', () => {
  it('reads corporate-actions.json under the prefix, and none when it is absent', async () => {
    await put(`a/bars/${CORPORATE_ACTIONS_FILE}`, formatCorporateActions(SAMPLE_CORPORATE_ACTIONS));
    await put('a/bars/SPY.csv', 'date,open,high,low,close,volume\n2025-01-02,1,1,1,1,1\n');
    expect(await store('a/bars').corporateActions()).toEqual(SAMPLE_CORPORATE_ACTIONS);
    expect(await store('a/bars').symbols()).toEqual(['SPY']);
    expect(await store('b/bars').corporateActions()).toEqual(NO_CORPORATE_ACTIONS);
  });

  it('rejects a malformed object naming it', async () => {
    await put(
      `c/bars/${CORPORATE_ACTIONS_FILE}`,
      '{"cash":[{"date":"2025-08-01","type":"gift","amount":"1"}]}',
    );
    const read = store('c/bars').corporateActions();
    await expect(read).rejects.toBeInstanceOf(BarFileError);
    await expect(store('c/bars').corporateActions()).rejects.toThrow(
      /c\/bars\/corporate-actions\.json.*cash\.0\.type/,
    );
  });
});
