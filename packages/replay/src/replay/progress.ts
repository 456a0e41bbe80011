/** The replay's progress line: pure formatting, and a writer that redraws on a TTY. */

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly trades: number;
  readonly elapsedMs: number;
  /** The day just completed. */
  readonly date: string;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(r).padStart(2, '0')}s`
      : `${r}s`;
}

/** `[#####-----] 5/10 days  2024-01-08  trades 12  elapsed 3s  ETA 3s` (ETA from the mean day so far). */
export function formatProgress(p: Progress, width = 20): string {
  const fraction = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = p.done === 0 ? '?' : formatDuration((p.elapsedMs / p.done) * (p.total - p.done));
  return `${bar} ${p.done}/${p.total} days  ${p.date}  trades ${p.trades}  elapsed ${formatDuration(p.elapsedMs)}  ETA ${eta}`;
}

export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
}

/**
 * On a TTY the line is redrawn in place (\r); otherwise one line is written each time another
 * ~10% of the days is done, and at the last day.
 */
export function progressReporter(sink: ProgressSink): { update(p: Progress): void; end(): void } {
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      const line = formatProgress(p);
      if (sink.isTTY) {
        sink.write(`\r${line}\x1b[K`);
        drawn = true;
        return;
      }
      const decile = p.total === 0 ? 10 : Math.floor((p.done * 10) / p.total);
      if (decile > lastDecile) {
        lastDecile = decile;
        sink.write(`${line}\n`);
      }
    },
    end() {
      if (drawn) sink.write('\n');
      drawn = false;
    },
  };
}
