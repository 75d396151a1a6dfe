// The portal end to end: a real server, a real agent and Debian's Chromium. One server for the
// whole file; the tests run in order and build on each other (the admin's 2FA, the enrolled agent,
// the viewer), as a new team would use the product on its first day. Scans only ever target
// 127.0.0.1 (the server's one scan scope is 127.0.0.0/8); the one block is of a TEST-NET-3 address
// for a group no agent is in, so the running agent never touches the host's firewall.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { operationTable } from '../../web/scripts/gen-api.mjs';
import { startAgent } from './support/agent.mjs';
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
import { repoRoot, webRoot } from './support/env.mjs';
import { bannerListener } from './support/listener.mjs';
import { freePort, startServer } from './support/server.mjs';
import { currentTotp } from './support/totp.mjs';

const LIVE_TIMEOUT = 20_000;
const SCAN_SCOPE = '127.0.0.0/8';
/** TEST-NET-3: never sent anything. */
const BLOCKED = '203.0.113.7';
/** A group no agent is in: the block is stored and listed, never pushed to the running agent. */
const BLOCK_GROUP = 'overview-e2e';
const SSH_BANNER = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n';

/** Chromium logs every 4xx answer as a console error; these are the ones a test provokes. */
const SIGN_IN_PROBE = /status of 401 .*\/api\/v1\/auth\/(me|login)\b/;
const VALIDATION_ANSWER = /status of 400 .*\/api\/v1\/users\b/;

describe('portal', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {ApiClient} an API token of the admin, for setting the scene behind the browser's back */
  let admin;
  /** @type {import('playwright-core').Page} the admin's page, kept across tests */
  let page;
  /** @type {import('./support/agent.mjs').TestAgent[]} */
  const agents = [];
  /** @type {{close: () => Promise<void>}[]} TCP services on 127.0.0.1 for the scans to find */
  const listeners = [];
  let adminSecret = '';
  let agentId = '';

  before(async () => {
    browser = await launchBrowser();
    server = await startServer({ webRoot, name: 'portal-server', args: ['--scan-scope', SCAN_SCOPE] });
    admin = await server.adminApi();
    page = await newPage(browser, { width: 1440 });
  });

  after(async () => {
    for (const agent of agents) await agent.stop().catch(() => {});
    for (const listener of listeners) await listener.close();
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  /** Signs in through the login page; `totpSecret` answers the second step when asked. */


  test('the committed API snapshot matches the live server (web/src/api/openapi.json)', async () => {
    const live = await admin.get('/api/v1/openapi.json');
    assert.equal(live.status, 200);
    const snapshot = JSON.parse(
      readFileSync(path.join(repoRoot, 'web/src/api/openapi.json'), 'utf8'),
    );
    assert.deepEqual(
      operationTable(live.body),
      operationTable(snapshot),
      'routes changed: run `node scripts/gen-api.mjs --from URL` in web/ and commit the result',
    );
  });

  test('an admin turns on two-factor sign-in and then signs in with a TOTP code', async () => {
    await signIn(page, server.url, 'admin', server.adminPassword);
    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await page.getByText('Cannot scan? Enter the key by hand').click();
    adminSecret = (await page.getByLabel('Secret key').textContent())?.trim() ?? '';
    assert.match(adminSecret, /^[A-Z2-7]{16,}$/, 'a base32 secret is shown');
    await page.getByLabel('Code from the app').fill(await currentTotp(adminSecret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10, 'ten recovery codes, shown once');
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, server.url, 'admin', server.adminPassword, adminSecret);
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('the enrolment dialog shows a command that enrols an agent, which appears online live', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    await markDocument(page);
    await page.getByRole('button', { name: 'Enrol agent' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Enrol agent' });
    await dialog.getByLabel('Data directory').fill('/var/lib/sentinel-agent');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const command = (await dialog.getByLabel('Enrolment command').textContent())?.trim() ?? '';
    assert.match(command, /^sentinel-agent --server https:\/\/127\.0\.0\.1:\d+ --enroll-token se1\.\S+/);
    assert.match(command, /--data-dir \/var\/lib\/sentinel-agent\b/);
    await screenshot(page, 'agents-enrol-dialog');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The command as shown; only the data dir moves to a temp dir the test owns.
    const agent = startAgent(command, { name: 'portal-agent' });
    agents.push(agent);
    agentId = await agent.waitForAgentId();
    const row = page
      .getByRole('grid', { name: 'Agents' })
      .getByRole('row')
      .filter({ hasText: os.hostname() })
      .filter({ hasText: 'online' });
    await row.first().waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(page);
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test("the agent's packages can be browsed", async () => {
    await page
      .getByRole('grid', { name: 'Agents' })
      .getByRole('link', { name: os.hostname() })
      .first()
      .click();
    await page.getByRole('heading', { level: 1, name: os.hostname() }).waitFor();
    await page.getByRole('tab', { name: 'Packages' }).click();
    // The agent sends its first full inventory right after it connects.
    const search = page.getByRole('tabpanel').getByLabel('Search packages');
    await search.waitFor({ timeout: LIVE_TIMEOUT });
    await search.fill('dpkg');
    const grid = page.getByRole('grid', { name: 'Packages' });
    await grid.getByRole('gridcell', { name: 'dpkg', exact: true }).first().waitFor();
    await page.getByRole('tab', { name: 'Listening ports' }).click();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await screenshot(page, 'agent-detail-timeline');
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('a server validation error appears next to its field, then a viewer is created', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users and roles' }).click();
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('Username').fill('vera');
    await dialog.getByLabel('Password').fill('short');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const password = dialog.getByLabel('Password');
    await dialog.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await password.getAttribute('aria-invalid'), 'true', 'the password field is marked');
    const described = await password.getAttribute('aria-describedby');
    const message = await dialog.locator(`[id="${described}"]`).textContent();
    assert.match(message ?? '', /password/i, 'the message under the field names the problem');
    assert.doesNotMatch(await dialog.textContent(), /[{}]|"error"/, 'no raw JSON on screen');

    await password.fill('Viewer-Passphrase-5821');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'vera', exact: true }).waitFor();
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, VALIDATION_ANSWER] });
  });

  test('an audit entry appears live on the audit page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.waitFor();
    await markDocument(page);
    const created = await admin.post('/api/v1/agents/enroll-tokens', { group: 'live-audit' });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    await table
      .getByRole('row')
      .filter({ hasText: 'enroll_token' })
      .first()
      .waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(page);
    await screenshot(page, 'audit-live');
  });

  test('a viewer sees no edit actions', async () => {
    const viewer = await newPage(browser, { width: 1440 });
    await signIn(viewer, server.url, 'vera', 'Viewer-Passphrase-5821');
    await viewer.goto(`${server.url}/agents`);
    await viewer.getByRole('grid', { name: 'Agents' }).getByRole('link', { name: os.hostname() }).first().waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Enrol agent' }).count(), 0);

    await viewer.goto(`${server.url}/agents/${agentId}`);
    await viewer.getByRole('heading', { level: 1, name: os.hostname() }).waitFor();
    await viewer.getByRole('tab', { name: 'Packages' }).waitFor();
    const editing = /^(Create|Edit|Delete|Revoke|Reset|Unlock|Enrol|Save)\b/;
    assert.equal(await viewer.getByRole('button', { name: editing }).count(), 0, 'agent page');
    // The admin sees the same page with its actions: the check above can fail.
    await page.goto(`${server.url}/agents/${agentId}`);
    await page.getByRole('heading', { level: 1, name: os.hostname() }).waitFor();
    assert.ok((await page.getByRole('button', { name: editing }).count()) >= 3, "admin's actions");

    await viewer.goto(`${server.url}/users`);
    await viewer.getByRole('tab', { name: 'API tokens' }).waitFor();
    assert.equal(await viewer.getByRole('tab', { name: 'Users', exact: true }).count(), 0);
    for (const tab of ['API tokens', 'Sessions']) {
      await viewer.getByRole('tab', { name: tab }).click();
      await viewer.waitForLoadState('networkidle');
      assert.equal(await viewer.getByRole('button', { name: editing }).count(), 0, tab);
    }
    await viewer.goto(`${server.url}/settings`);
    await viewer.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await viewer.waitForLoadState('networkidle');
    assert.equal(await viewer.getByRole('button', { name: editing }).count(), 0, 'settings');
    // The server refuses regardless of what the page shows.
    const refused = await viewer.evaluate(async () => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const answer = await fetch('/api/v1/agents/enroll-tokens', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: '{}',
      });
      return answer.status;
    });
    assert.equal(refused, 403);
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE, /status of 403 .*enroll-tokens/] });
    await viewer.context().close();
  });

  test('a role that requires 2FA sends its users to enrolment with a QR code', async () => {
    const policy = await admin.patch('/api/v1/settings/auth', { require_2fa_roles: ['analyst'] });
    assert.ok(policy.status < 300, JSON.stringify(policy.body));
    const user = await admin.post('/api/v1/users', {
      username: 'ana',
      password: 'Triage-Passphrase-3307',
      roles: ['analyst'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const analyst = await newPage(browser, { width: 390 });
    await analyst.goto(`${server.url}/login`);
    await analyst.getByLabel('Username').fill('ana');
    await analyst.getByLabel('Password').fill('Triage-Passphrase-3307');
    await analyst.getByRole('button', { name: 'Sign in' }).click();
    await analyst.getByText('Your role requires two-factor authentication').waitFor();
    await analyst.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await screenshot(analyst, 'setup-2fa');
    // Anything else is out of reach until 2FA is on.
    await analyst.goto(`${server.url}/agents`);
    await analyst.waitForURL(/\/setup-2fa$/);
    assertNoConsoleErrors(analyst, { allow: [SIGN_IN_PROBE] });
    await analyst.context().close();
  });

  test('an admin deletes a user after confirming, and the list follows', async () => {
    await page.goto(`${server.url}/users`);
    await page.getByRole('cell', { name: 'ana', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete ana' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete user' });
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('status').filter({ hasText: 'User ana deleted' }).waitFor();
    await page.getByRole('cell', { name: 'ana', exact: true }).waitFor({ state: 'detached' });
    const users = await admin.get('/api/v1/users');
    const list = Array.isArray(users.body) ? users.body : users.body.items;
    assert.ok(!list.some((user) => user.username === 'ana'), 'the server no longer has ana');
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, VALIDATION_ANSWER] });
  });

  test('an ended session sends the user to the sign-in page with a clear message', async () => {
    const viewer = await newPage(browser, { width: 1440 });
    await signIn(viewer, server.url, 'vera', 'Viewer-Passphrase-5821');
    const sessions = await admin.get('/api/v1/sessions?all=true');
    assert.equal(sessions.status, 200, JSON.stringify(sessions.body));
    const list = Array.isArray(sessions.body) ? sessions.body : sessions.body.items;
    for (const session of list.filter((s) => s.username === 'vera')) {
      const revoked = await admin.delete(`/api/v1/sessions/${session.id}`);
      assert.ok(revoked.status < 300, `revoke session: ${revoked.status}`);
    }
    await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    await viewer.getByText('Your session has ended. Please sign in again.').waitFor();
    assert.match(viewer.url(), /\/login/);
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE, /status of 401 /] });
    await viewer.context().close();
  });

  /** Starts a scan of 127.0.0.1 through the API; resolves with the queued job. */
  async function startScan(body) {
    const started = await admin.post('/api/v1/scans', { targets: ['127.0.0.1'], ...body });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return started.body;
  }

  test('the overview shows network scans with their changes and the firewall, live', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const scans = page.getByRole('region', { name: 'Network scans' });
    const firewall = page.getByRole('region', { name: 'Firewall' });
    await scans.getByText('No scans yet').waitFor();
    assert.equal(await scans.getByRole('link', { name: 'Start a scan' }).getAttribute('href'), '/scans');
    const blocks = firewall.getByRole('region', { name: 'Active blocks' });
    await blocks.getByText('0 addresses blocked').waitFor();
    const policies = firewall.getByRole('region', { name: 'Agent policies' });
    await policies.getByText('No agent has received a firewall policy yet.').waitFor();
    await markDocument(page);

    // Scan 1 finds one of two ports open; scan 2 of the same ports finds both: one new open port.
    const ssh = await bannerListener(0, () => SSH_BANNER);
    listeners.push(ssh);
    const opening = await freePort();
    const ports = `${ssh.port},${opening}`;
    const latest = scans.getByRole('table', { name: 'Latest scans' });
    const scanRow = (id) =>
      latest.getByRole('row').filter({ has: page.getByRole('link', { name: `Scan ${id}`, exact: true }) });
    const first = await startScan({ ports });
    await scanRow(first.id).getByText('Completed', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    const changes = (id) => scans.getByRole('region', { name: `Changes found by scan ${id}` });
    await changes(first.id).getByText('is the first completed scan of its targets and ports').waitFor();

    listeners.push(await bannerListener(opening, () => SSH_BANNER));
    const second = await startScan({ ports });
    await scanRow(second.id).getByText('Completed', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    const found = changes(second.id);
    // The counts are in once the comparison names the scan it compared with.
    await found.getByRole('link', { name: `scan ${first.id}`, exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    const terms = await found.getByRole('term').allInnerTexts();
    const values = await found.getByRole('definition').allInnerTexts();
    assert.deepEqual(Object.fromEntries(terms.map((term, i) => [term.trim(), values[i]?.trim()])), {
      'New hosts': '0',
      'New open port': '1',
      'Changed services': '0',
      'Closed ports': '0',
      'Hosts gone': '0',
    });
    const link = found.getByRole('link', { name: `See the changes of scan ${second.id}` });
    assert.equal(await link.getAttribute('href'), `/scans/${second.id}?tab=changes`);
    const cells = (await scanRow(second.id).getByRole('cell').allInnerTexts()).map((cell) => cell.trim());
    assert.match(cells[0], new RegExp(`^Scan ${second.id}\\s+127\\.0\\.0\\.1$`), 'the job and its target');
    assert.match(cells[1], /^Completed\s+Ended (just now|\d+ min ago)$/, 'its status and when it ended');
    assert.equal(cells[2], '2', 'the two open ports it found');

    // A slow job (5 probes a second) shows as running with its bar until it is cancelled.
    const slow = await startScan({ ports: `${opening + 1}-${opening + 200}`, max_rate: 5, discovery: false });
    const running = scans.getByRole('region', { name: 'Running now' });
    await running
      .getByRole('progressbar', { name: `Progress of scan ${slow.id}` })
      .waitFor({ timeout: LIVE_TIMEOUT });
    assert.match(await running.innerText(), /of 1 host/);
    await screenshot(page, 'overview-scan-running');
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, 'overview-scan-running');
    await page.setViewportSize({ width: 1440, height: 900 });
    const cancelled = await admin.delete(`/api/v1/scans/${slow.id}`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await running.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT });
    await scanRow(slow.id).getByText('Cancelled', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    // The newest completed scan is still the one compared.
    await changes(second.id).waitFor();

    const block = await admin.post('/api/v1/firewall/blocks', {
      address: BLOCKED,
      duration_s: 3600,
      group: BLOCK_GROUP,
      reason: 'Overview e2e brute force',
    });
    assert.equal(block.status, 201, JSON.stringify(block.body));
    await blocks.getByText('1 address blocked').waitFor({ timeout: LIVE_TIMEOUT });
    const item = blocks.getByRole('list', { name: 'Newest active blocks' }).getByRole('listitem');
    assert.equal(await item.count(), 1);
    const text = await item.innerText();
    assert.match(text, new RegExp(BLOCKED.replaceAll('.', '\\.')));
    assert.match(text, /Overview e2e brute force/);
    assert.match(text, new RegExp(`Group ${BLOCK_GROUP}`));
    assert.match(text, /expires in (59 min|1 h)/);
    const href = (part, name) => part.getByRole('link', { name }).getAttribute('href');
    assert.equal(await href(blocks, 'Open the blocks'), '/firewall/blocks');
    assert.equal(await href(policies, 'Open the firewall status'), '/firewall');
    await assertNotReloaded(page);
    await screenshot(page, 'overview-scans-firewall');
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await screenshot(page, 'overview-scans-firewall-dark');
    await page.getByRole('button', { name: 'Light theme' }).click();
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, VALIDATION_ANSWER] });
  });

  test('a role without scans:read and firewall:read sees neither panel on the overview', async () => {
    const role = await admin.post('/api/v1/roles', {
      name: 'watcher',
      description: 'Agents, events and alerts only',
      permissions: ['agents:read', 'events:read', 'alerts:read'],
    });
    assert.ok(role.status < 300, JSON.stringify(role.body));
    const user = await admin.post('/api/v1/users', {
      username: 'wes',
      password: 'Watcher-Passphrase-6630',
      roles: ['watcher'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const watcher = await newPage(browser, { width: 390 });
    const asked = [];
    watcher.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await signIn(watcher, server.url, 'wes', 'Watcher-Passphrase-6630');
    // The panels the role may read are there, so the absence below is the permissions' doing.
    await watcher.getByRole('region', { name: 'Open alerts' }).waitFor();
    await watcher.getByRole('region', { name: 'Agents by status' }).waitFor();
    await watcher.waitForLoadState('networkidle');
    assert.equal(await watcher.getByRole('region', { name: 'Network scans' }).count(), 0);
    assert.equal(await watcher.getByRole('region', { name: 'Firewall' }).count(), 0);
    assert.deepEqual(
      asked.filter((p) => /^\/api\/v1\/(scans|firewall)\b/.test(p)),
      [],
      'nothing asked of the scans or firewall API',
    );
    await screenshot(watcher, 'overview-watcher');
    assertNoConsoleErrors(watcher, { allow: [SIGN_IN_PROBE] });
    await watcher.context().close();
  });

  test('every page renders at 1440 and 390 px without console errors or overflow', async () => {
    const user = await admin.post('/api/v1/users', {
      username: 'olga',
      password: 'Operator-Passphrase-4410',
      roles: ['admin'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const pages = [
      ['overview', '/', 'Overview'],
      ['agents', '/agents', 'Agents'],
      ['agent-detail', `/agents/${agentId}`, os.hostname()],
      ['users', '/users', 'Users and roles'],
      ['audit', '/audit', 'Audit log'],
      ['settings', '/settings', 'Settings'],
      ['account', '/account', null],
    ];
    for (const width of [1440, 390]) {
      const visitor = await newPage(browser, { width });
      await visitor.goto(`${server.url}/login`);
      await visitor.getByRole('button', { name: 'Sign in' }).waitFor();
      await screenshot(visitor, 'login');
      await signIn(visitor, server.url, 'olga', 'Operator-Passphrase-4410');
      for (const [name, route, heading] of pages) {
        await visitor.goto(`${server.url}${route}`);
        const title = heading
          ? visitor.getByRole('heading', { level: 1, name: heading })
          : visitor.getByRole('heading', { level: 1 });
        await title.first().waitFor();
        await visitor.waitForLoadState('networkidle');
        await visitor.getByRole('status', { name: /^Loading/ }).first().waitFor({ state: 'hidden' });
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
