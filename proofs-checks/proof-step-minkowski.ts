/** Proof step of PAPER.md s.6 (skeletons): Minkowski: ||u + v||_p <= ||u||_p + ||v||_p for p >= 1 (equality for parallel u, v). Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { minkowskiStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-minkowski',
  title: 'Proof step: Minkowski',
  claim: 'Minkowski: ||u + v||_p <= ||u||_p + ||v||_p for p >= 1 (equality for parallel u, v).',
  quickCases: 2000,
  fullCases: 20000,
  step: minkowskiStep,
});
