/** Proof step of PAPER.md s.6 (skeletons): Gaussian tail: P(N(0, s^2) > t) <= exp(-t^2/(2 s^2)) for t >= 0. Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { gaussianTailStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-gaussian-tail',
  title: 'Proof step: Gaussian tail',
  claim: 'Gaussian tail: P(N(0, s^2) > t) <= exp(-t^2/(2 s^2)) for t >= 0.',
  quickCases: 400,
  fullCases: 2000,
  step: gaussianTailStep,
});
