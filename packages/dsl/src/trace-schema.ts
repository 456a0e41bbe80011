import * as z from 'zod';
import type { CandidateTrace, ComparisonTrace, Trace, TraceNode } from './trace';

/** A stored trace read back (the ledger keeps it as JSON): parsed, never cast. */
const OperandSchema = z.object({ form: z.string(), value: z.number() });

const ComparisonSchema: z.ZodType<ComparisonTrace> = z.object({
  op: z.string(),
  left: OperandSchema,
  right: OperandSchema,
  result: z.boolean(),
});

const CandidateSchema: z.ZodType<CandidateTrace> = z.object({
  label: z.string(),
  score: z.number().nullable(),
  basis: z.enum(['history', 'holdings']).optional(),
  selected: z.boolean(),
  tied: z.literal(true).optional(),
});

const common = {
  at: z.string(),
  children: z.array(z.lazy((): z.ZodType<TraceNode> => TraceNodeSchema)),
  weights: z.record(z.string(), z.number()).optional(),
  failed: z.string().optional(),
};

export const TraceNodeSchema: z.ZodType<TraceNode> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('if'),
    ...common,
    condition: ComparisonSchema.optional(),
    branch: z.enum(['then', 'else']).optional(),
  }),
  z.object({
    kind: z.literal('filter'),
    ...common,
    metric: z.string(),
    select: z.string(),
    mode: z.enum(['asset', 'block']),
    candidates: z.array(CandidateSchema),
  }),
  z.object({
    kind: z.enum(['group', 'weight-equal', 'weight-specified', 'weight-inverse-volatility']),
    ...common,
    name: z.string().optional(),
  }),
]);

export const TraceSchema: z.ZodType<Trace> = z.object({
  file: z.string(),
  date: z.string(),
  nodes: z.array(TraceNodeSchema),
  truncated: z.literal(true).optional(),
  outcome: z.union([
    z.object({ weights: z.record(z.string(), z.string()) }),
    z.object({ error: z.object({ code: z.string(), message: z.string(), at: z.string() }) }),
  ]),
});
