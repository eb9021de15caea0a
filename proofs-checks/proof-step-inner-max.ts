/** Proof step of PAPER.md s.6 (skeletons): max over a^2 + ||b||_2^2 <= 1 of a + ||b||_p equals sqrt2 for p >= 2. Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { innerMaxStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-inner-max',
  title: 'Proof step: inner-max',
  claim: 'max over a^2 + ||b||_2^2 <= 1 of a + ||b||_p equals sqrt2 for p >= 2.',
  quickCases: 20000,
  fullCases: 200000,
  step: innerMaxStep,
});
