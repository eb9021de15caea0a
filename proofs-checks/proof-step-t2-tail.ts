/** Proof step of PAPER.md s.6 (skeletons): T2 skeleton: exact attacked-correct probability <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)) (C = 1/2). Logic in src/bounds/proofSteps.ts. */
import { proofStepCheck } from '../src/checks/simpleCheck.ts';
import { t2TailStep } from '../src/bounds/proofSteps.ts';

export const check = proofStepCheck({
  id: 'proof-step-t2-tail',
  title: 'Proof step: T2 skeleton',
  claim: 'T2 skeleton: exact attacked-correct probability <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)) (C = 1/2).',
  quickCases: 100,
  fullCases: 400,
  step: t2TailStep,
});
