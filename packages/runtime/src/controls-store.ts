import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DeleteParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  type AccountHalt,
  AccountHaltSchema,
  type BookControl,
  BookControlSchema,
  type Controls,
  ControlsDocumentSchema,
  controlsOfDocument,
  documentOfControls,
  formatIssues,
  NO_CONTROLS,
  type StrategyId,
  StrategyIdSchema,
  ValidationError,
  type ValidationIssue,
} from '@books/core';

/**
 * Where the trader controls in force live (core/controls.ts), read by the coordinator and
 * execution at run time and set by `books pause|resume|liquidate|halt`. Deployed: SSM parameters
 * under the stage's prefix, `{prefix}/ACCOUNT` (the halt) and `{prefix}/{strategyId}` (a book's
 * control), each a JSON value. Embedded: one JSON file per stage. A value that does not parse is an
 * error, never ignored (a control of real money is never guessed).
 */
export interface ControlsStore {
  /** For messages: `ssm:/strategy-books/prod/controls`, `file:…`, `none`. */
  readonly source: string;
  read(): Promise<Controls>;
  /** Sets (or, with undefined, removes) a book's control. */
  setBook(strategyId: StrategyId, control: BookControl | undefined): Promise<void>;
  setHalt(halt: AccountHalt | undefined): Promise<void>;
}

const ACCOUNT = 'ACCOUNT';

export class SsmControlsStore implements ControlsStore {
  readonly source: string;

  constructor(
    private readonly ssm: SSMClient,
    private readonly prefix: string,
  ) {
    this.source = `ssm:${prefix}`;
  }

  async read(): Promise<Controls> {
    const doc: { halt?: unknown; books: Record<string, unknown> } = { books: {} };
    const issues: ValidationIssue[] = [];
    let next: string | undefined;
    do {
      const page = await this.ssm.send(
        new GetParametersByPathCommand({ Path: this.prefix, Recursive: false, NextToken: next }),
      );
      for (const p of page.Parameters ?? []) {
        const name = (p.Name ?? '').slice(this.prefix.length).replace(/^\//, '');
        const value = parseJson(p.Value, p.Name ?? name, issues);
        if (name === ACCOUNT) doc.halt = value;
        else doc.books[name] = value;
      }
      next = page.NextToken;
    } while (next);
    return parseDocument(doc, this.source, issues);
  }

  async setBook(strategyId: StrategyId, control: BookControl | undefined): Promise<void> {
    await this.write(strategyId, control && BookControlSchema.parse(control), `control of ${strategyId}`);
  }

  async setHalt(halt: AccountHalt | undefined): Promise<void> {
    await this.write(ACCOUNT, halt && AccountHaltSchema.parse(halt), 'account halt');
  }

  private async write(name: string, value: object | undefined, what: string): Promise<void> {
    const Name = `${this.prefix}/${name}`;
    if (value === undefined) {
      try {
        await this.ssm.send(new DeleteParameterCommand({ Name }));
      } catch (e) {
        if (!(e instanceof ParameterNotFound)) throw e;
      }
      return;
    }
    await this.ssm.send(
      new PutParameterCommand({
        Name,
        Value: JSON.stringify(value),
        Type: 'String',
        Overwrite: true,
        Description: `Strategy Books: ${what} (books pause|resume|liquidate|halt)`,
      }),
    );
  }
}

export class FileControlsStore implements ControlsStore {
  readonly source: string;

  constructor(private readonly path: string) {
    this.source = `file:${path}`;
  }

  async read(): Promise<Controls> {
    if (!existsSync(this.path)) return NO_CONTROLS;
    const issues: ValidationIssue[] = [];
    const raw = parseJson(readFileSync(this.path, 'utf8'), this.path, issues);
    return parseDocument(raw, this.source, issues);
  }

  async setBook(strategyId: StrategyId, control: BookControl | undefined): Promise<void> {
    const current = await this.read();
    const books = new Map(current.books);
    if (control) books.set(strategyId, BookControlSchema.parse(control));
    else books.delete(strategyId);
    this.write({ ...current, books });
  }

  async setHalt(halt: AccountHalt | undefined): Promise<void> {
    const current = await this.read();
    this.write({ books: current.books, ...(halt ? { halt: AccountHaltSchema.parse(halt) } : {}) });
  }

  private write(controls: Controls): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(documentOfControls(controls), null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

/** No store configured: no control is in force, and setting one names what is missing. */
export class NoControlsStore implements ControlsStore {
  readonly source = 'none';
  async read(): Promise<Controls> {
    return NO_CONTROLS;
  }
  async setBook(): Promise<void> {
    throw missingStore();
  }
  async setHalt(): Promise<void> {
    throw missingStore();
  }
}

function missingStore(): ValidationError {
  return new ValidationError('no controls store is configured (BOOKS_CONTROLS)', [
    { path: 'BOOKS_CONTROLS', message: 'set it to ssm:/prefix or file:/path.json' },
  ]);
}

function parseJson(text: string | undefined, where: string, issues: ValidationIssue[]): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    issues.push({ path: where, message: 'not JSON' });
    return undefined;
  }
}

function parseDocument(raw: unknown, source: string, issues: ValidationIssue[]): Controls {
  const parsed = ControlsDocumentSchema.safeParse(raw);
  if (!parsed.success)
    issues.push(
      ...parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  if (issues.length > 0 || !parsed.success)
    throw new ValidationError(`invalid trader controls in ${source}:\n${formatIssues(issues)}`, issues);
  for (const sid of Object.keys(parsed.data.books)) StrategyIdSchema.parse(sid);
  return controlsOfDocument(parsed.data);
}

/** `ssm:/prefix` or `file:/path.json` (BOOKS_CONTROLS); absent, no control store. */
export function createControlsStore(spec: string | undefined, ssm: SSMClient): ControlsStore {
  if (!spec) return new NoControlsStore();
  if (spec.startsWith('ssm:')) return new SsmControlsStore(ssm, spec.slice(4).replace(/\/+$/, ''));
  if (spec.startsWith('file:')) return new FileControlsStore(spec.slice(5));
  throw new ValidationError(`BOOKS_CONTROLS must be ssm:/prefix or file:/path.json, got "${spec}"`, [
    { path: 'BOOKS_CONTROLS', message: spec },
  ]);
}
