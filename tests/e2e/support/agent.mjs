// Runs an agent the way a user would: the command line the portal shows, in a shell, with the
// build's binaries first on PATH. Mirrors tests/support/agent_process.cpp.

import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { artifactPath, binDir, binaryPath } from './env.mjs';
import { LoggedProcess, childEnvironment, waitFor } from './process.mjs';

/**
 * Fast inventory so that tests see packages within seconds (the default is 300 s); process events
 * off, since every exec on a busy CI machine would otherwise stream to the portal in every test.
 */
export const TEST_AGENT_CONFIG = 'inventory:\n  interval_s: 5\nprocess:\n  enabled: false\n';

let started = 0;

/**
 * Points a copied command at the test's data dir: replaces the value of `--data-dir` (the
 * portal's suggestion is a system path such as /var/lib/sentinel-agent) or appends the flag, and
 * drops a leading `sudo` (the tests run as the user who owns the temp dir). Throws for anything
 * but one command (`;`, `&&`, pipes...).
 * @param {string} commandLine
 * @param {string} dataDir
 * @returns {string}
 */
export function withDataDir(commandLine, dataDir) {
  const command = commandLine
    .replace(/\\\n/g, ' ') // line continuations, as a long command may be shown
    .trim()
    .replace(/^sudo\s+/, '');
  // The command runs with `exec` so that stop() signals the agent itself, not a shell around it.
  if (/[;&|<>`\n]|\$\(/.test(command)) {
    throw new Error(`startAgent runs a single command, not a shell script: ${command}`);
  }
  const flag = /--data-dir(?:=|\s+)(?:'[^']*'|"[^"]*"|\S+)/;
  const replacement = `--data-dir '${dataDir}'`;
  if (!flag.test(command)) return `${command} ${replacement}`;
  return command.replace(flag, () => replacement);
}

/**
 * @typedef {object} TestAgent
 * @property {string} dataDir
 * @property {string} logFile
 * @property {() => string} log everything the agent wrote so far
 * @property {(text: string, timeoutMs?: number) => Promise<void>} waitForLog
 * @property {() => object|null} status DATA_DIR/status.json (agent_id, spool); null before
 *   enrolment
 * @property {(timeoutMs?: number) => Promise<string>} waitForAgentId the id once it has enrolled
 * @property {() => boolean} running
 * @property {() => Promise<{code: number|null, signal: string|null}>} stop SIGTERM, wait, remove
 *   the data dir
 */

/**
 * Starts `commandLine` in `sh -c` and returns at once.
 * Example: "sentinel-agent --server https://127.0.0.1:PORT --enroll-token se1...".
 * @param {string} commandLine as shown by the portal
 * @param {{name?: string, config?: string, extraArgs?: string}} [options]
 *   name: log file name (artifacts/logs/NAME.log); config: agent.yaml written before the start
 *   (TEST_AGENT_CONFIG by default; enrolment keeps it); extraArgs: appended to the command
 * @returns {TestAgent}
 */
export function startAgent(
  commandLine,
  { name, config = TEST_AGENT_CONFIG, extraArgs = '--log-level debug' } = {},
) {
  binaryPath('sentinel-agent'); // a clear message when it is not built
  const root = mkdtempSync(path.join(os.tmpdir(), 'sentinel-e2e-agent-'));
  const dataDir = path.join(root, 'data');
  // The agent refuses a data dir or config that others can read.
  mkdirSync(dataDir, { mode: 0o700 });
  if (config) {
    writeFileSync(path.join(dataDir, 'agent.yaml'), config, { mode: 0o600 });
    chmodSync(path.join(dataDir, 'agent.yaml'), 0o600);
  }
  started += 1;
  const logFile = artifactPath('logs', `${name ?? `agent-${process.pid}-${started}`}.log`);
  rmSync(logFile, { force: true });
  const command = `${withDataDir(commandLine, dataDir)} ${extraArgs}`.trim();
  // The log shows the command as run, less the token: secrets stay out of logs, even a test's.
  const shown = command.replace(/(--enroll-token(?:=|\s+))\S+/, '$1<redacted>');
  writeFileSync(logFile, `$ ${shown}\n`);
  const agent = new LoggedProcess(['/bin/sh', '-c', `exec ${command}`], {
    env: childEnvironment({ PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` }),
    logFile,
  });

  const statusFile = path.join(dataDir, 'status.json');
  const status = () =>
    existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')) : null;
  return {
    dataDir,
    logFile,
    log: () => agent.log(),
    running: () => agent.running(),
    status,
    async waitForLog(text, timeoutMs = 30_000) {
      try {
        await waitFor(() => agent.log().includes(text), {
          timeoutMs,
          what: `'${text}' in the agent log`,
        });
      } catch (error) {
        throw new Error(`${error.message}; agent log (${logFile}):\n${agent.log().slice(-4000)}`);
      }
    },
    async waitForAgentId(timeoutMs = 30_000) {
      try {
        return await waitFor(
          () => {
            if (!agent.running()) throw new Error('the agent exited');
            return status()?.agent_id;
          },
          { timeoutMs, what: 'the agent to enrol and write its status' },
        );
      } catch (error) {
        throw new Error(`${error.message}; agent log (${logFile}):\n${agent.log().slice(-4000)}`);
      }
    },
    async stop() {
      const { code, signal } = await agent.stop();
      rmSync(root, { recursive: true, force: true });
      return { code, signal };
    },
  };
}
