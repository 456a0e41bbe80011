import { lazySchema } from '@books/core';
import * as z from 'zod';

/**
 * Composer's score tree: the form in which Composer stores and shares a symphony, as EDN
 * (`{:step :root :children [...]}`) or as JSON (`{"step": "root", "children": [...]}`). Both are
 * read into the same plain value (keywords become strings, keys lose their colon) and validated
 * here. Field names are Composer's; a field this schema does not know is refused (it could change
 * what the symphony holds), except the display metadata listed in METADATA.
 */

/** Fields that are display metadata: accepted on every node and ignored. */
const METADATA = [
  'id',
  'description',
  'collapsed?',
  'collapsed-specified-weight?',
  'suppress-incomplete-warnings?',
  'children-count',
  'color',
  'exchange',
  'price',
  'dollar_volume',
  'dollar-volume',
  'has_marketcap',
  'has-marketcap',
  'sort-by?',
  'ticker-benchmarks',
  'created-at',
  'updated-at',
  'last-updated-at',
  'version-id',
] as const;

/** Keyword-valued fields: JSON may spell their values with or without the leading colon. */
export const KEYWORD_FIELDS: ReadonlySet<string> = new Set([
  'step',
  'comparator',
  'lhs-fn',
  'rhs-fn',
  'sort-by-fn',
  'select-fn',
  'rebalance',
]);

/** A field that may be absent or null (JSON exports write `null` for unset fields). */
const opt = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const STEPS = [
  'root',
  'wt-cash-equal',
  'wt-cash-specified',
  'wt-inverse-vol',
  'group',
  'if',
  'filter',
  'asset',
  'empty',
] as const;

/**
 * The node schemas, built at the first score read (lazySchema): a function that only reads `.clj`
 * strategies (every Lambda) never builds them.
 */
function buildFields() {
  const metadata = Object.fromEntries(METADATA.map((k) => [k, z.unknown().optional()])) as Record<
    (typeof METADATA)[number],
    z.ZodOptional<z.ZodUnknown>
  >;

  /** Composer writes counts and windows as numbers or as strings ("10"). */
  const numberish = z.union([z.number(), z.string()]);
  const params = z.strictObject({ window: opt(numberish) });
  const weight = z.strictObject({ num: numberish, den: numberish });

  const common = { ...metadata, weight: opt(weight) };

  const RootFields = z.strictObject({
    ...common,
    step: z.literal('root'),
    name: opt(z.string()),
    rebalance: opt(z.string()),
    'rebalance-corridor-width': opt(numberish),
    'asset-class': opt(z.string()),
  });
  const EqualFields = z.strictObject({ ...common, step: z.literal('wt-cash-equal'), name: opt(z.string()) });
  const SpecifiedFields = z.strictObject({
    ...common,
    step: z.literal('wt-cash-specified'),
    name: opt(z.string()),
  });
  const InverseVolFields = z.strictObject({
    ...common,
    step: z.literal('wt-inverse-vol'),
    name: opt(z.string()),
    'window-days': numberish,
  });
  const GroupFields = z.strictObject({ ...common, step: z.literal('group'), name: opt(z.string()) });
  const IfFields = z.strictObject({ ...common, step: z.literal('if'), name: opt(z.string()) });
  const FilterFields = z.strictObject({
    ...common,
    step: z.literal('filter'),
    name: opt(z.string()),
    'sort-by-fn': z.string(),
    'sort-by-window-days': opt(numberish),
    'sort-by-fn-params': opt(params),
    'select?': opt(z.boolean()),
    'select-fn': opt(z.string()),
    'select-n': opt(numberish),
  });
  const AssetFields = z.strictObject({
    ...common,
    step: z.literal('asset'),
    ticker: z.string(),
    name: opt(z.string()),
  });
  const EmptyFields = z.strictObject({ ...common, step: z.literal('empty'), name: opt(z.string()) });
  const IfChildFields = z.strictObject({
    ...common,
    step: z.literal('if-child'),
    name: opt(z.string()),
    'is-else-condition?': opt(z.boolean()),
    'lhs-fn': opt(z.string()),
    'lhs-val': opt(z.string()),
    'lhs-window-days': opt(numberish),
    'lhs-fn-params': opt(params),
    comparator: opt(z.string()),
    'rhs-fixed-value?': opt(z.boolean()),
    'rhs-val': opt(numberish),
    'rhs-fn': opt(z.string()),
    'rhs-window-days': opt(numberish),
    'rhs-fn-params': opt(params),
    /** Newer exports' structured condition: refused by the converter (not supported yet). */
    condition: opt(z.unknown()),
  });
  return {
    numberish,
    weight,
    RootFields,
    EqualFields,
    SpecifiedFields,
    InverseVolFields,
    GroupFields,
    IfFields,
    FilterFields,
    AssetFields,
    EmptyFields,
    IfChildFields,
  };
}
const fields = lazySchema(buildFields);
type Fields = ReturnType<typeof buildFields>;

type Children<C> = { readonly children?: readonly C[] | null | undefined };
export interface RootNode extends z.infer<Fields['RootFields']>, Children<ScoreNode> {}
export interface EqualNode extends z.infer<Fields['EqualFields']>, Children<ScoreNode> {}
export interface SpecifiedNode extends z.infer<Fields['SpecifiedFields']>, Children<ScoreNode> {}
export interface InverseVolNode extends z.infer<Fields['InverseVolFields']>, Children<ScoreNode> {}
export interface GroupNode extends z.infer<Fields['GroupFields']>, Children<ScoreNode> {}
export interface IfNode extends z.infer<Fields['IfFields']>, Children<IfChild> {}
export interface IfChild extends z.infer<Fields['IfChildFields']>, Children<ScoreNode> {}
export interface FilterNode extends z.infer<Fields['FilterFields']>, Children<ScoreNode> {}
export type AssetNode = z.infer<Fields['AssetFields']>;
export type EmptyNode = z.infer<Fields['EmptyFields']>;
export type ScoreNode =
  | RootNode
  | EqualNode
  | SpecifiedNode
  | InverseVolNode
  | GroupNode
  | IfNode
  | FilterNode
  | AssetNode
  | EmptyNode;
export type ScoreWeight = z.infer<Fields['weight']>;
export type Numberish = z.infer<Fields['numberish']>;

const children = <T>(of: z.ZodType<T>) => ({ children: opt(z.array(of)) });

export const ScoreNodeSchema: z.ZodType<ScoreNode> = z.lazy(() => {
  const f = fields();
  return z.discriminatedUnion('step', [
    f.RootFields.extend(children(ScoreNodeSchema)),
    f.EqualFields.extend(children(ScoreNodeSchema)),
    f.SpecifiedFields.extend(children(ScoreNodeSchema)),
    f.InverseVolFields.extend(children(ScoreNodeSchema)),
    f.GroupFields.extend(children(ScoreNodeSchema)),
    f.IfFields.extend(children(IfChildSchema)),
    f.FilterFields.extend(children(ScoreNodeSchema)),
    f.AssetFields,
    f.EmptyFields,
  ]);
});

export const IfChildSchema: z.ZodType<IfChild> = z.lazy(() =>
  fields().IfChildFields.extend(children(ScoreNodeSchema)),
);

/** Composer's function names → the engine's indicators. */
export const SCORE_FUNCTIONS: Readonly<Record<string, string>> = {
  'relative-strength-index': 'rsi',
  'cumulative-return': 'cumulative-return',
  'moving-average-price': 'moving-average-price',
  'exponential-moving-average-price': 'exponential-moving-average-price',
  'moving-average-return': 'moving-average-return',
  'standard-deviation-return': 'stdev-return',
  'standard-deviation-price': 'stdev-price',
  'max-drawdown': 'max-drawdown',
  'current-price': 'current-price',
};

export const SCORE_COMPARATORS: Readonly<Record<string, string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export const REBALANCE_FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
