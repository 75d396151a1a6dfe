// Child processes of a test (server, agent): output to a log file, SIGTERM-then-wait on stop, and
// no orphans when the test process ends early.

import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

/** Children still running; killed when the test process exits so no server outlives its test. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A started child process whose stdout and stderr go to `logFile`.
 * Not thread-safe in any sense that matters here: one test drives it.
 */
export class LoggedProcess {
  /**
   * @param {string[]} argv program and arguments
   * @param {{env: NodeJS.ProcessEnv, logFile: string, cwd?: string}} options
   */
  constructor(argv, { env, logFile, cwd }) {
    /** @type {string} */
    this.logFile = logFile;
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
    running.add(this.child);
    /** Resolves with {code, signal} when the child has exited. */
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal });
      });
      this.child.once('error', (error) => {
        running.delete(this.child);
        resolve({ code: null, signal: null, error });
      });
    });
  }

  /** @returns {boolean} whether the child has not exited yet */
  running() {
    const { exitCode, signalCode } = this.child;
    return exitCode === null && signalCode === null && running.has(this.child);
  }

  /** @returns {string} everything the child wrote so far */
  log() {
    return readFileSync(this.logFile, 'utf8');
  }

  /**
   * SIGTERM, then SIGKILL if the child has not exited after `timeoutMs`.
   * @param {number} [timeoutMs]
   * @returns {Promise<{code: number|null, signal: string|null, killed: boolean}>}
   *   killed is true when SIGTERM was not enough
   */
  async stop(timeoutMs = 20_000) {
    if (!this.running()) return { ...(await this.exited), killed: false };
    this.child.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return { ...first, killed: false };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }
}

/**
 * The environment for a child: ours without SENTINEL_* variables (the server reads every one of
 * them as config, so a developer's shell must not leak into a test), plus `extra`.
 * @param {Record<string, string>} extra
 * @returns {NodeJS.ProcessEnv}
 */
export function childEnvironment(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SENTINEL_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Polls `probe` until it returns a truthy value or `timeoutMs` passes. An exception from the
 * probe ends the wait at once: probes throw for what will not get better (the process died).
 * @template T
 * @param {() => Promise<T> | T} probe
 * @param {{timeoutMs: number, intervalMs?: number, what: string | (() => string)}} options
 *   what: for the timeout message; a function is asked only then
 * @returns {Promise<T>}
 */
export async function waitFor(probe, { timeoutMs, intervalMs = 50, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const description = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
