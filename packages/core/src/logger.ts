import pino, { type Logger } from 'pino';

export type { Logger };

/** Fields that must never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'apiKey',
  'apiSecret',
  'secretKey',
  'authorization',
  'password',
  'token',
  '*.apiKey',
  '*.apiSecret',
  '*.secretKey',
  '*.authorization',
  '*.password',
  '*.token',
  'headers["apca-api-key-id"]',
  'headers["apca-api-secret-key"]',
  '*.headers["apca-api-key-id"]',
  '*.headers["apca-api-secret-key"]',
];

/**
 * Keys whose values never reach a log line, at any depth, in any case: `secretKey`, `keyId`,
 * `APCA-API-SECRET-KEY`, `Authorization`, `x-api-key`, `password`, `sessionToken`, …
 */
export const SENSITIVE_KEY =
  /secret|passw|token|authori[sz]ation|credential|cookie|api[-_]?key|key[-_]?id|access[-_]?key|private[-_]?key/i;

const CENSOR = '[redacted]';
const MAX_DEPTH = 10;

/**
 * Secret values known to this process (API keys read from SSM or the environment). Every log line
 * is scrubbed of them, wherever they appear: in a message, an error's text or a field the key
 * patterns miss. Values shorter than 8 characters are not registered (they would mangle ordinary
 * text and are no real API key).
 */
const secretValues = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length < 8 || secretValues.has(value)) return;
  secretValues.add(value);
  // As it appears inside a JSON string, when it holds characters JSON escapes.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) secretValues.add(escaped);
}

/** `text` with every registered secret value replaced by the censor. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of secretValues) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
  return out;
}

/**
 * pino's serialised error (`errWithCause`: type, message, stack, its fields, its cause and nested
 * errors), each error in it typed by its `name`, not by its constructor's name as pino does: the
 * bundles are minified without keepNames, where a class's own name is a mangled letter, and every
 * error of the project states its name (core/src/errors.ts); so do the AWS SDK's.
 */
function serializeError(error: Error): pino.SerializedError {
  const out = pino.stdSerializers.errWithCause(error);
  // Every error pino serialises inside `out` shares its prototype: retype those, nothing else.
  const serialized: unknown = Object.getPrototypeOf(out);
  const retype = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) retype(n);
      return;
    }
    if (typeof node !== 'object' || node === null || Object.getPrototypeOf(node) !== serialized) return;
    const err = node as pino.SerializedError;
    const name: unknown = err.raw?.name;
    if (typeof name === 'string' && name !== '') err.type = name;
    for (const v of Object.values(err)) retype(v);
  };
  retype(out);
  return out;
}

/** A copy of a log object with sensitive keys censored at any depth; errors become plain objects. */
function redactDeep(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value) || depth > MAX_DEPTH) return '[…]';
  const plain = value instanceof Error ? serializeError(value) : value;
  // Value types that serialise themselves (decimals, dates, key objects) are kept as they are;
  // any other object is walked by its own enumerable keys, which is all JSON would print of it.
  if (typeof (plain as { toJSON?: unknown }).toJSON === 'function') return plain;
  ancestors.add(value);
  try {
    if (Array.isArray(plain)) return plain.map((v) => redactDeep(v, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plain)) {
      const sensitive = SENSITIVE_KEY.test(k) && v !== null && v !== undefined;
      out[k] = sensitive ? CENSOR : redactDeep(v, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

export interface LogContext {
  readonly runId?: string;
  readonly strategyId?: string;
  readonly correlationId?: string;
  readonly [key: string]: unknown;
}

/**
 * JSON logs on stdout (or the given destination). Every line carries the run, strategy and
 * correlation ids bound here or on a child. Secrets are kept out three ways: known paths, sensitive
 * key names at any depth (SENSITIVE_KEY, errors included), and registered secret values anywhere
 * in the line (registerSecret).
 */
export function createLogger(
  base: LogContext & { service: string },
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base,
      // The three ids appear on every line: null until a child (or the call) binds them. Added
      // only when absent, so that no line carries a key twice.
      mixin: (line: object, _level: number, logger: Logger) => {
        const bound = logger.bindings();
        const missing: Record<string, null> = {};
        for (const key of CORRELATION_KEYS) if (!(key in bound) && !(key in line)) missing[key] = null;
        return missing;
      },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactDeep(bindings, 0, new WeakSet()) as Record<string, unknown>,
        log: (line) => redactDeep(line, 0, new WeakSet()) as Record<string, unknown>,
      },
      // `log` above has already made errors plain (and redacted) objects: keep them as they are.
      serializers: { err: (e: unknown) => (e instanceof Error ? redactDeep(e, 0, new WeakSet()) : e) },
    },
    scrubbing(options.destination ?? pino.destination({ dest: 1, sync: true })),
  );
}

/** The destination, writing each line only after registered secret values are scrubbed from it. */
function scrubbing(destination: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => destination.write(scrubSecrets(line)) };
}

const CORRELATION_KEYS = ['runId', 'strategyId', 'correlationId'] as const;
