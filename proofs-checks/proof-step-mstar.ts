/** Proof step of PAPER.md s.6 (skeletons): M*(delta) = min_{||d|| <= 1} [1 + r<d, mu_k> - ||(r<d, mu_l>)_l||_p] = delta/sqrt2 with r = (sqrt2 - delta)/2. Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { mStarStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-mstar',
  title: 'Proof step: mstar',
  claim: 'M*(delta) = min_{||d|| <= 1} [1 + r<d, mu_k> - ||(r<d, mu_l>)_l||_p] = delta/sqrt2 with r = (sqrt2 - delta)/2.',
  quickCases: 200,
  fullCases: 2000,
  step: mStarStep,
});
