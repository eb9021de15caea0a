export { integrate, controllerSettings, createStepper } from './integrate.ts';
export { Dopri5 } from './dopri5.ts';
export { CashKarp } from './cashKarp.ts';
export { GaussLegendre, DEFAULT_GAUSS, gaussOptions } from './gauss.ts';
export type { GaussOptions } from './gauss.ts';
export { DEFAULT_CONTROLLER, SOLVER_NAMES } from './types.ts';
export type {
  OdeTerm,
  ControllerSettings,
  ErrorNorm,
  Stepper,
  SolverName,
  StopReason,
  IntegrateOptions,
  IntegrateResult,
  SolverStats,
  AttemptOutcome,
} from './types.ts';
