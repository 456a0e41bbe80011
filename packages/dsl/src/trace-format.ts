import type { CandidateTrace, Trace, TraceNode } from './trace';

/**
 * A trace as an indented tree, one decision per line, each form with its `file:line:col`:
 *
 *   strategies/x.clj as of 2025-10-01
 *   if  strategies/x.clj:3:5
 *     (rsi "SPY" {:window 10}) = 72.31 > 70 = 70 → true: then
 *     filter rsi 10, top 1 (asset mode)  strategies/x.clj:4:7
 *       ✓ 1. TQQQ  45.2
 *         2. SPY   40.1
 *         -  BND   too little history
 *       → TQQQ 100%
 *   targets: TQQQ 1
 */
export function formatTrace(trace: Trace): string {
  const lines = [`${trace.file} as of ${trace.date}`];
  for (const node of trace.nodes) formatNode(node, trace.file, 0, lines);
  if (trace.truncated === true)
    lines.push('(the decisions were too large to store: only the outcome was kept)');
  if ('weights' in trace.outcome) {
    const weights = Object.entries(trace.outcome.weights).map(([s, w]) => `${s} ${w}`);
    lines.push(`targets: ${weights.join(', ')}`);
  } else {
    const e = trace.outcome.error;
    lines.push(`failed: ${trace.file}:${e.at}: ${e.code} ${e.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatNode(node: TraceNode, file: string, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const where = `${file}:${node.at}`;
  switch (node.kind) {
    case 'if': {
      lines.push(`${pad}if  ${where}`);
      const c = node.condition;
      if (c !== undefined) {
        const verdict = node.branch ?? 'no branch';
        lines.push(
          `${pad}  ${operand(c.left.form, c.left.value)} ${c.op} ${operand(c.right.form, c.right.value)} → ${c.result}: ${verdict}`,
        );
      }
      break;
    }
    case 'filter':
      lines.push(`${pad}filter ${node.metric}, ${node.select} (${node.mode} mode)  ${where}`);
      node.candidates.forEach((c, k) => {
        lines.push(`${pad}  ${candidate(c, k)}`);
      });
      break;
    case 'group':
      lines.push(`${pad}group${node.name === undefined ? '' : ` ${JSON.stringify(node.name)}`}  ${where}`);
      break;
    default:
      lines.push(`${pad}${node.kind}  ${where}`);
  }
  for (const child of node.children) formatNode(child, file, depth + 1, lines);
  if (node.failed !== undefined) lines.push(`${pad}  ✗ ${node.failed}`);
  else if (node.weights !== undefined && !repeatsOnlyChild(node))
    lines.push(`${pad}  → ${percentages(node.weights)}`);
}

/** A wrapper whose one traced child gave the same weights: its weights line would repeat the child's. */
function repeatsOnlyChild(node: TraceNode): boolean {
  const [only, ...rest] = node.children;
  if (only === undefined || rest.length > 0 || only.weights === undefined || node.weights === undefined)
    return false;
  return percentages(only.weights) === percentages(node.weights);
}

/** A literal operand prints as itself; an indicator with its value. */
function operand(form: string, value: number): string {
  return form === String(value) ? form : `${form} = ${value}`;
}

function candidate(c: CandidateTrace, k: number): string {
  const mark = c.selected ? '✓' : ' ';
  if (c.score === null) return `${mark} -  ${c.label}  too little history`;
  const basis = c.basis === undefined ? '' : ` (${c.basis})`;
  return `${mark} ${k + 1}. ${c.label}  ${c.score}${basis}${c.tied ? '  tied' : ''}`;
}

function percentages(weights: Readonly<Record<string, number>>): string {
  const entries = Object.entries(weights);
  if (entries.length === 0) return 'nothing';
  return entries.map(([s, w]) => `${s} ${Number((w * 100).toPrecision(6))}%`).join(', ');
}
