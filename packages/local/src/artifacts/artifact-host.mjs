// One Lambda execution environment for one packaged function: run with the task root (the unzipped
// artifact) as working directory, it loads the handler `_HANDLER` names (`path/file.export`, the file
// relative to the task root, as Lambda's Node runtime does), then serves invocations on loopback at
// the Invoke API path, one at a time (one sandbox runs one invocation at a time). Node built-ins only:
// everything the function needs must come from its artifact.
//
// Env: _HANDLER, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_REGION,
// BOOKS_ARTIFACT_TIMEOUT_SECONDS (the function's Timeout). Tells its parent over IPC:
// { type: 'ready', port, loadMs, initError? } once listening.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const handlerSpec = process.env._HANDLER ?? '';
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
const memoryLimitInMB = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128';
const region = process.env.AWS_REGION ?? 'us-east-1';
const timeoutMs = Number(process.env.BOOKS_ARTIFACT_TIMEOUT_SECONDS ?? '3') * 1000;

function errorBody(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: e.name || 'Error',
    errorMessage: e.message,
    trace: String(e.stack ?? '').split('\n'),
  };
}

/**
 * As Lambda's Node runtime decides: `.mjs` is an ES module, `.cjs` CommonJS, and `.js` an ES module
 * only when the nearest package.json (below node_modules) says `"type": "module"`. A CommonJS file
 * is `require`d, not imported: an import of it costs a format detection and an export scan of the
 * whole bundle, which Lambda never does.
 */
function isEsModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = dirname(file); !dir.endsWith('/node_modules'); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
  return false;
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  const file = handlerSpec.slice(0, dot);
  const name = handlerSpec.slice(dot + 1);
  const path = ['.js', '.mjs', '.cjs'].map((ext) => resolve(file + ext)).find((p) => existsSync(p));
  if (dot <= 0 || path === undefined) {
    const e = new Error(`Cannot find module '${file}' in the task root ${process.cwd()}`);
    e.name = 'Runtime.ImportModuleError';
    throw e;
  }
  const mod = isEsModule(path) ? await import(pathToFileURL(path).href) : createRequire(path)(path);
  const handler = mod[name] ?? mod.default?.[name];
  if (typeof handler !== 'function') {
    const e = new Error(`${file}.${name} is undefined or not exported`);
    e.name = 'Runtime.HandlerNotFound';
    throw e;
  }
  return handler;
}

/**
 * BOOKS_ARTIFACT_STATS (benchmarks): a file this sandbox appends one JSON line to for its cold start
 * and for each invocation: wall and CPU milliseconds of this process (CPU time holds still when
 * other processes share the cores).
 */
const statsFile = process.env.BOOKS_ARTIFACT_STATS;
function stat(kind, wallMs, cpuSince) {
  if (!statsFile) return;
  const cpu = process.cpuUsage(cpuSince);
  appendFileSync(statsFile, `${JSON.stringify({ kind, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

const loadStarted = performance.now();
const loadCpu = process.cpuUsage();
let handler;
let initError;
try {
  handler = await loadHandler();
} catch (e) {
  initError = errorBody(e);
}
const loadMs = performance.now() - loadStarted;
stat('load', loadMs, loadCpu);

function context(requestId, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB,
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Runs one invocation within the function's Timeout; resolves to { ok, body, durationMs }. */
async function invoke(event, requestId) {
  if (initError) return { ok: false, body: initError, durationMs: 0 };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const deadline = Date.now() + timeoutMs;
  let timer;
  const timedOut = new Promise((settle) => {
    timer = setTimeout(
      () =>
        settle({
          ok: false,
          timedOut: true,
          body: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${timeoutMs / 1000} seconds`,
          },
        }),
      timeoutMs,
    );
  });
  const ran = Promise.resolve()
    .then(() => handler(event, context(requestId, deadline)))
    .then(
      (result) => ({ ok: true, body: result === undefined ? null : result }),
      (error) => ({ ok: false, body: errorBody(error) }),
    );
  const outcome = await Promise.race([ran, timedOut]);
  clearTimeout(timer);
  const durationMs = performance.now() - started;
  stat('invoke', durationMs, cpu);
  return { ...outcome, durationMs };
}

let queue = Promise.resolve();
/** One invocation at a time, in arrival order. */
function enqueue(event, requestId) {
  const next = queue.then(() => invoke(event, requestId));
  queue = next.then(
    () => undefined,
    () => undefined,
  );
  return next;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

const server = createServer((req, res) => {
  const match = INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://host').pathname);
  if (req.method !== 'POST' || !match) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const requestId = randomUUID();
    const text = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      event = text === '' ? {} : JSON.parse(text);
    } catch {
      res
        .writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-ErrorType': 'InvalidRequestContentException',
        })
        .end('{"message":"Could not parse request body into json"}');
      return;
    }
    const asynchronous = req.headers['x-amz-invocation-type'] === 'Event';
    const done = enqueue(event, requestId);
    if (asynchronous) {
      res.writeHead(202, { 'x-amzn-RequestId': requestId }).end();
      done.then((outcome) => {
        if (!outcome.ok)
          process.stderr.write(`${JSON.stringify({ asyncInvocationFailed: requestId, ...outcome.body })}\n`);
        if (outcome.timedOut) process.exit(1);
      });
      return;
    }
    done.then((outcome) => {
      const headers = {
        'content-type': 'application/json',
        'x-amzn-RequestId': requestId,
        'x-amz-executed-version': '$LATEST',
        'x-books-duration-ms': outcome.durationMs.toFixed(1),
        ...(outcome.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
        // Tells the runtime before the answer reaches the caller: the next invocation needs a new sandbox.
        ...(outcome.timedOut ? { 'x-books-sandbox-discarded': 'true' } : {}),
      };
      res.writeHead(200, headers).end(JSON.stringify(outcome.body));
      // Lambda discards a sandbox whose invocation timed out.
      if (outcome.timedOut) res.on('finish', () => process.exit(1));
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ type: 'ready', port, loadMs, ...(initError ? { initError } : {}) });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
