import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { node22Executable } from './paths';
import { spawnServer } from './processes';
import { awaitReady, PROCESS_MARKERS, type ServerRecord } from './server-process';

export interface SqsOptions {
  readonly port: number;
  /** Directory for fauxqs's SQLite file; null keeps everything in memory. */
  readonly dataDir: string | null;
  readonly logFile: string;
  /** Outlive this process (see spawnServer). */
  readonly detached: boolean;
}

/** Starts fauxqs (SQS and S3) on Node 22 and waits until its health check answers. */
export async function startSqs(options: SqsOptions): Promise<ServerRecord> {
  if (options.dataDir !== null) mkdirSync(options.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, FAUXQS_PORT: String(options.port) };
  delete env.FAUXQS_DATA_DIR;
  if (options.dataDir !== null) env.FAUXQS_DATA_DIR = options.dataDir;
  const spawned = spawnServer(
    node22Executable(),
    ['--disable-warning=ExperimentalWarning', join(__dirname, PROCESS_MARKERS.sqs)],
    { logFile: options.logFile, detached: options.detached, env },
  );
  const endpoint = `http://127.0.0.1:${options.port}`;
  await awaitReady('fauxqs', spawned, PROCESS_MARKERS.sqs, options.logFile, () => sqsAnswers(endpoint));
  return {
    pid: spawned.pid,
    port: options.port,
    endpoint,
    logFile: options.logFile,
    dataDir: options.dataDir,
  };
}

export async function sqsAnswers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}
