/** PAPER.md s.4: at p = 2 G_2 is flat on a class's span and the flow selects nothing. */
import type { ProofCheck } from '../src/checks/types.ts';
import { p2Config, runP2Degenerate } from '../src/extremal/checksP2.ts';

export const check: ProofCheck = {
  id: 'alignment-p2-degenerate',
  title: 'p = 2 is degenerate: G_2 is flat on each class span and no direction is selected',
  statement:
    'For p = 2 on noise-free clusters G_2 is flat on the span of a class\'s centres (precisely: on the nonnegative ' +
    'orthant of its unit sphere), so the alignment flow selects nothing. Checked: max |G_2 - N| over random orthant ' +
    'points (tolerance 1e-12 N); the Riemannian Hessian at mubar_+ (mubar_-) has exactly K1 - 1 (K2 - 1) zero ' +
    'eigenvalues; the finder at p = 2 returns no attracting direction and no active end point is a strict extremum ' +
    '(each is degenerate or, where a flow stopped near one, a saddle); ' +
    'and, as a control that the test can see selection, p = 1.9 selects the class averages and p = 2.1 the centres.',
  source: '[derived] PAPER.md s.4',
  quickCostSeconds: 15,
  validateConfig: (config) => void p2Config({ seed: 0, quick: false, config, progress: () => undefined }),
  async run(ctx) {
    return runP2Degenerate(ctx);
  },
};
