// A real sentinel-server for one test: fresh temp data dir with SQLite, free ports, known admin
// password, the portal from `webRoot`. Mirrors tests/support/server_process.cpp.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ApiClient } from './api.mjs';
import { artifactPath, binaryPath } from './env.mjs';
import { LoggedProcess, childEnvironment, waitFor } from './process.mjs';

/** The admin password every e2e server starts with (passes the server's password policy). */
export const ADMIN_PASSWORD = 'E2e-Portal-Root-7391';

let started = 0;

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (the agent channel needs a fixed one; the
 * HTTPS listener uses port 0 and reports its port in DATA_DIR/server.url).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} TestServer
 * @property {string} url "https://127.0.0.1:PORT"
 * @property {string} channelAddress "127.0.0.1:PORT" of the agent channel
 * @property {string} dataDir
 * @property {string} caFile the self-signed certificate the server made, to verify it with
 * @property {string} adminPassword
 * @property {string} logFile the server's stdout and stderr
 * @property {() => string} log what the server logged so far
 * @property {() => ApiClient} api a new client that verifies the server's certificate
 * @property {() => Promise<ApiClient>} adminApi a client with a new API token of the admin's (a
 *   day long), for what a test sets up or checks behind the browser's back
 * @property {() => Promise<void>} stop SIGTERM, wait for the exit, remove the data dir
 */

/**
 * Starts sentinel-server and resolves once `/readyz` answers 200.
 * @param {{webRoot?: string, name?: string, args?: string[], env?: Record<string, string>}}
 *   [options]
 *   webRoot: the built portal (omitted: no portal); name: log file name (artifacts/logs/NAME.log);
 *   args: extra flags; env: extra environment (SENTINEL_* config variables, say)
 * @returns {Promise<TestServer>}
 */
export async function startServer({ webRoot, name, args = [], env = {} } = {}) {
  const executable = binaryPath('sentinel-server');
  const root = mkdtempSync(path.join(os.tmpdir(), 'sentinel-e2e-'));
  const dataDir = path.join(root, 'data');
  const channelAddress = `127.0.0.1:${await freePort()}`;
  started += 1;
  const logFile = artifactPath('logs', `${name ?? `server-${process.pid}-${started}`}.log`);
  rmSync(logFile, { force: true });

  const argv = [
    executable,
    '--data-dir', dataDir,
    '--listen', '127.0.0.1:0',
    '--db', `sqlite:${dataDir}/sentinel.db`,
    '--set', `agents.listen=${channelAddress}`,
  ];
  if (webRoot) argv.push('--web-root', webRoot);
  argv.push(...args);
  const server = new LoggedProcess(argv, {
    env: childEnvironment({ SENTINEL_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env }),
    logFile,
  });

  const failed = (why) =>
    new Error(`sentinel-server ${why}; its log (${logFile}):\n${server.log().slice(-4000)}`);
  const urlFile = path.join(dataDir, 'server.url');
  const caFile = path.join(dataDir, 'tls', 'server.crt');
  let url;
  try {
    // The server writes server.url once it listens; a start can take a while on a loaded machine.
    url = await waitFor(
      () => {
        if (!server.running()) throw failed('exited during start');
        return existsSync(urlFile) && readFileSync(urlFile, 'utf8').trim();
      },
      { timeoutMs: 30_000, what: `${urlFile}` },
    );
    const client = new ApiClient(url, { ca: readFileSync(caFile) });
    let answer = 'no answer yet';
    await waitFor(
      async () => {
        if (!server.running()) throw failed('exited during start');
        const ready = await client
          .get('/readyz')
          .catch((error) => ({ status: 0, body: error.message }));
        answer = `${ready.status} ${JSON.stringify(ready.body)}`;
        return ready.status === 200;
      },
      {
        timeoutMs: 30_000,
        what: () => `${url}/readyz to answer 200 (last answer: ${answer})`,
      },
    );
  } catch (error) {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    if (error.message.startsWith('sentinel-server')) throw error;
    throw failed(`did not get ready: ${error.message}`);
  }

  return {
    url,
    channelAddress,
    dataDir,
    caFile,
    adminPassword: ADMIN_PASSWORD,
    logFile,
    log: () => server.log(),
    api: () => new ApiClient(url, { ca: readFileSync(caFile) }),
    async adminApi() {
      const session = new ApiClient(url, { ca: readFileSync(caFile) });
      await session.login('admin', ADMIN_PASSWORD);
      const created = await session.post('/api/v1/tokens', { name: 'e2e', expires_in_days: 1 });
      if (created.status >= 300) throw failed(`no admin token: ${JSON.stringify(created.body)}`);
      return new ApiClient(url, { ca: readFileSync(caFile), token: created.body.token });
    },
    async stop() {
      const { code, signal, killed } = await server.stop();
      rmSync(root, { recursive: true, force: true });
      if (killed) throw failed('ignored SIGTERM for 20 s and was killed');
      if (code !== 0) throw failed(`exited with ${code ?? signal} on SIGTERM`);
    },
  };
}
