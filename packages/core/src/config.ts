import * as z from 'zod';
import { Decimal, parseDecimal } from './decimal';
import { formatIssues, ValidationError, type ValidationIssue } from './errors';
import { type StrategyId, StrategyIdSchema } from './ids';
import { lazySchema } from './lazy';
import { Money, Weight } from './values';

export const FLOWS = ['per-strategy', 'shadow', 'legacy'] as const;
export type Flow = (typeof FLOWS)[number];
export const FlowSchema = z.enum(FLOWS, { error: () => `must be one of ${FLOWS.join(', ')}` });

const isDecimal = (v: string): boolean => /^-?\d+(\.\d+)?$/.test(v);

const decimalString = (what: string) =>
  z
    .string({ error: () => `${what} must be a decimal string such as "0.25"` })
    .max(40, `${what} must be a decimal string of at most 40 characters`)
    .regex(/^-?\d+(\.\d+)?$/, `${what} must be a decimal string such as "0.25"`);

/**
 * The configuration file's schemas are built at its first parse (lazySchema): most functions never
 * read the file, and these are a hundred zod schemas at their load.
 */
const StrategyEntrySchema = lazySchema(() =>
  z.strictObject({
    id: StrategyIdSchema.optional(),
    file: z
      .string()
      .min(1, 'file must name a .clj file')
      .regex(/^[^/\\][^\\]*\.clj$/, 'file must be a relative path to a .clj file')
      .refine(
        (f) => !f.split('/').includes('..'),
        'file must stay inside the strategies directory (no "..")',
      ),
    allocation: decimalString('allocation')
      .refine((v) => !isDecimal(v) || parseDecimal(v).gte(0), 'allocation must not be negative')
      .refine(
        (v) => !isDecimal(v) || parseDecimal(v).lte(1),
        'allocation must be at most 1 (the whole account)',
      ),
    flow: FlowSchema,
    enabled: z.boolean().default(true),
    limits: z
      .strictObject({
        /** The most this book trades in a day (Σ |qty × planning price| of its plan). */
        dailyNotionalCap: decimalString('limits.dailyNotionalCap')
          .refine((v) => !isDecimal(v) || parseDecimal(v).gt(0), 'dailyNotionalCap must be positive')
          .optional(),
        drawdownStop: z
          .strictObject({
            /** The share of its high-water mark the book may lose before the stop latches. */
            maxDrawdown: decimalString('limits.drawdownStop.maxDrawdown').refine(
              (v) => !isDecimal(v) || (parseDecimal(v).gt(0) && parseDecimal(v).lt(1)),
              'maxDrawdown must be in (0, 1)',
            ),
            action: z.enum(['liquidate', 'pause'], { error: () => 'action must be "liquidate" or "pause"' }),
          })
          .optional(),
      })
      .optional(),
  }),
);

const CapitalPolicySchema = lazySchema(() =>
  z.discriminatedUnion(
    'mode',
    [
      z.strictObject({
        mode: z.literal('drift'),
        threshold: decimalString('threshold')
          .refine((v) => !isDecimal(v) || parseDecimal(v).gt(0), 'threshold must be positive')
          .default('0.10'),
      }),
      z.strictObject({ mode: z.literal('target') }),
    ],
    { error: () => 'capitalPolicy.mode must be "drift" or "target"' },
  ),
);

const BREAK_POLICIES = ['block-strategy', 'block-run', 'warn'] as const;

const TopSchema = lazySchema(() =>
  z.strictObject({
    capitalPolicy: CapitalPolicySchema().default({ mode: 'drift', threshold: '0.10' }),
    minTradeNotional: decimalString('minTradeNotional')
      .refine((v) => !isDecimal(v) || parseDecimal(v).gte(0), 'minTradeNotional must not be negative')
      .default('1'),
    /**
     * The share of a book's capital its plans leave in cash: Alpaca checks a market BUY against a
     * price 2.5–4% above the last trade, so a book that spends all its cash has its BUYs rejected.
     * Default 0.03: with the simulated broker's default buffer b = 0.03, (1 − 0.03)(1 + b) ≤ 1.
     */
    cashReserve: decimalString('cashReserve')
      .refine(
        (v) => !isDecimal(v) || (parseDecimal(v).gte(0) && parseDecimal(v).lt(1)),
        'cashReserve must be in [0, 1)',
      )
      .default('0.03'),
    runWindowMinutes: z.number().int().min(1).max(390).default(30),
    onReconciliationBreak: z.enum(BREAK_POLICIES).default('block-strategy'),
    limits: z
      .strictObject({
        /** The most the account's per-strategy books trade in a day, all together. */
        accountDailyNotionalCap: decimalString('limits.accountDailyNotionalCap')
          .refine((v) => !isDecimal(v) || parseDecimal(v).gt(0), 'accountDailyNotionalCap must be positive')
          .optional(),
        /** Warn when one symbol's value across all books passes this share of the account's equity. */
        concentrationWarning: decimalString('limits.concentrationWarning')
          .refine(
            (v) => !isDecimal(v) || (parseDecimal(v).gt(0) && parseDecimal(v).lte(1)),
            'concentrationWarning must be in (0, 1]',
          )
          .optional(),
      })
      .optional(),
    strategies: z.array(z.unknown()).min(1, 'at least one strategy is required'),
  }),
);

export type CapitalPolicy = { mode: 'drift'; threshold: Weight } | { mode: 'target' };

/** A capital policy as JSON (Map items, the Legacy state's input): decimals as strings. */
export const CapitalPolicyWireSchema = z.union([
  z.object({ mode: z.literal('drift'), threshold: z.string() }),
  z.object({ mode: z.literal('target') }),
]);
export type CapitalPolicyWire = z.infer<typeof CapitalPolicyWireSchema>;

export function capitalPolicyToWire(policy: CapitalPolicy): CapitalPolicyWire {
  return policy.mode === 'drift'
    ? { mode: 'drift', threshold: policy.threshold.toString() }
    : { mode: 'target' };
}

export function capitalPolicyFromWire(wire: CapitalPolicyWire): CapitalPolicy {
  return wire.mode === 'drift'
    ? { mode: 'drift', threshold: Weight.parse(wire.threshold, 'capitalPolicy.threshold') }
    : { mode: 'target' };
}
export type BreakPolicy = (typeof BREAK_POLICIES)[number];

export interface StrategyConfig {
  readonly id: StrategyId;
  /** Path of the DSL file relative to the strategies directory. */
  readonly file: string;
  readonly allocation: Weight;
  readonly flow: Flow;
  readonly enabled: boolean;
  /** The book's limits (absent: none). */
  readonly limits?: BookLimits;
}

/** A drawdown stop: latched when equity < high-water mark × (1 − maxDrawdown). */
export interface DrawdownStop {
  readonly maxDrawdown: Weight;
  readonly action: 'liquidate' | 'pause';
}

export interface BookLimits {
  readonly dailyNotionalCap?: Money;
  readonly drawdownStop?: DrawdownStop;
}

export interface AccountLimits {
  readonly accountDailyNotionalCap?: Money;
  readonly concentrationWarning?: Weight;
}

export interface BooksConfig {
  readonly capitalPolicy: CapitalPolicy;
  readonly minTradeNotional: Money;
  /** The share of each book's capital its plans keep in cash (buying-power buffer). */
  readonly cashReserve: Weight;
  readonly runWindowMinutes: number;
  readonly onReconciliationBreak: BreakPolicy;
  /** Account-wide limits (absent: none). */
  readonly limits?: AccountLimits;
  readonly strategies: readonly StrategyConfig[];
}

/** The id a strategy gets when its entry names none: the file's base name, slugged. */
export function strategyIdFromFile(file: string): string {
  const base = file.split('/').pop() ?? file;
  return base
    .replace(/\.clj$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z0-9]+/, '');
}

export interface ConfigCheckOptions {
  /** Where the config came from, for messages. */
  readonly source: string;
  /** Whether a strategy file exists (injected: the schema does no I/O). */
  readonly fileExists?: (file: string) => boolean;
}

function zodIssues(error: z.ZodError, prefix: readonly (string | number)[]): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? p.toString() : p))].join('.'),
    message: i.message,
  }));
}

/**
 * Parses a stage configuration and checks every rule, reporting every problem at once:
 * schema errors per field, allocations summing above 1, duplicate ids or files, missing files.
 * Allocations of all strategies count, whatever their flow and even when disabled: a disabled
 * strategy may still own a book.
 */
export function parseBooksConfig(input: unknown, options: ConfigCheckOptions): BooksConfig {
  const issues: ValidationIssue[] = [];
  const top = TopSchema().safeParse(input);
  if (!top.success) {
    issues.push(...zodIssues(top.error, []));
    throw configError(options.source, issues);
  }
  const strategies: { config: StrategyConfig; index: number }[] = [];
  top.data.strategies.forEach((raw, index) => {
    const parsed = StrategyEntrySchema().safeParse(raw);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, ['strategies', index]));
      return;
    }
    const entry = parsed.data;
    const idResult = StrategyIdSchema.safeParse(entry.id ?? strategyIdFromFile(entry.file));
    if (!idResult.success) {
      issues.push(...zodIssues(idResult.error, ['strategies', index, 'id']));
      return;
    }
    if (idResult.data === 'EXTERNAL' || idResult.data === 'LEGACY') {
      issues.push({ path: `strategies.${index}.id`, message: `"${idResult.data}" is reserved` });
      return;
    }
    strategies.push({
      index,
      config: {
        id: idResult.data,
        file: entry.file,
        allocation: Weight.parse(entry.allocation, `strategies.${index}.allocation`),
        flow: entry.flow,
        enabled: entry.enabled,
        ...bookLimitsOf(entry.limits, index),
      },
    });
  });

  const seenFiles = new Map<string, number>();
  top.data.strategies.forEach((raw, index) => {
    const file = typeof raw === 'object' && raw !== null && 'file' in raw ? raw.file : undefined;
    if (typeof file !== 'string') return;
    const previous = seenFiles.get(file);
    if (previous === undefined) seenFiles.set(file, index);
    else
      issues.push({
        path: `strategies.${index}.file`,
        message: `duplicate file "${file}" (also strategies.${previous})`,
      });
  });
  const seenIds = new Map<string, number>();
  for (const { config: s, index } of strategies) {
    const previous = seenIds.get(s.id);
    if (previous === undefined) seenIds.set(s.id, index);
    else if (seenFiles.get(s.file) === index) {
      issues.push({
        path: `strategies.${index}.id`,
        message: `duplicate strategy id "${s.id}" (also strategies.${previous})`,
      });
    }
    if (options.fileExists && !options.fileExists(s.file)) {
      issues.push({ path: `strategies.${index}.file`, message: `file "${s.file}" does not exist` });
    }
  }

  const total = strategies.reduce((sum, s) => sum.plus(s.config.allocation.value), new Decimal(0));
  if (total.gt(1)) {
    const parts = strategies.map(({ config: s }) => `${s.id} ${s.allocation.toString()}`).join(' + ');
    issues.push({
      path: 'strategies',
      message: `allocations sum to ${total.toFixed()} (> 1): ${parts}; a typo such as 0.6 for 0.06?`,
    });
  }
  if (issues.length > 0) throw configError(options.source, issues);

  const policy = top.data.capitalPolicy;
  return {
    capitalPolicy:
      policy.mode === 'drift'
        ? { mode: 'drift', threshold: Weight.parse(policy.threshold) }
        : { mode: 'target' },
    minTradeNotional: Money.parse(top.data.minTradeNotional, 'minTradeNotional'),
    cashReserve: Weight.parse(top.data.cashReserve, 'cashReserve'),
    runWindowMinutes: top.data.runWindowMinutes,
    onReconciliationBreak: top.data.onReconciliationBreak,
    ...accountLimitsOf(top.data.limits),
    strategies: strategies.map((s) => s.config),
  };
}

function bookLimitsOf(
  raw: z.output<ReturnType<typeof StrategyEntrySchema>>['limits'],
  index: number,
): { limits?: BookLimits } {
  if (!raw || (raw.dailyNotionalCap === undefined && raw.drawdownStop === undefined)) return {};
  const at = `strategies.${index}.limits`;
  return {
    limits: {
      ...(raw.dailyNotionalCap !== undefined
        ? { dailyNotionalCap: Money.parse(raw.dailyNotionalCap, `${at}.dailyNotionalCap`) }
        : {}),
      ...(raw.drawdownStop
        ? {
            drawdownStop: {
              maxDrawdown: Weight.parse(raw.drawdownStop.maxDrawdown, `${at}.drawdownStop.maxDrawdown`),
              action: raw.drawdownStop.action,
            },
          }
        : {}),
    },
  };
}

function accountLimitsOf(raw: z.output<ReturnType<typeof TopSchema>>['limits']): { limits?: AccountLimits } {
  if (!raw || (raw.accountDailyNotionalCap === undefined && raw.concentrationWarning === undefined))
    return {};
  return {
    limits: {
      ...(raw.accountDailyNotionalCap !== undefined
        ? {
            accountDailyNotionalCap: Money.parse(
              raw.accountDailyNotionalCap,
              'limits.accountDailyNotionalCap',
            ),
          }
        : {}),
      ...(raw.concentrationWarning !== undefined
        ? { concentrationWarning: Weight.parse(raw.concentrationWarning, 'limits.concentrationWarning') }
        : {}),
    },
  };
}

function configError(source: string, issues: readonly ValidationIssue[]): ValidationError {
  return new ValidationError(
    `invalid strategy configuration ${source} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
    issues,
    { source },
  );
}
