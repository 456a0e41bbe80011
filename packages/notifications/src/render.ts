import type { Digest } from './digest';

/** A message as delivered: a subject, an HTML part and its plain-text alternative. */
export interface RenderedMessage {
  readonly kind: string;
  readonly date: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /**
   * The message's identity, the same for every delivery of the same message (`digest#{runId}`,
   * `alert#{subject}#v{version}#{kind}`): sinks that remember deliveries key them by it.
   */
  readonly id?: string;
  /** The run and strategy the message is about, for the logs of its delivery. */
  readonly about?: { readonly runId?: string; readonly strategyId?: string };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function percent(weight: string): string {
  return `${(Number(weight) * 100).toFixed(1)}%`;
}

/** The digest as an e-mail: every value escaped in the HTML part (strategy ids, reasons, errors). */
export function renderDigest(d: Digest): RenderedMessage {
  const subject = `strategy-books ${d.stage} ${d.date}: ${d.totals.fills} fill(s), ${d.totals.breaks} break(s)`;
  const text: string[] = [`${subject}`, `run ${d.runId}: ${d.runStatus}`, ''];
  const html: string[] = [
    '<!doctype html><html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head><body>',
    `<h1>${escapeHtml(`${d.stage} ${d.date}`)}</h1>`,
    `<p>run ${escapeHtml(d.runId)}: <b>${escapeHtml(d.runStatus)}</b></p>`,
  ];
  for (const b of d.books) {
    text.push(`■ ${b.strategyId}  [${b.status}]${b.error ? `  ${b.error}` : ''}`);
    html.push(
      `<h2>${escapeHtml(b.strategyId)} <small>[${escapeHtml(b.status)}]</small></h2>`,
      b.error ? `<p class="error">${escapeHtml(b.error)}</p>` : '',
    );
    if (b.targets.length > 0) {
      const targets = b.targets.map((t) => `${t.symbol} ${percent(t.weight)}`).join('  ');
      text.push(`  targets   ${targets}`);
      html.push(`<p>targets: ${escapeHtml(targets)}</p>`);
    }
    const rows: string[] = [];
    for (const t of b.trades) {
      const line = `trade ${t.side} ${t.qty} ${t.symbol} ${t.state}${t.reason ? ` (${t.reason})` : ''}`;
      text.push(`  ${line}`);
      rows.push(`<li>${escapeHtml(line)}</li>`);
    }
    for (const f of b.fills) {
      const line = `fill ${f.side} ${f.qty} ${f.symbol} @ ${f.price}`;
      text.push(`  ${line}`);
      rows.push(`<li>${escapeHtml(line)}</li>`);
    }
    if (rows.length > 0) html.push(`<ul>${rows.join('')}</ul>`);
    if (b.pnl && b.equity !== undefined) {
      const line = `equity ${b.equity}  cash ${b.cash ?? ''}  P&L day ${b.pnl.day}  month ${b.pnl.month}  year ${b.pnl.year}`;
      text.push(`  book      ${line}`);
      html.push(`<p>${escapeHtml(line)}</p>`);
    }
    text.push('');
  }
  text.push(d.breaks.length === 0 ? 'reconciliation: no breaks' : 'reconciliation breaks:');
  html.push('<h2>Reconciliation</h2>');
  if (d.breaks.length === 0) html.push('<p>no breaks</p>');
  else html.push('<ul>');
  for (const br of d.breaks) {
    text.push(`  ${br.status} ${br.subject}: ${br.detail}`);
    html.push(`<li>${escapeHtml(`${br.status} ${br.subject}: ${br.detail}`)}</li>`);
  }
  if (d.breaks.length > 0) html.push('</ul>');
  text.push('', 'controls in force:');
  html.push('<h2>Controls in force</h2><ul>');
  for (const c of d.controls) {
    text.push(`  ${c.label}: ${c.value}`);
    html.push(`<li>${escapeHtml(`${c.label}: ${c.value}`)}</li>`);
  }
  html.push('</ul></body></html>');
  return {
    kind: 'digest',
    date: d.date,
    subject,
    html: html.join(''),
    text: `${text.join('\n')}\n`,
    id: `digest#${d.runId}`,
    about: { runId: d.runId },
  };
}
