// Bootstrap for GradientPool's workers: register tsx's loader in this thread (execArgv
// ['--import', 'tsx'] was not honoured by Node 20's Worker), then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./gradientPoolWorker.ts');
