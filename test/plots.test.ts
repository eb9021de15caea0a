import { describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { barsFigure, boundVsEstimateFigure, curvesFigure, heatmapFigure, intervalsFigure } from '../src/report/plots.ts';
import { renderFigure, PNG_WIDTH } from '../src/report/figures.ts';

describe('report figure builders render to valid SVG and PNG', () => {
  const figs = [
    curvesFigure({ name: 'c', caption: 'curves', xTitle: 'r', yTitle: 'acc', series: [{ name: 'a', points: [{ x: 0, y: 1 }, { x: 1, y: 0 }] }], rules: [{ x: 0.7071, label: 'sqrt(2)/2' }] }),
    boundVsEstimateFigure({ name: 'b', caption: 'bound', yTitle: 'P', logY: true, points: [{ label: 'p1', bound: 0.1, estimate: 0.01, lo: 0, hi: 0.02 }] }),
    heatmapFigure({ name: 'h', caption: 'heat', matrix: [1, 0, -1, 0.5], rows: 2, columns: ['a', 'b'], rowTitle: 'neuron', colorTitle: 'cos' }),
    barsFigure({ name: 'bars', caption: 'bars', values: [3, 2, 1], xTitle: 'rank', yTitle: 'c' }),
    intervalsFigure({ name: 'i', caption: 'int', xTitle: 'C', rows: [{ label: 'T1', lo: 1, hi: 3, point: 2 }], references: [{ x: 2, label: 'C=2' }] }),
  ];
  it('bars accept typed arrays (a Float64Array map would turn the data into NaN)', () => {
    const f = barsFigure({ name: 'b', caption: 'typed', values: Float64Array.from([3, 2, 1]), xTitle: 'rank', yTitle: 'c' });
    expect((f.vegaLite.data as { values: { v: number }[] }).values.map((r) => r.v)).toEqual([3, 2, 1]);
  });
  for (const f of figs) {
    it(f.caption, async () => {
      const r = await renderFigure(f);
      expect(XMLValidator.validate(r.svg)).toBe(true);
      expect(r.width).toBe(PNG_WIDTH);
      expect(r.png.length).toBeGreaterThan(1000);
      // Non-finite numbers never reach the spec (JSON would turn them into null silently).
      expect(JSON.stringify(f.vegaLite)).not.toMatch(/NaN|Infinity/);
    });
  }
});
