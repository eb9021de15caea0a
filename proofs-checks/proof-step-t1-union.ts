/** Proof step of PAPER.md s.6 (skeletons): T1 skeleton: exact failure <= union of two Gaussian tails <= 2 exp(-D/(2 alpha^2 K)) (C = 2); Var(a - b) = K alpha^2/D. Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { t1UnionStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-t1-union',
  title: 'Proof step: T1 skeleton',
  claim: 'T1 skeleton: exact failure <= union of two Gaussian tails <= 2 exp(-D/(2 alpha^2 K)) (C = 2); Var(a - b) = K alpha^2/D.',
  quickCases: 100,
  fullCases: 400,
  step: t1UnionStep,
});
