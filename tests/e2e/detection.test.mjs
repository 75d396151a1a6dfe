// The detection pages end to end (ADR 0004): a real server with a rules directory that holds a
// broken rule file, a real agent following an auth log, SSH login failures appended to that log
// (as sshd would write them) until the built-in brute-force rule raises an alert, and Debian's
// Chromium. One server for the file; the tests run in order and build on each other.

import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { TEST_AGENT_CONFIG, startAgent } from './support/agent.mjs';
/** @typedef {import('./support/api.mjs').ApiClient} ApiClient */
import {
  assertNoConsoleErrors,
  assertNotReloaded,
  launchBrowser,
  markDocument,
  newPage,
  screenshot,
  signIn,
} from './support/browser.mjs';
import { webRoot } from './support/env.mjs';
import { waitFor } from './support/process.mjs';
import { startServer } from './support/server.mjs';

const LIVE_TIMEOUT = 30_000;
const BRUTE_FORCE = 'SSH brute force from one address';
/** Documentation addresses (RFC 5737): never routed, so nothing is ever sent to them. */
const ATTACKER = '203.0.113.9';
const SECOND_ATTACKER = '198.51.100.7';

/** Chromium logs every 4xx answer as a console error; this is the one sign-in provokes. */
const SIGN_IN_PROBE = /status of 401 .*\/api\/v1\/auth\/(me|login)\b/;

/** A rule file the loader must refuse with a line and a column: an unknown modifier. */
const BROKEN_RULE = `title: Broken on purpose
id: 6f0b7e0e-5d7c-4d0c-9a53-e2e000000001
status: experimental
logsource:
  product: linux
  service: sshd
detection:
  selection:
    message|nonsense: Failed password
  condition: selection
level: medium
`;
const FIXED_RULE = BROKEN_RULE.replace('message|nonsense', 'message|contains');

describe('detection pages', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {ApiClient} an API token of the admin, for setting the scene behind the browser's back */
  let admin;
  /** @type {import('playwright-core').Page} the admin's page, kept across tests */
  let page;
  /** @type {import('./support/agent.mjs').TestAgent} */
  let agent;
  let agentId = '';
  let scratch = '';
  let rulesDir = '';
  let authLog = '';
  let alertId = 0;
  let port = 40000;

  before(async () => {
    // The agent's watcher drops to `nobody`; it reads with CAP_DAC_READ_SEARCH, but a plain
    // readable path keeps the test independent of that.
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sentinel-e2e-detection-'));
    chmodSync(scratch, 0o755);
    rulesDir = path.join(scratch, 'rules');
    authLog = path.join(scratch, 'auth.log');
    mkdirSync(rulesDir, { mode: 0o755 });
    writeFileSync(path.join(rulesDir, 'broken.yml'), BROKEN_RULE, { mode: 0o644 });
    writeFileSync(authLog, '', { mode: 0o644 });

    browser = await launchBrowser();
    server = await startServer({
      webRoot,
      name: 'detection-server',
      args: ['--set', `detection.rules_dirs=${rulesDir}`],
    });
    admin = await server.adminApi();

    const enrol = await admin.post('/api/v1/agents/enroll-tokens', {});
    assert.ok(enrol.status < 300, JSON.stringify(enrol.body));
    agent = startAgent(enrol.body.command, {
      name: 'detection-agent',
      config: `${TEST_AGENT_CONFIG}logs:\n  files: ['${authLog}']\n`,
    });
    agentId = await agent.waitForAgentId();

    page = await newPage(browser, { width: 1440 });
    await signIn(page, server.url, 'admin', server.adminPassword);
  });

  after(async () => {
    await agent?.stop().catch(() => {});
    try {
      await browser?.close();
    } finally {
      await server?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  });



  /** The alerts whose entity names `ip`, in any status. */
  async function alertsFor(ip) {
    const answer = await admin.get(
      `/api/v1/alerts?status=new,acknowledged,resolved,false_positive&q=${encodeURIComponent(ip)}`,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.items.filter((alert) => alert.entity.includes(ip));
  }

  /**
   * Raises an SSH brute-force alert for `ip` the way an attack would: six failed logins at a time
   * appended to the log the agent follows, sshd's own wording, until the server has the alert.
   * The agent follows the file from its end, so lines written before its watcher started are not
   * read; writing again until the alert shows covers that start-up without a fixed sleep.
   * @param {string} ip
   * @returns {Promise<object>} the alert as GET /api/v1/alerts lists it
   */
  async function seedAlerts(ip) {
    const deadline = Date.now() + 2 * LIVE_TIMEOUT;
    while (Date.now() < deadline) {
      const lines = [];
      for (let i = 0; i < 6; i += 1) {
        port += 1;
        const time = new Date().toISOString();
        const message = `Failed password for root from ${ip} port ${port} ssh2`;
        lines.push(`${time} ${os.hostname()} sshd[${4100 + i}]: ${message}`);
      }
      appendFileSync(authLog, `${lines.join('\n')}\n`);
      const alert = await waitFor(async () => (await alertsFor(ip))[0], {
        timeoutMs: 5000,
        intervalMs: 250,
        what: `an alert for ${ip}`,
      }).catch(() => null);
      if (alert) return alert;
    }
    throw new Error(
      `no alert for ${ip} after appending failed logins to ${authLog}; agent log:\n` +
        `${agent.log().slice(-3000)}\nserver log:\n${server.log().slice(-3000)}`,
    );
  }

  const alertRow = (target, text) =>
    target.getByRole('table', { name: 'Alerts' }).getByRole('row').filter({ hasText: text });

  test('the alert list shows a brute force, filters it, and a new alert arrives live', async () => {
    const seeded = await seedAlerts(ATTACKER);
    assert.equal(seeded.rule_title, BRUTE_FORCE);
    assert.equal(seeded.severity, 'high');
    alertId = seeded.id;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const row = alertRow(page, ATTACKER);
    await row.first().waitFor();
    assert.match(await row.first().innerText(), /High/);
    assert.match(await row.first().innerText(), new RegExp(BRUTE_FORCE));
    assert.match(await row.first().innerText(), new RegExp(os.hostname()));
    const counts = page.locator('[aria-label="Open alerts by severity"]');
    await waitFor(async () => /High\s*1\b/.test(await counts.innerText()), {
      timeoutMs: LIVE_TIMEOUT,
      what: 'one open high alert in the counts',
    });

    // Minimum severity: critical hides the high alert; the filter is kept in the URL.
    await page.getByLabel('Minimum severity').selectOption('critical');
    await page.getByText('No alerts match these filters').waitFor();
    assert.match(page.url(), /[?&]severity=critical\b/);
    await page.reload();
    await page.getByText('No alerts match these filters').waitFor();
    assert.equal(await page.getByLabel('Minimum severity').inputValue(), 'critical', 'kept after a reload');
    await page.getByLabel('Minimum severity').selectOption('');
    await row.first().waitFor();

    // Free text matches title, summary or entity.
    await page.getByLabel('Search').fill('no-such-alert-text');
    await page.getByText('No alerts match these filters').waitFor();
    await page.getByLabel('Search').fill(ATTACKER);
    await row.first().waitFor();
    await page.getByRole('button', { name: 'Reset filters' }).click();
    await row.first().waitFor();

    // A new alert appears at the top without a reload. Only high and above: the agent's own
    // inventory raises low "New listening port" alerts at any moment on a busy machine.
    await page.getByLabel('Minimum severity').selectOption('high');
    await row.first().waitFor();
    await markDocument(page);
    await seedAlerts(SECOND_ATTACKER);
    await alertRow(page, SECOND_ATTACKER).first().waitFor({ timeout: LIVE_TIMEOUT });
    const first = page.getByRole('table', { name: 'Alerts' }).getByRole('row').nth(1);
    assert.match(await first.innerText(), new RegExp(SECOND_ATTACKER.replaceAll('.', '\\.')), 'newest on top');
    await assertNotReloaded(page);
    await screenshot(page, 'alerts-live');
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('an alert is acknowledged, resolved, assigned and commented on from its page', async () => {
    await page.goto(`${server.url}/alerts`);
    await alertRow(page, ATTACKER).first().getByRole('link', { name: BRUTE_FORCE }).click();
    await page.getByRole('heading', { level: 1, name: BRUTE_FORCE }).waitFor();
    assert.match(page.url(), new RegExp(`/alerts/${alertId}$`));

    const host = page.getByRole('link', { name: os.hostname(), exact: true });
    assert.equal(await host.getAttribute('href'), `/agents/${agentId}`);
    const technique = page.getByRole('link', { name: 'T1110.001' });
    assert.equal(await technique.getAttribute('href'), 'https://attack.mitre.org/techniques/T1110/001/');
    assert.equal(await technique.getAttribute('rel'), 'noreferrer');
    const evidence = page.getByRole('list', { name: 'Evidence events' }).getByRole('listitem');
    await evidence.first().waitFor();
    assert.ok((await evidence.count()) >= 5, 'five failed logins or more as evidence');
    assert.match(await evidence.first().innerText(), /Failed password for root/);
    await evidence.first().getByRole('button', { name: /^All fields/ }).click();
    await page.getByRole('table', { name: /^Fields of event/ }).getByText('source.ip').first().waitFor();

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Status: Acknowledged').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0, 'no second acknowledge');
    assert.equal((await admin.get(`/api/v1/alerts/${alertId}`)).body.status, 'acknowledged');

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Status: Resolved').waitFor();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    assert.equal((await admin.get(`/api/v1/alerts/${alertId}`)).body.status, 'resolved');

    await page.getByLabel('Assignee').selectOption('admin');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText('Assigned to admin', { exact: true }).waitFor();
    assert.equal((await admin.get(`/api/v1/alerts/${alertId}`)).body.assignee, 'admin');

    const note = 'Blocked 203.0.113.9 at the edge firewall.';
    await page.getByLabel('New comment').fill(note);
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByRole('list', { name: 'Comments' }).getByText(note).waitFor();
    assert.equal(await page.getByLabel('New comment').inputValue(), '', 'the box is emptied');
    const detail = (await admin.get(`/api/v1/alerts/${alertId}`)).body;
    assert.deepEqual(
      detail.comments.map((c) => [c.author, c.text]),
      [['admin', note]],
    );
    await screenshot(page, 'alert-detail');
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('events are found by a field value and open with every field', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await page.getByRole('button', { name: 'Add field filter' }).click();
    const filter = page.getByRole('group', { name: 'Field filter 1' });
    await filter.getByLabel('Field', { exact: true }).fill('source.ip');
    await filter.getByLabel('Value', { exact: true }).fill(ATTACKER);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    assert.match(page.url(), /[?&]field\.source\.ip=203\.0\.113\.9\b/);

    const rows = page.getByRole('table', { name: 'Events' }).getByRole('row');
    await rows.filter({ hasText: `Failed password for root from ${ATTACKER}` }).first().waitFor();
    // Every row is about the attacker: the other address's failures are filtered out (once the
    // filtered page has replaced the unfiltered one, which shows the attacker's lines too).
    await rows.filter({ hasText: SECOND_ATTACKER }).first().waitFor({ state: 'detached' });
    assert.equal(await rows.filter({ hasText: SECOND_ATTACKER }).count(), 0);
    const pager = await page.getByRole('navigation', { name: 'Pages' }).innerText();
    const total = Number(/of ([\d,]+) events?/.exec(pager)?.[1].replaceAll(',', ''));
    assert.ok(total >= 5, `at least five matching events (${pager})`);

    await rows.nth(1).getByRole('button', { name: /^Details/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Event details' });
    await dialog.getByRole('rowheader', { name: 'source.ip', exact: true }).waitFor();
    assert.match(await dialog.innerText(), /event\.outcome\s+failure/);
    await screenshot(page, 'events-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test("the rules page shows a broken file's problem, and a reload after the fix loads its rule", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rules' }).waitFor();
    const problems = page.getByRole('list', { name: /^Problems in .*broken\.yml$/ }).getByRole('listitem');
    await problems.first().waitFor();
    assert.match(await problems.first().innerText(), /broken\.yml:\d+:\d+ \S/, 'file:line:column reason');
    const table = page.getByRole('table', { name: 'Rules' });
    await table.getByText(BRUTE_FORCE).waitFor();
    assert.equal(await table.getByText('Broken on purpose').count(), 0, 'the broken rule is not loaded');

    await page.getByLabel('Filter rules').fill('T1110.001');
    await table.getByText(BRUTE_FORCE).waitFor();
    assert.equal(await table.getByText('SSH authentication failure').count(), 0, 'the filter hides untagged rules');
    await page.getByLabel('Filter rules').fill('');
    await screenshot(page, 'rules-problems');

    writeFileSync(path.join(rulesDir, 'broken.yml'), FIXED_RULE);
    await page.getByRole('button', { name: 'Reload rules' }).click();
    await page.getByRole('status').filter({ hasText: /Rules reloaded: \d+ rules? loaded/ }).waitFor();
    await table.getByText('Broken on purpose').waitFor();
    assert.equal(await page.getByRole('list', { name: /^Problems in/ }).count(), 0, 'no problems left');
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('a viewer sees alerts, events and rules without any action', async () => {
    const user = await admin.post('/api/v1/users', {
      username: 'val',
      password: 'Viewer-Passphrase-7730',
      roles: ['viewer'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const viewer = await newPage(browser, { width: 1440 });
    await signIn(viewer, server.url, 'val', 'Viewer-Passphrase-7730');
    await viewer.goto(`${server.url}/alerts/${alertId}`);
    await viewer.getByRole('heading', { level: 1, name: BRUTE_FORCE }).waitFor();
    await viewer.getByRole('list', { name: 'Evidence events' }).waitFor();
    const actions = /^(Acknowledge|Resolve|False positive|Reopen|Assign|Assign to me|Add comment)$/;
    assert.equal(await viewer.getByRole('button', { name: actions }).count(), 0, 'alert page');
    assert.equal(await viewer.getByLabel('New comment').count(), 0);
    await viewer.goto(`${server.url}/rules`);
    await viewer.getByRole('table', { name: 'Rules' }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Reload rules' }).count(), 0, 'rules page');
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE] });
    await viewer.context().close();
  });

  test('the detection pages render at 1440 and 390 px without console errors or overflow', async () => {
    const pages = [
      ['overview-alerts', '/', 'Overview'],
      ['alerts', '/alerts?status=all', 'Alerts'],
      ['alert', `/alerts/${alertId}`, BRUTE_FORCE],
      ['events', `/events?field.source.ip=${ATTACKER}`, 'Events'],
      ['rules', '/rules', 'Rules'],
    ];
    for (const width of [1440, 390]) {
      const visitor = await newPage(browser, { width });
      await signIn(visitor, server.url, 'admin', server.adminPassword);
      for (const [name, route, heading] of pages) {
        await visitor.goto(`${server.url}${route}`);
        await visitor.getByRole('heading', { level: 1, name: heading }).waitFor();
        await visitor.waitForLoadState('networkidle');
        await visitor.getByRole('status', { name: /^Loading|^Searching/ }).first().waitFor({ state: 'hidden' });
        const overflow = await visitor.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${route} is ${overflow} px wider than the ${width} px viewport`);
        assert.doesNotMatch(await visitor.locator('body').innerText(), /\bat [\w.]+ \(|"error":/);
        await screenshot(visitor, name);
      }
      assertNoConsoleErrors(visitor, { allow: [SIGN_IN_PROBE] });
      await visitor.context().close();
    }
  });
});
