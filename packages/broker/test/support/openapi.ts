import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** Alpaca's own OpenAPI documents, beside the project (`../shared/alpaca-openapi`); absent in some checkouts. */
const TRADING_SPEC = join(__dirname, '../../../../../shared/alpaca-openapi/trading-api.json');

export const tradingSpecPresent = existsSync(TRADING_SPEC);

const Examples = z.object({
  components: z.object({
    examples: z.record(z.string(), z.object({ value: z.record(z.string(), z.unknown()) })),
  }),
});

/** The response example `name` of the trading spec (e.g. "MultilegOptionsOrderResponse"). */
export function tradingExample(name: string): Record<string, unknown> {
  const spec = Examples.parse(JSON.parse(readFileSync(TRADING_SPEC, 'utf8')));
  const example = spec.components.examples[name];
  if (example === undefined) throw new Error(`the trading spec has no example ${name}`);
  return example.value;
}
