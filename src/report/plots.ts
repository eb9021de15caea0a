/**
 * Builders of the report's figure kinds as Vega-Lite specifications (see FigureSpec). Checks call
 * these with their numbers; the report renders them. Kept free of any check logic.
 */
import type { FigureSpec } from '../checks/types.ts';

const W = 520, H = 300;

/** Finite numbers only: Vega-Lite drops nulls, and NaN/Infinity are not valid JSON. */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** Several curves on shared axes, with optional vertical reference lines (e.g. 1/sqrt(K), sqrt(2)/2). */
export function curvesFigure(opts: {
  name: string;
  caption: string;
  xTitle: string;
  yTitle: string;
  series: Series[];
  rules?: { x: number; label: string }[];
  logY?: boolean;
  logX?: boolean;
}): FigureSpec {
  const values = opts.series.flatMap((s) => s.points.map((p) => ({ series: s.name, x: num(p.x), y: num(p.y) })));
  const layers: Record<string, unknown>[] = [
    {
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: opts.xTitle, scale: opts.logX ? { type: 'log' } : { zero: false } },
        y: { field: 'y', type: 'quantitative', title: opts.yTitle, scale: opts.logY ? { type: 'log' } : { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  ];
  if (opts.rules && opts.rules.length) {
    const rv = opts.rules.map((r) => ({ x: r.x, label: r.label }));
    layers.push({ data: { values: rv }, mark: { type: 'rule', strokeDash: [4, 4], color: 'black' }, encoding: { x: { field: 'x', type: 'quantitative' } } });
    layers.push({ data: { values: rv }, mark: { type: 'text', align: 'left', dx: 3, dy: -H / 2 + 8, fontSize: 10 }, encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } });
  }
  return { name: opts.name, caption: opts.caption, vegaLite: { width: W, height: H, layer: layers } };
}

/** A bound against estimates with their confidence intervals, one position per parameter point. */
export function boundVsEstimateFigure(opts: {
  name: string;
  caption: string;
  yTitle: string;
  points: { label: string; bound: number; estimate: number; lo: number; hi: number }[];
  logY?: boolean;
}): FigureSpec {
  // On a log scale zeros cannot be drawn: clamp to a floor below every positive value, and say so.
  const positives = opts.points.flatMap((p) => [p.bound, p.estimate, p.lo, p.hi]).filter((v) => v > 0);
  const floor = opts.logY && positives.length ? Math.min(...positives) / 10 : 0;
  const f = (v: number): number | null => num(opts.logY ? Math.max(v, floor) : v);
  const values = opts.points.map((p, i) => ({ i, label: p.label, bound: f(p.bound), estimate: f(p.estimate), lo: f(p.lo), hi: f(p.hi) }));
  const y = { type: 'quantitative', title: opts.yTitle, scale: opts.logY ? { type: 'log' } : { zero: false } };
  const x = { field: 'i', type: 'ordinal', title: 'parameter point', axis: { labels: values.length <= 30 } };
  return {
    name: opts.name,
    caption: opts.caption + (opts.logY ? ` (log scale; values below ${floor.toExponential(1)} drawn at that floor)` : ''),
    vegaLite: {
      width: W, height: H, data: { values },
      layer: [
        { mark: { type: 'rule', color: '#4c78a8' }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, color: '#4c78a8' }, encoding: { x, y: { ...y, field: 'estimate' }, tooltip: [{ field: 'label' }] } },
        { mark: { type: 'tick', color: '#e45756', thickness: 2 }, encoding: { x, y: { ...y, field: 'bound' } } },
      ],
    },
  };
}

/** A heat map of a matrix (rows x columns), e.g. neuron cosines against [mubar_+, mubar_-, mu_1..mu_K]. */
export function heatmapFigure(opts: {
  name: string;
  caption: string;
  matrix: ArrayLike<number>;
  rows: number;
  columns: string[];
  rowTitle: string;
  colorTitle: string;
  domain?: [number, number];
}): FigureSpec {
  const values: { r: number; c: string; v: number | null }[] = [];
  for (let i = 0; i < opts.rows; i++) for (let j = 0; j < opts.columns.length; j++) values.push({ r: i, c: opts.columns[j], v: num(opts.matrix[i * opts.columns.length + j]) });
  return {
    name: opts.name,
    caption: opts.caption,
    vegaLite: {
      width: Math.max(200, 22 * opts.columns.length),
      height: Math.min(600, Math.max(150, 12 * opts.rows)),
      data: { values },
      mark: 'rect',
      encoding: {
        x: { field: 'c', type: 'nominal', title: null, sort: opts.columns },
        y: { field: "r", type: "ordinal", title: opts.rowTitle, axis: { labels: opts.rows <= 50 } },
        color: { field: 'v', type: 'quantitative', title: opts.colorTitle, scale: { scheme: 'redblue', domain: opts.domain ?? [-1, 1], reverse: true } },
      },
    },
  };
}

/** Bars of values in the given order (e.g. neuron contributions sorted decreasingly). */
export function barsFigure(opts: { name: string; caption: string; values: ArrayLike<number>; xTitle: string; yTitle: string; logY?: boolean }): FigureSpec {
  // Array.from, not .map: a Float64Array's map would coerce the objects back to numbers (NaN).
  const values = Array.from(opts.values, (v, i) => ({ i, v: num(v) }));
  // On a log scale a bar cannot start at 0: start every bar at a floor below the smallest value.
  const positives = values.map((r) => r.v).filter((v): v is number => v !== null && v > 0);
  const floor = opts.logY && positives.length ? Math.min(...positives) / 2 : 0;
  if (opts.logY) for (const r of values) if (r.v !== null && r.v <= 0) r.v = null;
  return {
    name: opts.name,
    caption: opts.caption + (opts.logY ? ' (log scale)' : ''),
    vegaLite: {
      width: W, height: H / 1.5, data: { values }, mark: 'bar',
      encoding: {
        x: { field: 'i', type: 'ordinal', title: opts.xTitle, axis: { labels: values.length <= 40 } },
        y: { field: 'v', type: 'quantitative', title: opts.yTitle, scale: opts.logY ? { type: 'log' } : {} },
        ...(opts.logY ? { y2: { datum: floor } } : {}),
      },
    },
  };
}

/** Horizontal intervals per label (e.g. implied-constant intervals), with reference values. */
export function intervalsFigure(opts: {
  name: string;
  caption: string;
  rows: { label: string; lo: number; hi: number; point?: number }[];
  xTitle: string;
  references?: { x: number; label: string }[];
  logX?: boolean;
}): FigureSpec {
  const values = opts.rows.map((r) => ({ label: r.label, lo: num(r.lo), hi: num(r.hi), point: r.point === undefined ? null : num(r.point) }));
  const x = { type: 'quantitative', title: opts.xTitle, scale: opts.logX ? { type: 'log' } : { zero: false } };
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } };
  const layers: Record<string, unknown>[] = [
    { data: { values }, mark: { type: 'rule', strokeWidth: 3 }, encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
    { data: { values }, mark: { type: 'point', filled: true }, encoding: { y, x: { ...x, field: 'point' } } },
  ];
  if (opts.references?.length) {
    layers.push({ data: { values: opts.references }, mark: { type: 'rule', color: '#e45756', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' } } });
  }
  return { name: opts.name, caption: opts.caption, vegaLite: { width: W, height: Math.max(120, 18 * values.length), layer: layers } };
}
