import { inspect } from 'node:util';
import { registerSecret } from '@books/core';

/**
 * Whatever yields the authentication headers of one request (this module's AlpacaDataKeys, or the
 * broker's key objects, which have the same shape). The headers must never be logged.
 */
export interface KeyHeaders {
  headers(): Readonly<Record<string, string>>;
}

/**
 * The Alpaca API key pair for the data API. The values are private: the object serialises
 * (JSON, util.inspect, template strings) as "[redacted]"; only `headers()` lets them out, for the
 * request being sent.
 */
export class AlpacaDataKeys implements KeyHeaders {
  readonly #keyId: string;
  readonly #secretKey: string;
  constructor(keyId: string, secretKey: string) {
    if (keyId === '' || secretKey === '') throw new RangeError('Alpaca API keys must not be empty');
    this.#keyId = keyId;
    this.#secretKey = secretKey;
    // Scrubbed from every log line of this process, wherever they would appear.
    registerSecret(keyId);
    registerSecret(secretKey);
  }
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
    return 'AlpacaDataKeys([redacted])';
  }
}
