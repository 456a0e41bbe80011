import { inspect } from 'node:util';
import type {
  GetParameterCommand,
  GetParameterCommandInput,
  GetParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { deferredSchema, registerSecret } from '@books/core';
import * as z from 'zod';
import { AlpacaKeysUnavailable } from './errors';

/**
 * The API key pair. The values are private fields: they never serialise (JSON, util.inspect,
 * template strings all print "[redacted]"), so a key object logged by mistake leaks nothing.
 * The only way out is `headers()`, used by the HTTP layer for the request it sends.
 */
export class AlpacaKeys {
  readonly #keyId: string;
  readonly #secretKey: string;
  constructor(keyId: string, secretKey: string) {
    if (keyId === '' || secretKey === '')
      throw new AlpacaKeysUnavailable('Alpaca API keys must not be empty');
    this.#keyId = keyId;
    this.#secretKey = secretKey;
    // Scrubbed from every log line of this process, wherever they would appear.
    registerSecret(keyId);
    registerSecret(secretKey);
  }
  /** Lower-case names: HTTP does not care, and the logger's redaction paths match them exactly. */
  headers(): Record<string, string> {
    return { 'apca-api-key-id': this.#keyId, 'apca-api-secret-key': this.#secretKey };
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'AlpacaKeys([redacted])';
  }
}

export interface KeyProvider {
  keys(): Promise<AlpacaKeys>;
}

export const ENV_KEY_ID = 'ALPACA_API_KEY_ID';
export const ENV_SECRET_KEY = 'ALPACA_API_SECRET_KEY';

/** Keys from the environment (passed in: this module does not read `process.env` itself). */
export function envKeyProvider(env: Readonly<Record<string, string | undefined>>): KeyProvider {
  return {
    keys: async () => {
      const id = env[ENV_KEY_ID];
      const secret = env[ENV_SECRET_KEY];
      const missing = [id ? null : ENV_KEY_ID, secret ? null : ENV_SECRET_KEY].filter((x) => x !== null);
      if (!id || !secret)
        throw new AlpacaKeysUnavailable(
          `Alpaca API keys missing from the environment: ${missing.join(', ')}`,
        );
      return new AlpacaKeys(id, secret);
    },
  };
}

/** The part of SSMClient we use (so tests can hand in a fake). */
export interface SsmParameterClient {
  send(command: GetParameterCommand): Promise<GetParameterCommandOutput>;
}

/** The SecureString parameters holding the keys under `prefix`: the key id's, the secret key's. */
export function alpacaKeyParameters(prefix: string): readonly [keyId: string, secretKey: string] {
  return [`${prefix}/api-key-id`, `${prefix}/api-secret-key`];
}

/** The SDK's GetParameterCommand class. */
export type GetParameterCommandClass = new (input: GetParameterCommandInput) => GetParameterCommand;

/**
 * Keys from SSM SecureString parameters `{prefix}/api-key-id` and `{prefix}/api-secret-key`,
 * read once (WithDecryption) and cached by the provider; a failed read is not cached.
 *
 * The caller hands in the SDK's GetParameterCommand, imported by name where the SSM client is made:
 * this module only names the SDK's types, so a process that never reads keys from SSM (`books
 * eval`) never loads the SDK, and a bundle holds that one command. (A dynamic import of the SDK's
 * module here made every bundle hold the whole SSM client, every command of it, at a cold start.)
 */
export function ssmKeyProvider(
  client: SsmParameterClient,
  prefix: string,
  GetParameterCommand: GetParameterCommandClass,
): KeyProvider {
  let cached: Promise<AlpacaKeys> | undefined;
  const read = async (name: string): Promise<string> => {
    let out: GetParameterCommandOutput;
    try {
      out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    } catch (e) {
      throw new AlpacaKeysUnavailable(`cannot read SSM parameter ${name}`, { parameter: name }, { cause: e });
    }
    const value = out.Parameter?.Value;
    if (!value) throw new AlpacaKeysUnavailable(`SSM parameter ${name} is empty`, { parameter: name });
    return value;
  };
  return {
    keys: () => {
      const [keyId, secretKey] = alpacaKeyParameters(prefix);
      cached ??= Promise.all([read(keyId), read(secretKey)]).then(
        ([id, secret]) => new AlpacaKeys(id, secret),
      );
      cached.catch(() => {
        cached = undefined;
      });
      return cached;
    },
  };
}

/**
 * Where the keys come from: SSM SecureString parameters under a prefix (deployed), or the
 * environment (local). Built at its first parse (deferredSchema).
 */
export const KeySourceSchema = deferredSchema(() =>
  z
    .discriminatedUnion('source', [
      z.strictObject({ source: z.literal('env') }),
      z.strictObject({ source: z.literal('ssm'), prefix: z.string().regex(/^\/[\w./-]*[^/]$/) }),
    ])
    .default({ source: 'env' }),
);
export type KeySource = z.output<typeof KeySourceSchema>;

/** The key source of a function: SSM under `prefix` when one is set (validated), else the environment. */
export function keySourceOf(ssmPrefix: string | undefined): KeySource {
  return KeySourceSchema.parse(
    ssmPrefix === undefined || ssmPrefix === '' ? { source: 'env' } : { source: 'ssm', prefix: ssmPrefix },
  );
}

/**
 * The provider the configuration names: the environment (handed in, e.g. `process.env` at a
 * handler's cold start) or SSM under a prefix, through the given SSM client and the SDK's
 * GetParameterCommand (ssmKeyProvider).
 */
export function keyProviderFor(
  keys: KeySource,
  sources: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly ssm?: {
      readonly client: SsmParameterClient;
      readonly GetParameterCommand: GetParameterCommandClass;
    };
  },
): KeyProvider {
  if (keys.source === 'env') return envKeyProvider(sources.env);
  if (!sources.ssm)
    throw new AlpacaKeysUnavailable(`keys from SSM (${keys.prefix}) need an SSM client, and none was given`);
  return ssmKeyProvider(sources.ssm.client, keys.prefix, sources.ssm.GetParameterCommand);
}
