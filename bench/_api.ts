import { apiBenchmark } from './api';
apiBenchmark().then(() => process.exit(0));
