import type {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectsV2CommandOutput,
  PutObjectCommand,
  PutObjectCommandInput,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConcurrencyError, SymbolSchema, type TradingDate, ValidationError } from '@books/core';
import {
  type Bar,
  BarFileError,
  barsForCalendar,
  barsUntil,
  fileStemOf,
  isMalformedBarFile,
  symbolOfStem,
} from './bar-store';
import {
  CORPORATE_ACTIONS_FILE,
  type CorporateActions,
  type CorporateActionsSource,
  NO_CORPORATE_ACTIONS,
  parseCorporateActions,
} from './corporate-actions';
import { parseBarsCsv } from './csv-bar-store';
import { formatBarsCsv } from './format-bars-csv';
import type { WritableBarStore } from './writable-bar-store';

/**
 * The SDK's S3 commands the store sends, handed in by whoever makes the S3 client (imported by name
 * there): this module only names the SDK's types, so a process that reads CSV bars through this
 * package's index (`books eval`) never loads the SDK, and a bundle holds these commands only. (A
 * dynamic import of the SDK's module here made every bundle hold the whole S3 client.)
 */
export interface S3BarCommands {
  readonly GetObjectCommand: typeof GetObjectCommand;
  readonly PutObjectCommand: typeof PutObjectCommand;
  readonly ListObjectsV2Command: typeof ListObjectsV2Command;
}

export interface S3BarStoreOptions {
  readonly client: S3Client;
  readonly commands: S3BarCommands;
  readonly bucket: string;
  /** Key prefix of the CSV objects, e.g. `bars/` (a missing trailing `/` is added); may be empty. */
  readonly prefix: string;
}

interface Loaded {
  readonly bars: readonly Bar[];
  /** The ETag of the version read; null when the object did not exist. */
  readonly etag: string | null;
}

/**
 * Bars from CSV objects `s3://bucket/prefix/SYMBOL.csv` (`BRK.B.csv` for BRK/B), in the format of
 * the CSV directory store. Each object is read and parsed at most once per instance.
 *
 * `putBars` replaces a whole object, conditionally: only if it still has the ETag this instance
 * read (or, if it did not exist, only if it still does not). Two refreshes can therefore never
 * interleave; the loser gets a ConcurrencyError and nothing of its write lands.
 */
export class S3BarStore implements WritableBarStore, CorporateActionsSource {
  private readonly prefix: string;
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private allDates: Promise<readonly TradingDate[]> | undefined;
  private listing: Promise<readonly string[]> | undefined;

  constructor(private readonly options: S3BarStoreOptions) {
    this.prefix =
      options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
  }

  async bars(symbol: string, until?: string): Promise<readonly Bar[]> {
    return barsUntil((await this.load(stemOf(symbol))).bars, until);
  }

  async calendar(until?: string): Promise<readonly TradingDate[]> {
    this.allDates ??= this.buildCalendar();
    const dates = await this.allDates;
    return until === undefined ? dates : dates.filter((d) => d <= until);
  }

  async symbols(): Promise<readonly string[]> {
    return (await this.stems()).map(symbolOfStem).sort();
  }

  async putBars(symbol: string, bars: readonly Bar[]): Promise<void> {
    const stem = stemOf(symbol);
    const key = this.keyOf(stem);
    const text = formatBarsCsv(bars);
    // What is written must read back: a row the parser would reject is never stored.
    const parsed = parseBarsCsv(text, this.nameOf(key));
    const { etag } = await this.load(stem);
    const input: PutObjectCommandInput = {
      Bucket: this.options.bucket,
      Key: key,
      Body: text,
      ContentType: 'text/csv; charset=utf-8',
      ...(etag === null ? { IfNoneMatch: '*' } : { IfMatch: etag }),
    };
    let written: string | undefined;
    const { PutObjectCommand } = this.options.commands;
    try {
      written = (await this.options.client.send(new PutObjectCommand(input))).ETag;
    } catch (e) {
      this.loaded.delete(stem);
      if (isConditionFailure(e))
        throw new ConcurrencyError(
          `${this.nameOf(key)} changed since it was read; not written`,
          { key },
          { cause: e },
        );
      throw new BarFileError(this.nameOf(key), undefined, 'cannot write the object', { cause: e });
    }
    this.loaded.set(stem, Promise.resolve({ bars: parsed, etag: written ?? null }));
    this.allDates = undefined;
    if (etag === null) this.listing = undefined;
  }

  /** `corporate-actions.json` under the prefix; none when the object is absent. */
  async corporateActions(): Promise<CorporateActions> {
    const key = `${this.prefix}${CORPORATE_ACTIONS_FILE}`;
    const name = this.nameOf(key);
    let text: string;
    const { GetObjectCommand } = this.options.commands;
    try {
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      text = (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (e) {
      if (isNotFound(e)) return NO_CORPORATE_ACTIONS;
      throw new BarFileError(name, undefined, 'cannot read the object', { cause: e });
    }
    return parseCorporateActions(text, name);
  }

  private keyOf(stem: string): string {
    return `${this.prefix}${stem}.csv`;
  }

  private nameOf(key: string): string {
    return `s3://${this.options.bucket}/${key}`;
  }

  private load(stem: string): Promise<Loaded> {
    let p = this.loaded.get(stem);
    if (p === undefined) {
      p = this.read(stem);
      this.loaded.set(stem, p);
      // A failed read (not a malformed file) may succeed later: do not keep it.
      p.catch((e: unknown) => {
        if (!isMalformedBarFile(e)) this.loaded.delete(stem);
      });
    }
    return p;
  }

  private async read(stem: string): Promise<Loaded> {
    const key = this.keyOf(stem);
    const name = this.nameOf(key);
    let text: string;
    let etag: string | null;
    const { GetObjectCommand } = this.options.commands;
    try {
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      text = (await out.Body?.transformToString('utf-8')) ?? '';
      etag = out.ETag ?? null;
    } catch (e) {
      if (isNotFound(e)) return { bars: [], etag: null };
      throw new BarFileError(name, undefined, 'cannot read the object', { cause: e });
    }
    return { bars: parseBarsCsv(text, name), etag };
  }

  private stems(): Promise<readonly string[]> {
    this.listing ??= this.list();
    this.listing.catch(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async list(): Promise<readonly string[]> {
    const stems: string[] = [];
    let token: string | undefined;
    const { ListObjectsV2Command } = this.options.commands;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.options.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: this.prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
      } catch (e) {
        throw new BarFileError(this.nameOf(this.prefix), undefined, 'cannot list the bars objects', {
          cause: e,
        });
      }
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(this.prefix.length) ?? '';
        if (name.endsWith('.csv') && name.length > '.csv'.length) stems.push(name.slice(0, -'.csv'.length));
      }
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return stems;
  }

  private async buildCalendar(): Promise<readonly TradingDate[]> {
    const days = new Set<TradingDate>();
    const stems = await this.stems();
    const batch = 16;
    for (let k = 0; k < stems.length; k += batch) {
      const loaded = await Promise.all(
        stems.slice(k, k + batch).map((s) => barsForCalendar(this.load(s).then((l) => l.bars))),
      );
      for (const bars of loaded) for (const b of bars) days.add(b.date);
    }
    return [...days].sort();
  }
}

function stemOf(symbol: string): string {
  if (!SymbolSchema.safeParse(symbol.toUpperCase()).success) {
    throw new ValidationError(`${JSON.stringify(symbol)} is not a ticker`, [
      { path: '', message: 'not a ticker' },
    ]);
  }
  return fileStemOf(symbol);
}

function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('$metadata' in e)) return undefined;
  const meta = e.$metadata;
  if (typeof meta !== 'object' || meta === null || !('httpStatusCode' in meta)) return undefined;
  return typeof meta.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

function nameOfError(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string'
    ? e.name
    : undefined;
}

function isNotFound(e: unknown): boolean {
  return nameOfError(e) === 'NoSuchKey' || statusOf(e) === 404;
}

/** 412 PreconditionFailed: the ETag moved; 409 ConditionalRequestConflict: a concurrent conditional write. */
function isConditionFailure(e: unknown): boolean {
  const name = nameOfError(e);
  const status = statusOf(e);
  return (
    name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409
  );
}
