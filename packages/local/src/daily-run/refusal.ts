import * as z from 'zod';

/** DailyRun's output when the coordinator did not plan the run (the Skipped state keeps its plan). */
const RefusalSchema = z.object({
  plan: z.object({
    proceed: z.literal(false),
    reason: z.string(),
    problems: z.array(z.string()).optional(),
  }),
});

/**
 * Reasons that mean the day was not run and must be run again (an invalid configuration, a date
 * out of order, a previous day still in flight, a reconciliation block), as opposed to a day that
 * needs no run (the market is closed, the run already exists).
 */
export const REFUSED = /^(stopped|refused|waiting):/;

export function refusalOf(plan: unknown): z.infer<typeof RefusalSchema>['plan'] | undefined {
  const parsed = RefusalSchema.safeParse(plan);
  return parsed.success ? parsed.data.plan : undefined;
}
