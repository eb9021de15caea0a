/** index.md: the verdict table, then one section per check with its tables and figures. */
import type { Summary } from './summary.ts';
import type { CheckRecord } from '../checks/runner.ts';
import type { EvidenceTable } from '../checks/types.ts';

const ICON: Record<string, string> = { holds: 'holds', violated: '**VIOLATED**', inconclusive: 'inconclusive', error: '**ERROR**' };

export function formatCell(v: number | string | null): string {
  if (v === null) return '';
  if (typeof v === 'string') return v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : Number(v.toPrecision(5)).toString();
}

export function markdownTable(t: EvidenceTable): string {
  const head = `| ${t.columns.map(formatCell).join(' | ')} |`;
  const rule = `|${t.columns.map(() => '---').join('|')}|`;
  const rows = t.rows.map((r) => `| ${r.map(formatCell).join(' | ')} |`);
  return [`**${t.title}**`, '', head, rule, ...rows].join('\n');
}

const oneLine = (s: string, max = 140): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
};

function section(r: CheckRecord, figureFiles: Map<string, string[]>): string {
  const parts = [
    `<a id="${r.id}"></a>`,
    '',
    `## ${r.id}: ${r.title}`,
    '',
    `- Statement: ${r.statement}`,
    `- Source: ${r.source}`,
    `- Verdict: ${ICON[r.verdict] ?? r.verdict}`,
    `- Key figure: ${r.keyFigure}`,
    `- Seed: ${r.seed}; config: \`${JSON.stringify(r.config)}\``,
    '',
  ];
  for (const t of r.tables ?? []) parts.push(markdownTable(t), '');
  for (const f of r.figures ?? []) {
    const files = figureFiles.get(`${r.id}/${f.name}`);
    if (files) parts.push(`![${f.caption}](${files[0]})`, '', `*${f.caption}* ([SVG](${files[0]}), [PNG](${files[1]}))`, '');
  }
  const ev = JSON.stringify(r.evidence, null, 1);
  parts.push('<details><summary>Evidence (JSON)</summary>', '', '```json', ev.length > 20000 ? ev.slice(0, 20000) + '\n… (truncated; full evidence in summary.json)' : ev, '```', '', '</details>', '');
  return parts.join('\n');
}

export function renderIndex(s: Summary, figureFiles: Map<string, string[]>): string {
  const lines = [
    '# prelu-verify report',
    '',
    `Checks of Min & Vidal, "Can Implicit Bias Imply Adversarial Robustness?" (ICML 2024) and its neighbours, by computation.`,
    '',
    `- Toolkit: ${s.toolkit.name} ${s.toolkit.version}${s.toolkit.gitCommit ? ` (commit ${s.toolkit.gitCommit.slice(0, 12)})` : ''}; Node ${s.node}${s.numerics ? `; kernels ${s.numerics.kernels}${s.numerics.fusedMultiplyAdd ? ' (FMA)' : ''}` : ''}`,
    `- Seed: ${s.seed}; mode: ${s.quick ? 'quick' : 'full'}${s.shard ? `; shard ${s.shard.index}/${s.shard.count}` : ''}`,
    `- Verdicts: ${Object.entries(s.verdicts).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ')}`,
    `- Started ${s.timing.started}, took ${(s.timing.durationMs / 1000).toFixed(1)} s`,
    '',
    '| id | statement | verdict | key figure |',
    '|---|---|---|---|',
    ...s.checks.map((r) => `| [${r.id}](#${r.id}) | ${formatCell(oneLine(r.statement))} | ${ICON[r.verdict] ?? r.verdict} | ${formatCell(oneLine(r.keyFigure, 160))} |`),
    '',
    'A verdict of "holds" means a computation that could have refuted the claim did not; "inconclusive" means the',
    'evidence did not decide at the budget used (see the check\'s evidence); "violated" comes with the parameter point',
    'and the numbers. Monte-Carlo figures carry their sample counts and exact (Clopper-Pearson) intervals.',
    '',
  ];
  for (const r of s.checks) lines.push(section(r, figureFiles));
  return lines.join('\n');
}
