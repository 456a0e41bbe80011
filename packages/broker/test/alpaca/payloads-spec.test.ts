import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import {
  AccountPayload,
  AssetPayload,
  CalendarDayPayload,
  ClockPayload,
  OrderPayload,
  PositionPayload,
} from '../../src/alpaca/payloads';

/**
 * The zod payloads of the adapter, checked against Alpaca's OpenAPI documents: every field we read
 * is a property of the spec's schema for that payload, and where the spec says it may be null our
 * schema takes null (a field we require non-null that Alpaca may send null would fail a day).
 */

const SPEC_DIR = join(__dirname, '../../../../../shared/alpaca-openapi');
const present = existsSync(join(SPEC_DIR, 'trading-api.json'));

const Property = z.object({ nullable: z.boolean().optional(), $ref: z.string().optional() }).passthrough();
const Schema = z.object({ properties: z.record(z.string(), Property) }).passthrough();
const Doc = z.object({ components: z.object({ schemas: z.record(z.string(), z.unknown()) }) });

function specSchema(file: string, name: string): z.infer<typeof Schema> {
  const doc = Doc.parse(JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')));
  return Schema.parse(doc.components.schemas[name]);
}

/**
 * The object schema inside a payload: a payload is built at its first use (a `z.lazy`), and
 * OrderPayload is an object piped into a transform.
 */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodLazy) return shapeOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType);
  throw new Error('not an object payload');
}

const CASES: readonly [string, z.ZodType, string, string][] = [
  ['AccountPayload', AccountPayload, 'trading-api.json', 'Account'],
  ['PositionPayload', PositionPayload, 'trading-api.json', 'Position'],
  ['ClockPayload', ClockPayload, 'trading-api.json', 'legacy_clock'],
  ['CalendarDayPayload', CalendarDayPayload, 'trading-api.json', 'legacy_calendar_day'],
  ['AssetPayload', AssetPayload, 'trading-api.json', 'Assets'],
  ['OrderPayload', OrderPayload, 'trading-api.json', 'Order'],
];

(present ? describe : describe.skip)(
  'the adapter’s payload schemas against Alpaca’s OpenAPI documents',
  () => {
    it.each(CASES)('%s reads only fields of the spec’s schema', (_name, payload, file, specName) => {
      const spec = specSchema(file, specName);
      const missing = Object.keys(shapeOf(payload)).filter((field) => !(field in spec.properties));
      expect(missing).toEqual([]);
    });

    it.each(CASES)('%s takes null wherever the spec says nullable', (_name, payload, file, specName) => {
      const spec = specSchema(file, specName);
      const refusesNull = Object.entries(shapeOf(payload))
        .filter(([field]) => spec.properties[field]?.nullable === true)
        .filter(([, schema]) => !schema.safeParse(null).success)
        .map(([field]) => field);
      expect(refusesNull).toEqual([]);
    });

    it('the latest trade reads p and t of the spec’s stock_trade', () => {
      const spec = specSchema('market-data-api.json', 'stock_trade');
      expect(['p', 't'].filter((f) => !(f in spec.properties))).toEqual([]);
    });
  },
);
