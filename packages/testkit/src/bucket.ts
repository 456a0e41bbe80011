import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { testS3 } from './clients';
import { uniqueName } from './names';

export interface TestBucket {
  readonly bucket: string;
  readonly client: S3Client;
  /** Empties and deletes the bucket and closes the client. */
  cleanup(): Promise<void>;
}

/** A fresh, uniquely-named S3 bucket on the test stack (fauxqs serves S3 beside SQS). */
export async function createTestBucket(prefix: string): Promise<TestBucket> {
  const client = testS3();
  const bucket = uniqueName(prefix, 63);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    bucket,
    client,
    async cleanup() {
      try {
        let token: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
          );
          const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
          if (keys.length > 0)
            await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
          token = page.NextContinuationToken;
        } while (token !== undefined);
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        client.destroy();
      }
    },
  };
}
