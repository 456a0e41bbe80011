import { escapeHtml } from './escape';
import type { Series } from './series';

/**
 * Charts as inline SVG strings, drawn from the series alone (no script, no external resource).
 * Geometry uses a fixed viewBox; CSS scales the SVG to its container.
 */

export interface LineSpec {
  readonly name: string;
  readonly color: string;
  readonly values: Series;
  /** Drawn dashed (a reference line, such as a benchmark), and so in the legend. */
  readonly dashed?: boolean;
}

export interface ChartSpec {
  /** Stable id of the chart (a `data-chart` attribute). */
  readonly id: string;
  readonly title: string;
  readonly dates: readonly string[];
  readonly format: (y: number) => string;
  /** Draw the y axis downwards from 0 (drawdowns). */
  readonly invert?: boolean;
}

const WIDTH = 960;
const HEIGHT = 280;
const MARGIN = { left: 80, right: 20, top: 14, bottom: 30 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** A colour per strategy, in order; the account is drawn in the text colour. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];
export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#333';
}

const fixed = (n: number) => (Math.round(n * 10) / 10).toString();

function xOf(i: number, n: number): number {
  return n <= 1 ? MARGIN.left + PLOT_W / 2 : MARGIN.left + (i * PLOT_W) / (n - 1);
}

/** Evenly spaced round ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  let lo = min;
  let hi = max;
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

interface Scale {
  readonly y: (v: number) => number;
  readonly ticks: readonly number[];
}

function scaleOf(values: readonly number[], invert: boolean, floor?: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = Math.min(floor ?? Number.POSITIVE_INFINITY, ...finite);
  const hi = Math.max(...finite);
  const ticks = finite.length === 0 ? [0, 1] : niceTicks(lo, hi);
  const t0 = ticks[0] ?? 0;
  const t1 = ticks[ticks.length - 1] ?? 1;
  const span = t1 - t0 || 1;
  const frac = (v: number) => (v - t0) / span;
  return {
    y: (v) => (invert ? MARGIN.top + frac(v) * PLOT_H : MARGIN.top + PLOT_H - frac(v) * PLOT_H),
    ticks,
  };
}

function axes(spec: ChartSpec, scale: Scale): string {
  const n = spec.dates.length;
  const parts: string[] = [];
  for (const t of scale.ticks) {
    const y = fixed(scale.y(t));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(spec.format(t))}</text>`,
    );
  }
  const labels = Math.min(n, 6);
  const shown = new Set<number>();
  for (let k = 0; k < labels; k++) shown.add(labels <= 1 ? 0 : Math.round((k * (n - 1)) / (labels - 1)));
  for (const i of shown) {
    const date = spec.dates[i];
    if (date === undefined) continue;
    const anchor = n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle';
    parts.push(
      `<text class="tick" x="${fixed(xOf(i, n))}" y="${HEIGHT - 8}" text-anchor="${anchor}">${escapeHtml(date)}</text>`,
    );
  }
  return parts.join('');
}

/** Runs of consecutive defined values, as `[index, value]` pairs. */
function segments(values: Series): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  values.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push([i, v]);
  });
  if (current.length > 0) out.push(current);
  return out;
}

function frame(spec: ChartSpec, body: string, legend: readonly LineSpec[]): string {
  const items = legend
    .map(
      (l) =>
        `<li><span class="swatch${l.dashed ? ' dashed' : ''}" style="background:${escapeHtml(l.color)}"></span>${escapeHtml(l.name)}</li>`,
    )
    .join('');
  return `<figure class="chart" data-chart="${escapeHtml(spec.id)}"><figcaption>${escapeHtml(spec.title)}</figcaption><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg><ul class="legend">${items}</ul></figure>`;
}

/** One line per series; a series with a single defined day is drawn as a dot. */
export function lineChart(spec: ChartSpec, lines: readonly LineSpec[]): string {
  const n = spec.dates.length;
  const all = lines.flatMap((l) => l.values.filter((v): v is number => v !== undefined));
  const scale = scaleOf(all, spec.invert === true, spec.invert ? 0 : undefined);
  const drawn = lines
    .map((l) => {
      const d = segments(l.values)
        .map((seg) =>
          seg.length === 1
            ? ''
            : seg
                .map(([i, v], k) => `${k === 0 ? 'M' : 'L'}${fixed(xOf(i, n))} ${fixed(scale.y(v))}`)
                .join(''),
        )
        .join('');
      const dots = segments(l.values)
        .filter((seg) => seg.length === 1)
        .map((seg) => {
          const [i, v] = seg[0] ?? [0, 0];
          return `<circle cx="${fixed(xOf(i, n))}" cy="${fixed(scale.y(v))}" r="3" fill="${escapeHtml(l.color)}"/>`;
        })
        .join('');
      const path =
        d === ''
          ? ''
          : `<path class="series" d="${d}" fill="none" stroke="${escapeHtml(l.color)}" stroke-width="2"${l.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeHtml(l.name)}</title></path>`;
      return `<g data-series="${escapeHtml(l.name)}">${path}${dots}</g>`;
    })
    .join('');
  return frame(spec, axes(spec, scale) + drawn, lines);
}

/**
 * Bands stacked in order from 0 upwards (shares of a whole); an undefined or negative value counts as 0.
 * Each band is one closed path: its top edge forwards, its bottom edge back.
 */
export function stackedAreaChart(spec: ChartSpec, bands: readonly LineSpec[]): string {
  const n = spec.dates.length;
  const bottoms: number[] = spec.dates.map(() => 0);
  const stacked = bands.map((b) => {
    const lower = [...bottoms];
    const upper = lower.map((lo, i) => lo + Math.max(0, b.values[i] ?? 0));
    upper.forEach((u, i) => {
      bottoms[i] = u;
    });
    return { band: b, lower, upper };
  });
  const scale = scaleOf([0, 1, ...bottoms], false);
  // A single day is drawn as a bar of some width rather than a zero-width area.
  const half = n <= 1 ? PLOT_W / 8 : 0;
  const drawn = stacked
    // A band that is empty every day has no area to draw (it stays in the legend).
    .filter(({ band }) => band.values.some((v) => v !== undefined && v > 0))
    .map(({ band, lower, upper }) => {
      const top = upper.map((v, i) => [xOf(i, n), scale.y(v)] as const);
      const bottom = lower.map((v, i) => [xOf(i, n), scale.y(v)] as const).reverse();
      const pts =
        n <= 1
          ? [
              [(top[0]?.[0] ?? 0) - half, top[0]?.[1] ?? 0],
              [(top[0]?.[0] ?? 0) + half, top[0]?.[1] ?? 0],
              [(bottom[0]?.[0] ?? 0) + half, bottom[0]?.[1] ?? 0],
              [(bottom[0]?.[0] ?? 0) - half, bottom[0]?.[1] ?? 0],
            ]
          : [...top, ...bottom];
      const d = `${pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${fixed(x)} ${fixed(y)}`).join('')}Z`;
      return `<g data-series="${escapeHtml(band.name)}"><path class="series" d="${d}" fill="${escapeHtml(band.color)}" fill-opacity="0.75" stroke="${escapeHtml(band.color)}" stroke-width="1"><title>${escapeHtml(band.name)}</title></path></g>`;
    })
    .join('');
  return frame(spec, axes(spec, scale) + drawn, bands);
}
