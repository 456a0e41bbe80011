/** The label every adjustment carries in the ledger (trade `reason`, transfer `reason`). */
export const ADJUSTMENT = 'adjustment';
