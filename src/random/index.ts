export { Rng } from './rng.ts';
export {
  norm2,
  uniformSphere,
  randomOrthonormalFrame,
  canonicalFrame,
  shuffle,
  iidAssignment,
  balancedAssignment,
} from './sampling.ts';
