import { HeadObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * Makes `client` honour If-Match / If-None-Match on PutObject as S3 does (the embedded fauxqs
 * ignores them): the current ETag is read with `probe` first, and a failed condition throws what
 * the SDK throws for S3's 412. Records every PutObject input in the returned list.
 */
export function enforceConditionalPuts(client: S3Client, probe: S3Client): PutObjectCommandInput[] {
  const puts: PutObjectCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutObjectCommand') return next(args);
      const input: PutObjectCommandInput = args.input as PutObjectCommandInput;
      puts.push(input);
      const current = await probe
        .send(new HeadObjectCommand({ Bucket: input.Bucket, Key: input.Key }))
        .then((o) => o.ETag ?? null)
        .catch(() => null);
      const failed =
        (input.IfNoneMatch === '*' && current !== null) ||
        (input.IfMatch !== undefined && input.IfMatch !== current);
      if (failed)
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      return next(args);
    },
    { step: 'initialize', name: 'enforceConditionalPuts' },
  );
  return puts;
}
