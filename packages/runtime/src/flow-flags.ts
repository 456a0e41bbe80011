import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetParametersByPathCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  type Flow,
  FlowSchema,
  formatIssues,
  type StrategyId,
  StrategyIdSchema,
  ValidationError,
} from '@books/core';
import * as z from 'zod';

/**
 * Run-time overrides of strategies' flows (the config file's `flow` stays the default): a
 * rollback is a flag change, not a deploy. Deployed: one SSM parameter per strategy,
 * `{prefix}/{strategyId}` = per-strategy | shadow | legacy. Local: one JSON file per stage.
 */
export interface FlowFlags {
  /** Where the flags live, for messages (`ssm:/strategy-books/prod/flows`, `file:…`). */
  readonly source: string;
  read(): Promise<ReadonlyMap<StrategyId, Flow>>;
  set(strategyId: StrategyId, flow: Flow): Promise<void>;
}

/** An SSM client, or how to make it when first needed. */
export type SsmClientSource = SSMClient | (() => SSMClient);

export class SsmFlowFlags implements FlowFlags {
  readonly source: string;
  private readonly client: () => SSMClient;

  constructor(
    ssm: SsmClientSource,
    private readonly prefix: string,
  ) {
    this.source = `ssm:${prefix}`;
    this.client = typeof ssm === 'function' ? ssm : () => ssm;
  }

  private get ssm(): SSMClient {
    return this.client();
  }

  async read(): Promise<ReadonlyMap<StrategyId, Flow>> {
    const entries: [string, string | undefined][] = [];
    let next: string | undefined;
    do {
      const page = await this.ssm.send(
        new GetParametersByPathCommand({ Path: this.prefix, Recursive: false, NextToken: next }),
      );
      for (const p of page.Parameters ?? []) entries.push([p.Name ?? '', p.Value]);
      next = page.NextToken;
    } while (next);
    return parseFlags(
      entries.map(([name, value]) => [name.slice(this.prefix.length).replace(/^\//, ''), value, name]),
      this.source,
    );
  }

  async set(strategyId: StrategyId, flow: Flow): Promise<void> {
    await this.ssm.send(
      new PutParameterCommand({
        Name: `${this.prefix}/${strategyId}`,
        Value: flow,
        Type: 'String',
        Overwrite: true,
        Description: `Strategy Books: flow of ${strategyId} (overrides the stage's config file)`,
      }),
    );
  }
}

const FileSchema = z.record(z.string(), z.string());

export class FileFlowFlags implements FlowFlags {
  readonly source: string;

  constructor(private readonly path: string) {
    this.source = `file:${path}`;
  }

  async read(): Promise<ReadonlyMap<StrategyId, Flow>> {
    if (!existsSync(this.path)) return new Map();
    const raw = FileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
    if (!raw.success)
      throw new ValidationError(`${this.path}: flow flags must be {"strategy": "flow"}`, [
        { path: this.path, message: raw.error.message },
      ]);
    return parseFlags(
      Object.entries(raw.data).map(([k, v]) => [k, v, k]),
      this.source,
    );
  }

  async set(strategyId: StrategyId, flow: Flow): Promise<void> {
    const current = Object.fromEntries(await this.read());
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...current, [strategyId]: flow }, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

/** No store configured: no override, and setting one names what is missing. */
export class NoFlowFlags implements FlowFlags {
  readonly source = 'none';
  async read(): Promise<ReadonlyMap<StrategyId, Flow>> {
    return new Map();
  }
  async set(): Promise<void> {
    throw new ValidationError('no flow flag store is configured (BOOKS_FLOW_FLAGS)', [
      { path: 'BOOKS_FLOW_FLAGS', message: 'set it to ssm:/prefix or file:/path.json' },
    ]);
  }
}

/** Every flag must name a valid strategy id and flow: a typo is an error, never ignored. */
function parseFlags(
  entries: readonly [string, string | undefined, string][],
  source: string,
): Map<StrategyId, Flow> {
  const flags = new Map<StrategyId, Flow>();
  const issues: { path: string; message: string }[] = [];
  for (const [id, value, where] of entries) {
    const sid = StrategyIdSchema.safeParse(id);
    const flow = FlowSchema.safeParse(value);
    if (!sid.success) issues.push({ path: where, message: `"${id}" is not a strategy id` });
    else if (!flow.success)
      issues.push({ path: where, message: `"${value}" is not a flow (per-strategy, shadow, legacy)` });
    else flags.set(sid.data, flow.data);
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid flow flags in ${source}:\n${formatIssues(issues)}`, issues);
  return flags;
}

/** `ssm:/prefix` or `file:/path.json` (BOOKS_FLOW_FLAGS); absent, no overrides. */
export function createFlowFlags(spec: string | undefined, ssm: SsmClientSource): FlowFlags {
  if (!spec) return new NoFlowFlags();
  if (spec.startsWith('ssm:')) return new SsmFlowFlags(ssm, spec.slice(4).replace(/\/+$/, ''));
  if (spec.startsWith('file:')) return new FileFlowFlags(spec.slice(5));
  throw new ValidationError(`BOOKS_FLOW_FLAGS must be ssm:/prefix or file:/path.json, got "${spec}"`, [
    { path: 'BOOKS_FLOW_FLAGS', message: spec },
  ]);
}
