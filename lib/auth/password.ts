// Password hashing (bcrypt). Checks run on worker threads, at most PASSWORD_CHECK_CONCURRENCY at
// once, with at most PASSWORD_CHECK_QUEUE waiting (issue 21.3): bcryptjs is plain JavaScript and
// on the main thread a sign-in storm took every API call's latency with it. A check beyond the
// queue fails at once with UnavailableError (503), never waits without bound.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import { getConfig } from '../config';
import { UnavailableError } from '../errors';

/** bcrypt cost; tests lower it through BCRYPT_COST-free option to stay fast. */
const DEFAULT_COST = 12;

export function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

export const SIGN_IN_BUSY = 'sign_in_busy';

/** The worker: compares synchronously (its own thread), one job at a time. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcrypt);
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

interface Job {
  password: string;
  hash: string;
  resolve: (ok: boolean) => void;
  reject: (err: Error) => void;
}

class PasswordPool {
  private idle: Worker[] = [];
  private size = 0;
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  compare(password: string, hash: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const job = { password, hash, resolve, reject };
      const worker = this.idle.pop() ?? (this.size < this.concurrency ? this.spawn() : null);
      if (worker) return this.run(worker, job);
      if (this.queue.length >= this.queueLimit) {
        return reject(new UnavailableError('Too many sign-ins at once; try again in a moment', SIGN_IN_BUSY));
      }
      this.queue.push(job);
    });
  }

  private spawn(): Worker {
    // Resolved from the app's folder at run time (the bundler must not rewrite it).
    const bcryptPath = createRequire(path.join(process.cwd(), 'package.json')).resolve('bcryptjs');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt: bcryptPath } });
    worker.unref();
    this.size++;
    worker.once('error', () => {
      this.size--;
      this.idle = this.idle.filter((w) => w !== worker);
    });
    return worker;
  }

  private run(worker: Worker, job: Job) {
    const id = this.nextId++;
    const onMessage = (m: { id: number; ok: boolean }) => {
      if (m.id !== id) return;
      done();
      job.resolve(m.ok);
    };
    const onError = (err: Error) => {
      done(false);
      job.reject(err);
    };
    const done = (alive = true) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      // A dead worker is replaced by a new one for the next waiting job.
      const next = this.queue.shift();
      const free = alive ? worker : this.size < this.concurrency ? this.spawn() : null;
      if (!free) {
        if (next) this.queue.unshift(next);
        return;
      }
      if (next) this.run(free, next);
      else this.idle.push(free);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ id, password: job.password, hash: job.hash });
  }
}

const holder = globalThis as unknown as { __passwordPool?: PasswordPool };

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!holder.__passwordPool) {
    const config = getConfig();
    holder.__passwordPool = new PasswordPool(config.PASSWORD_CHECK_CONCURRENCY, config.PASSWORD_CHECK_QUEUE);
  }
  return holder.__passwordPool.compare(password, hash);
}
