/**
 * Rendering of report figures: Vega-Lite spec -> SVG (vega's headless renderer) -> PNG (resvg).
 * Both libraries are pure npm packages with no browser or canvas, so this works on a fresh machine.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { FigureSpec } from '../checks/types.ts';

export interface RenderedFigure {
  name: string;
  caption: string;
  svg: string;
  png: Buffer;
  width: number;
  height: number;
}

/** Default width of PNGs in pixels; the height follows the SVG's aspect ratio. */
export const PNG_WIDTH = 900;

export function sanitiseName(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'figure';
}

export async function renderFigure(fig: FigureSpec): Promise<RenderedFigure> {
  const spec = { background: 'white', ...fig.vegaLite } as unknown as TopLevelSpec;
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const rendered = new Resvg(svg, { fitTo: { mode: 'width', value: PNG_WIDTH }, font: { loadSystemFonts: true } }).render();
  return { name: sanitiseName(fig.name), caption: fig.caption, svg, png: rendered.asPng(), width: rendered.width, height: rendered.height };
}
