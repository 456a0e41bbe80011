// Runs fauxqs (SQS, and S3 on the same port) as its own process on Node >= 22.5, quietly.
// Env: FAUXQS_PORT, and FAUXQS_DATA_DIR to persist in SQLite. Stops cleanly on SIGTERM/SIGINT.
// fauxqs runs patched (patches/fauxqs@2.4.1.patch): its SQLite persistence lost every message whose
// visibility was changed to 0. packages/local/test/stack/sqs-contract.test.ts holds both modes to the
// SQS semantics the project uses.
import { startFauxqs } from 'fauxqs';

const dataDir = process.env.FAUXQS_DATA_DIR;
const server = await startFauxqs({
  port: Number(process.env.FAUXQS_PORT ?? '0'),
  logger: false,
  ...(dataDir ? { dataDir } : {}),
});
process.stdout.write(
  `fauxqs listening on ${server.address}${dataDir ? `, data in ${dataDir}` : ', in memory'}\n`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
