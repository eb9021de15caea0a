// Worker-thread bootstrap: workers started on a .ts entry cannot use `execArgv: ['--import', 'tsx']`
// on Node 20 (the entry is resolved before the hook is installed), so every worker starts here,
// registers tsx's loader, then imports the real entry named in workerData.__entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
