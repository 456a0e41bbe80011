import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AwsAccess } from '@books/operator';

/** moto's server (Python moto: CloudFormation, SSM, SQS, STS, …) on a free port, stopped by pid. */
export interface MotoServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `moto_server` (on PATH: scripts/setup.sh installs it) and waits until it answers. `env`
 * adds to its environment (e.g. MOTO_RECORDER_FILEPATH, where its request recorder writes).
 */
export async function startMoto(env: Readonly<Record<string, string>> = {}): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${stderr}`))),
  );
  exited.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined)
    throw new Error('moto_server did not start (is it on PATH? scripts/setup.sh installs it)');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await Promise.race([
      fetch(`${url}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (up) break;
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGTERM');
      throw new Error(`moto_server did not answer on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(pid, 'SIGTERM');
      await gone;
    },
  };
}

/**
 * A deployed stage's AWS access for tests: every service on moto's server but DynamoDB, whose
 * table DynamoDB Local keeps.
 */
export function motoAwsAccess(
  moto: MotoServer,
  dynamodb: string,
  region: string,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
): AwsAccess {
  return {
    region,
    credentials,
    endpoints: {
      cloudformation: moto.url,
      dynamodb,
      sqs: moto.url,
      ssm: moto.url,
      s3: moto.url,
      sts: moto.url,
      sfn: moto.url,
    },
  };
}
