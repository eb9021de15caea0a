/** Proof step of PAPER.md s.6 (skeletons): ||b||_p <= ||b||_2 for p >= 2 (equality on 1-sparse b; false for p < 2). Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { lpL2Step } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-lp-le-l2',
  title: 'Proof step: lp-le-l2',
  claim: '||b||_p <= ||b||_2 for p >= 2 (equality on 1-sparse b; false for p < 2).',
  quickCases: 2000,
  fullCases: 20000,
  step: lpL2Step,
});
