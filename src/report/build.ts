/** Assemble every file of a report directory from a summary (pure apart from rendering). */
import type { Summary } from './summary.ts';
import { serialiseSummary } from './summary.ts';
import { renderFigure, sanitiseName } from './figures.ts';
import { renderIndex } from './markdown.ts';

export async function buildReportFiles(summary: Summary): Promise<Map<string, string | Uint8Array>> {
  const files = new Map<string, string | Uint8Array>();
  const figureFiles = new Map<string, string[]>();
  for (const r of summary.checks) {
    for (const f of r.figures ?? []) {
      const rendered = await renderFigure(f);
      const base = `figures/${sanitiseName(r.id)}--${rendered.name}`;
      files.set(`${base}.svg`, rendered.svg);
      files.set(`${base}.png`, rendered.png);
      figureFiles.set(`${r.id}/${f.name}`, [`${base}.svg`, `${base}.png`]);
    }
  }
  files.set('summary.json', serialiseSummary(summary));
  files.set('index.md', renderIndex(summary, figureFiles));
  return files;
}
