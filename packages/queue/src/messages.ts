import {
  ClientOrderIdSchema,
  deferredSchema,
  InstantSchema,
  MoneySchema,
  QuantitySchema,
  RunIdSchema,
  StrategyIdSchema,
  SymbolSchema,
  Weight,
  WeightSchema,
} from '@books/core';
import * as z from 'zod';

/**
 * The execution request of one planned trade: the seed's `StrategyExecutionRequested` event plus
 * the run, the leg and the deterministic client order id. Wire format: snake_case JSON, decimals as
 * strings. Built at its first parse (deferredSchema): execution reads it, the other functions
 * that load this package only send requests.
 */
export const StrategyExecutionRequestedSchema = deferredSchema(() =>
  z.strictObject({
    type: z.literal('StrategyExecutionRequested'),
    version: z.literal(1),
    flow: z.enum(['per-strategy', 'legacy']),
    run_id: RunIdSchema,
    strategy_id: StrategyIdSchema,
    dsl_file: z.string().min(1),
    allocation: WeightSchema.refine(
      (w) => !w.isNegative() && w.lte(Weight.ONE),
      'allocation must be in [0, 1]',
    ),
    trade: z.strictObject({
      symbol: SymbolSchema,
      direction: z.enum(['BUY', 'SELL']),
      target_qty: QuantitySchema.refine((q) => q.isPositive(), 'target_qty must be positive'),
      target_value: MoneySchema,
    }),
    strategy_capital: MoneySchema.refine((m) => !m.isNegative(), 'strategy_capital must not be negative'),
    correlation_id: z.string().min(1).max(200),
    timestamp: InstantSchema,
    leg: z.number().int().min(0).max(999),
    client_order_id: ClientOrderIdSchema,
    /** Legacy flow only: the strategies whose merged signal this trade serves, and their shares. */
    strategy_names: z.array(StrategyIdSchema).optional(),
    strategy_weights: z.record(z.string(), WeightSchema).optional(),
  }),
);

export type StrategyExecutionRequested = z.infer<typeof StrategyExecutionRequestedSchema>;
/** The JSON shape before parsing (decimals as strings). */
export type StrategyExecutionRequestedWire = z.input<typeof StrategyExecutionRequestedSchema>;

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
  constructor(
    readonly messageId: string,
    readonly problems: readonly string[],
  ) {
    super(`malformed execution message ${messageId}: ${problems.join('; ')}`);
  }
}

/** Parses a message body; a body that is not JSON or not the schema is a MalformedMessageError. */
export function parseExecutionMessage(messageId: string, body: string): StrategyExecutionRequested {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new MalformedMessageError(messageId, [
      `body is not JSON (${e instanceof Error ? e.message : String(e)})`,
    ]);
  }
  const parsed = StrategyExecutionRequestedSchema.safeParse(json);
  if (!parsed.success) {
    throw new MalformedMessageError(
      messageId,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** Serialises a request with decimals as canonical strings. */
export function serializeExecutionMessage(message: StrategyExecutionRequested): string {
  return JSON.stringify(message);
}
