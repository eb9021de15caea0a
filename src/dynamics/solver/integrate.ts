/**
 * One driver for every stepper: walks from t0 to t1, delivers save points (by dense output when the
 * stepper has it, by stopping exactly at them otherwise), checks a stop condition after every
 * accepted step and always returns a result saying why it stopped. It cannot hang: attempts are
 * bounded by maxSteps, wall time by wallTimeMs, and the step floor turns collapse into
 * 'step-underflow' (PAPER.md section 9).
 */
import { ConfigError, requireInt, requireReal } from '../../validate.ts';
import { CashKarp } from './cashKarp.ts';
import { Dopri5 } from './dopri5.ts';
import { GaussLegendre, gaussOptions } from './gauss.ts';
import type { GaussOptions } from './gauss.ts';
import { DEFAULT_CONTROLLER } from './types.ts';
import type { ControllerSettings, IntegrateOptions, IntegrateResult, OdeTerm, SolverName, Stepper, StopReason } from './types.ts';

/** Fill in and validate controller settings (every field named in errors). */
export function controllerSettings(partial: Partial<ControllerSettings> = {}, dim?: number): ControllerSettings {
  const c: ControllerSettings = { ...DEFAULT_CONTROLLER, ...partial };
  requireReal('controller.rtol', c.rtol, { min: 1e-14, max: 1 });
  // atol > 0: with atol = 0 a component at exactly 0 would make the error test 0/0.
  if (typeof c.atol === 'number') requireReal('controller.atol', c.atol, { min: 0, minExclusive: true });
  else {
    if (dim !== undefined && c.atol.length !== dim) throw new ConfigError('controller.atol', `length ${c.atol.length}`, `a number or ${dim} values`);
    for (let i = 0; i < c.atol.length; i++) requireReal(`controller.atol[${i}]`, c.atol[i], { min: 0, minExclusive: true });
  }
  if (c.norm !== 'rms' && c.norm !== 'max') throw new ConfigError('controller.norm', c.norm, '"rms" or "max"');
  requireReal('controller.dtMin', c.dtMin, { min: 0, minExclusive: true });
  if (!(c.dtMax > c.dtMin)) throw new ConfigError('controller.dtMax', c.dtMax, `a number > dtMin (${c.dtMin}), or Infinity`);
  requireReal('controller.dt0', c.dt0, { min: 0 });
  requireReal('controller.safety', c.safety, { min: 0.1, max: 1 });
  requireReal('controller.minFactor', c.minFactor, { min: 0.01, max: 1, maxExclusive: true });
  requireReal('controller.maxFactor', c.maxFactor, { min: 1, max: 100, minExclusive: true });
  requireReal('controller.beta1', c.beta1, { min: 0, max: 1 });
  requireReal('controller.beta2', c.beta2, { min: 0, max: 1 });
  return c;
}

export function createStepper(solver: SolverName, term: OdeTerm, t0: number, y0: Float64Array, c: ControllerSettings, gauss: Partial<GaussOptions> = {}): Stepper {
  if (solver === 'dopri5') return new Dopri5(term, t0, y0, c);
  if (solver === 'gauss') return new GaussLegendre(term, t0, y0, c, gauss);
  if (solver === 'cash-karp') {
    if (c.norm !== 'max') throw new ConfigError('controller.norm', c.norm, '"max" for cash-karp (the package reduces errors with max)');
    return new CashKarp(term, t0, y0, c);
  }
  throw new ConfigError('solver', solver, '"dopri5", "cash-karp" or "gauss"');
}

function allFinite(y: Float64Array): boolean {
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) return false;
  return true;
}

export function integrate(opts: IntegrateOptions): IntegrateResult {
  const { term, t0, t1, y0 } = opts;
  requireReal('t0', t0);
  requireReal('t1', t1, { min: t0 });
  if (y0.length !== term.dim) throw new ConfigError('y0', `length ${y0.length}`, `length term.dim = ${term.dim}`);
  const maxSteps = requireInt('maxSteps', opts.maxSteps ?? 1_000_000, 1);
  const wallTimeMs = opts.wallTimeMs === undefined ? Infinity : requireReal('wallTimeMs', opts.wallTimeMs, { min: 0 });
  const c = controllerSettings({ ...(opts.solver === 'cash-karp' ? { norm: 'max' as const } : {}), ...opts.controller }, term.dim);
  const gauss = opts.gauss === undefined ? undefined : gaussOptions(opts.gauss);
  const saveAt = Array.from(opts.saveAt ?? []);
  for (let i = 0; i < saveAt.length; i++) {
    requireReal(`saveAt[${i}]`, saveAt[i], { min: i === 0 ? t0 : saveAt[i - 1], max: t1 });
  }
  const start = performance.now();
  let saved = 0;
  let nextSave = 0;
  const buf = new Float64Array(term.dim);

  const finish = (stepper: Stepper | null, reason: StopReason, t: number, y: Float64Array): IntegrateResult => ({
    reason,
    solver: opts.solver,
    t,
    y: Float64Array.from(y),
    saved,
    steps: stepper?.accepted ?? 0,
    rejected: stepper?.rejected ?? 0,
    evaluations: stepper?.evaluations ?? 0,
    dt: stepper?.dt ?? 0,
    wallMs: performance.now() - start,
    ...(stepper?.diagnostics ? { diagnostics: stepper.diagnostics() } : {}),
  });

  // Save points at t0 need no step.
  while (nextSave < saveAt.length && saveAt[nextSave] === t0) {
    opts.onSave?.(t0, y0);
    saved++;
    nextSave++;
  }
  if (!allFinite(y0)) return finish(null, 'non-finite', t0, y0);
  if (opts.stopWhen?.(t0, y0)) return finish(null, 'stop-condition', t0, y0);
  if (t1 === t0) return finish(null, 'final-time', t0, y0);

  const stepper = createStepper(opts.solver, term, t0, y0, c, gauss);
  if (stepper.derivativeFinite?.() === false) return finish(stepper, 'non-finite', t0, y0);

  while (true) {
    if (stepper.accepted + stepper.rejected >= maxSteps) return finish(stepper, 'max-steps', stepper.t, stepper.y);
    if (performance.now() - start > wallTimeMs) return finish(stepper, 'wall-time', stepper.t, stepper.y);
    const target = !stepper.hasDenseOutput && nextSave < saveAt.length ? saveAt[nextSave] : t1;
    const out = stepper.attempt(target);
    if (out === 'rejected') continue;
    if (out === 'non-finite') return finish(stepper, 'non-finite', stepper.t, stepper.y);
    if (out === 'underflow') return finish(stepper, 'step-underflow', stepper.t, stepper.y);
    // An accepted step ('floor': Cash-Karp accepted a step at the floor without passing its test).
    const t = stepper.t;
    // Cash-Karp lands on a target only up to rounding (t + (target - t)) and stops "at" it within
    // 1e-10 dt, so a non-dense stepper counts a target within `slack` as reached.
    const slack = stepper.hasDenseOutput ? 0 : 1e-9 * Math.max(Math.abs(t), stepper.dt);
    while (nextSave < saveAt.length && saveAt[nextSave] <= t + slack) {
      const ts = saveAt[nextSave];
      if (ts === t || !stepper.hasDenseOutput) opts.onSave?.(ts, stepper.y);
      else {
        stepper.interpolate(ts, buf);
        opts.onSave?.(ts, buf);
      }
      saved++;
      nextSave++;
    }
    if (!allFinite(stepper.y)) return finish(stepper, 'non-finite', t, stepper.y);
    opts.onStep?.(t, { steps: stepper.accepted, rejected: stepper.rejected, evaluations: stepper.evaluations });
    if (out === 'floor') return finish(stepper, 'step-underflow', t, stepper.y);
    if (opts.stopWhen?.(t, stepper.y)) return finish(stepper, 'stop-condition', t, stepper.y);
    if (t >= t1 - slack) return finish(stepper, 'final-time', t, stepper.y);
  }
}
