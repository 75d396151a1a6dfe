// The scans pages end to end (issue 6): a real server whose only scan scope is 127.0.0.0/9, TCP
// listeners of the test's own on 127.0.0.1 that answer with service banners, and Debian's Chromium.
// One server for the file; the tests run in order and build on each other (the second scan is
// compared with the first). Nothing is sent outside 127.0.0.0/8: the out-of-scope target is a
// loopback address outside the scope, refused by the server before any job exists, and it would
// stay on this machine even if the scope guard failed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

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
import { bannerListener } from './support/listener.mjs';
import { freePort, startServer } from './support/server.mjs';

const LIVE_TIMEOUT = 30_000;
const SCOPE = '127.0.0.0/9';
/** Outside the scope, inside loopback: the server must refuse it (and so never scan it). */
const OUTSIDE = '127.200.0.1';
/** 4,194,304 addresses inside the scope: more than a scan may cover without confirmation. */
const LARGE_TARGET = '127.64.0.0/10';
const LARGE_COUNT = '4,194,304';

/** Banners that nmap's service probes (or the built-in ones) name. */
const SSH_BANNER = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n';
const FTP_BANNER = '220 ProFTPD 1.3.8 Server (Debian) [127.0.0.1]\r\n';

/** Chromium logs every 4xx answer as a console error; these are the ones the tests provoke. */
const SIGN_IN_PROBE = /status of 401 .*\/api\/v1\/auth\/(me|login)\b/;
const REFUSED_SCAN = /status of 400 .*\/api\/v1\/scans\b/;

describe('scans pages', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {ApiClient} an API token of the admin, for checking what the browser did */
  let admin;
  /** @type {import('playwright-core').Page} the admin's page, kept across tests */
  let page;
  /** Requests the admin's page made, in order, for proving that progress arrives by the stream. */
  const requests = [];
  /** The three ports every scan of 127.0.0.1 covers: changed service, newly open, then closed. */
  let changing;
  let opening = 0;
  let closing;
  let opened;
  let changingBanner = SSH_BANNER;
  const listeners = [];

  before(async () => {
    changing = await bannerListener(0, () => changingBanner);
    closing = await bannerListener(0, () => SSH_BANNER);
    listeners.push(changing, closing);
    opening = await freePort();

    browser = await launchBrowser();
    server = await startServer({ webRoot, name: 'scans-server', args: ['--scan-scope', SCOPE] });
    admin = await server.adminApi();

    page = await newPage(browser, { width: 1440 });
    page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
    await signIn(page, server.url, 'admin', server.adminPassword);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
      for (const listener of listeners) await listener.close();
    }
  });



  /** The list's row of scan `id`. */
  const scanRow = (target, id) =>
    target
      .getByRole('table', { name: 'Scans' })
      .getByRole('row')
      .filter({ has: target.getByRole('link', { name: `Scan ${id}`, exact: true }) });

  /** Opens the New scan dialog and fills targets and, when given, a custom port list. */
  async function fillNewScan(targets, ports) {
    await page.getByRole('button', { name: 'New scan' }).click();
    const dialog = page.getByRole('dialog', { name: 'New scan' });
    await dialog.getByLabel('Targets', { exact: true }).fill(targets);
    if (ports) {
      await dialog.getByRole('radio', { name: 'Custom ports', exact: true }).check();
      await dialog.getByRole('textbox', { name: 'Ports', exact: true }).fill(ports);
    }
    return dialog;
  }

  const portList = () => `${changing.port},${opening},${closing.port}`;

  /** Starts a scan of 127.0.0.1 on the three ports from the list page; resolves with its id. */
  async function startLocalScan() {
    const dialog = await fillNewScan('127.0.0.1', portList());
    const check = dialog.getByRole('region', { name: 'Scope check' });
    await check.getByText(`Scan scopes: ${SCOPE}`).waitFor();
    await check.getByText('All 1 address is inside the scan scopes.').waitFor();
    const answer = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/scans',
    );
    await dialog.getByRole('button', { name: 'Start scan' }).click();
    const response = await answer;
    assert.equal(response.status(), 202, await response.text());
    await dialog.waitFor({ state: 'hidden' });
    return (await response.json()).id;
  }

  test('a scan of the test’s own ports progresses live to completion and shows the open ports and services', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scans' }).click();
    await page.getByRole('heading', { level: 1, name: 'Scans' }).waitFor();
    await page.getByText('No scans yet').waitFor();
    await markDocument(page);

    const before = requests.length;
    const id = await startLocalScan();
    const row = scanRow(page, id);
    // The POST answered "queued"; only the stream can take the row on to completed.
    await row.getByText('Completed', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    const bar = row.getByRole('progressbar', { name: `Progress of scan ${id}` });
    assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    const text = await row.innerText();
    assert.match(text, /\b1\s+of 1 host\b/);
    assert.match(text, /127\.0\.0\.1/);
    assert.match(text, /probes\/s/, 'the rate the scan ran at');
    await assertNotReloaded(page);
    const asked = requests.slice(before).filter((r) => /^GET \/api\/v1\/scans(\/\d+)?$/.test(r));
    assert.deepEqual(asked, [], 'progress came by the stream, not by asking for the job again');
    const job = (await admin.get(`/api/v1/scans/${id}`)).body;
    assert.equal(job.status, 'completed');
    assert.equal(job.progress.open_found, 2);
    await screenshot(page, 'scans-list');

    await row.getByRole('link', { name: `Scan ${id}`, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Scan ${id}` }).waitFor();
    const results = page.getByRole('table', { name: 'Scan results' });
    const portRow = (port) => results.getByRole('row').filter({ hasText: `${port}/tcp` });
    await portRow(changing.port).waitFor();
    assert.match(await results.getByRole('row').filter({ hasText: /^127\.0\.0\.1/ }).innerText(), /2 open ports/);
    assert.match(await portRow(changing.port).innerText(), /ssh\s+OpenSSH 9\.2p1/);
    assert.match(await portRow(closing.port).innerText(), /ssh\s+OpenSSH/);
    assert.equal(await portRow(opening).count(), 0, 'a closed port is not listed');

    await page.getByLabel('Filter results').fill(String(closing.port));
    await portRow(changing.port).waitFor({ state: 'detached' });
    assert.equal(await portRow(closing.port).count(), 1);
    await page.getByLabel('Filter results').fill('no-such-service');
    await page.getByText('Nothing matches the filter').waitFor();
    await page.getByLabel('Filter results').fill('');
    await portRow(changing.port).waitFor();
    await screenshot(page, 'scan-results');

    await page.getByRole('tab', { name: 'Changes' }).click();
    await page.getByText('Nothing to compare with').waitFor();
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('a second scan of the same targets shows the changed service, the new open port and the closed port', async () => {
    changingBanner = FTP_BANNER;
    await closing.close();
    listeners.splice(listeners.indexOf(closing), 1);
    opened = await bannerListener(opening, () => SSH_BANNER);
    listeners.push(opened);

    await page.goto(`${server.url}/scans`);
    await scanRow(page, 1).waitFor();
    const id = await startLocalScan();
    const row = scanRow(page, id);
    await row.getByText('Completed', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await row.getByRole('link', { name: `Scan ${id}`, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Scan ${id}` }).waitFor();

    await page.getByRole('tab', { name: 'Changes' }).click();
    const changes = page.getByRole('table', { name: 'Changes' }).getByRole('row');
    const change = (port) => changes.filter({ hasText: `127.0.0.1 port ${port}/tcp` });
    await change(changing.port).waitFor();
    assert.match(await change(changing.port).innerText(), /Changed service.*ssh OpenSSH.*→ ftp ProFTPD 1\.3\.8/s);
    assert.match(await change(opening).innerText(), /New open port.*ssh OpenSSH/s);
    assert.match(await change(closing.port).innerText(), /Closed port.*was ssh OpenSSH/s);
    assert.equal(await changes.count(), 4, 'a header and three changes');
    await page.getByText('1 new open port, 1 changed service, 1 closed port').waitFor();
    assert.equal(await page.getByRole('link', { name: 'scan 1', exact: true }).getAttribute('href'), '/scans/1');
    await screenshot(page, 'scan-changes');

    await page.getByRole('tab', { name: 'Results' }).click();
    const results = page.getByRole('table', { name: 'Scan results' });
    await results.getByRole('row').filter({ hasText: `${changing.port}/tcp` }).getByText(/ProFTPD/).waitFor();
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE] });
  });

  test('a target outside the scan scopes is flagged as typed and refused by the server with its message', async () => {
    await page.goto(`${server.url}/scans`);
    await scanRow(page, 2).waitFor();
    const dialog = await fillNewScan(OUTSIDE);
    const check = dialog.getByRole('region', { name: 'Scope check' });
    await check.getByText(`Outside the scan scopes: ${OUTSIDE}. The server will refuse this scan.`).waitFor();
    // The server's check answers per entry too: the row of the target names what lies outside.
    const entry = check.getByRole('table', { name: 'Targets checked' }).getByRole('row').filter({ hasText: OUTSIDE });
    await entry.getByText(`outside: ${OUTSIDE}`, { exact: true }).waitFor();

    await dialog.getByRole('button', { name: 'Start scan' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.getByText(`targets outside the scan scopes (${SCOPE}): '${OUTSIDE}'`).waitFor();
    assert.ok(await dialog.isVisible(), 'the dialog stays open for a correction');
    const jobs = (await admin.get('/api/v1/scans')).body;
    assert.equal(jobs.total, 2, 'no job was made');
    assert.ok(!jobs.items.some((job) => job.targets.includes(OUTSIDE)));
    await screenshot(page, 'scan-refused');

    // Editing the targets answers the refusal.
    await dialog.getByLabel('Targets', { exact: true }).fill('127.0.0.1');
    await refusal.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_SCAN] });
  });

  test('the dialog offers nmap, and the server’s refusal of a brute-force script shows next to the scripts input', async () => {
    await page.goto(`${server.url}/scans`);
    await scanRow(page, 2).waitFor();
    const dialog = await fillNewScan('127.0.0.1');
    await dialog.getByRole('radio', { name: 'nmap', exact: true }).check();
    const scripts = dialog.getByRole('textbox', { name: 'NSE scripts', exact: true });
    await scripts.fill('http-title, ssh-brute');
    await dialog.getByRole('button', { name: 'Start scan' }).click();

    const refusal = dialog.getByText(/'ssh-brute' is in the brute category/);
    await refusal.waitFor();
    assert.equal(await scripts.getAttribute('aria-invalid'), 'true');
    assert.equal(await scripts.getAttribute('aria-describedby'), await refusal.getAttribute('id'));
    assert.equal(await dialog.getByRole('alert').count(), 0, 'shown by the input, not as a general alert');
    assert.equal((await admin.get('/api/v1/scans')).body.total, 2, 'no job was made');
    await screenshot(page, 'scan-nmap-refused');

    // Editing the scripts answers the refusal.
    await scripts.fill('http-title');
    await refusal.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_SCAN] });
  });

  test('a scan on the agents in the target networks, with no agent there, is refused next to "Where it runs"', async () => {
    await page.goto(`${server.url}/scans`);
    await scanRow(page, 2).waitFor();
    const dialog = await fillNewScan('127.0.0.1');
    const runsOn = dialog.getByRole('group', { name: 'Where it runs' });
    const networks = runsOn.getByRole('radio', { name: /Agents in the target networks/ });
    // nmap runs on the server only: the agents' choices wait for the built-in engine.
    await dialog.getByRole('radio', { name: 'nmap', exact: true }).check();
    assert.ok(await networks.isDisabled());
    await runsOn.getByText('nmap runs on this server only').waitFor();
    await dialog.getByRole('radio', { name: /Built-in engine/ }).check();
    await networks.check();
    await dialog.getByRole('button', { name: 'Start scan' }).click();

    // No agent has reported where it sits, and loopback is no one's network.
    const refusal = runsOn.getByText(/no agent sits in a network that holds 127\.0\.0\.1/);
    await refusal.waitFor();
    assert.equal(await runsOn.getAttribute('aria-describedby'), await refusal.getAttribute('id'));
    assert.equal(await dialog.getByRole('alert').count(), 0, 'shown by the choice, not as a general alert');
    assert.equal((await admin.get('/api/v1/scans')).body.total, 2, 'no job was made');
    await runsOn.getByRole('radio', { name: /This server/ }).check();
    await refusal.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_SCAN] });
  });

  test('a large scan needs confirmation; a viewer watches it without actions while the admin cancels it', async () => {
    const user = await admin.post('/api/v1/users', {
      username: 'vera',
      password: 'Viewer-Passphrase-5521',
      roles: ['viewer'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const viewer = await newPage(browser, { width: 1440 });
    await signIn(viewer, server.url, 'vera', 'Viewer-Passphrase-5521');
    await viewer.goto(`${server.url}/scans`);
    await scanRow(viewer, 2).waitFor();
    await markDocument(viewer);
    assert.equal(await viewer.getByRole('button', { name: 'New scan' }).count(), 0, 'no New scan for a viewer');

    await page.goto(`${server.url}/scans`);
    await scanRow(page, 2).waitFor();
    // One port nobody listens on: the scan only needs to run, not to find anything.
    const dialog = await fillNewScan(LARGE_TARGET, String(await freePort()));
    const check = dialog.getByRole('region', { name: 'Scope check' });
    await check.getByText(`All ${LARGE_COUNT} addresses are inside the scan scopes.`).waitFor();
    const confirm = dialog.getByRole('checkbox', { name: new RegExp(`^Scan ${LARGE_COUNT} addresses`) });
    await confirm.waitFor();

    // Unconfirmed, the server refuses and says why next to the box.
    await dialog.getByRole('button', { name: 'Start scan' }).click();
    await dialog.getByText(/a scan of more than 65536 needs "confirm_large": true/).waitFor();
    await confirm.check();
    const answer = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/scans',
    );
    await dialog.getByRole('button', { name: 'Start scan' }).click();
    const response = await answer;
    assert.equal(response.status(), 202, await response.text());
    const id = (await response.json()).id;
    await dialog.waitFor({ state: 'hidden' });

    // The viewer sees the new scan arrive live, with no Cancel.
    const watched = scanRow(viewer, id);
    await watched.waitFor({ timeout: LIVE_TIMEOUT });
    await watched.getByText(/^(Queued|Running)$/).waitFor();
    assert.equal(await viewer.getByRole('button', { name: /^Cancel/ }).count(), 0, 'no Cancel for a viewer');

    const row = scanRow(page, id);
    await row.getByRole('button', { name: `Cancel scan ${id}` }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    assert.equal(await row.getByRole('button', { name: `Cancel scan ${id}` }).count(), 0);
    await watched.getByText('Cancelled', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(viewer);
    const job = (await admin.get(`/api/v1/scans/${id}`)).body;
    assert.equal(job.status, 'cancelled');
    assert.ok(job.progress.pairs_done < job.progress.pairs_total, 'stopped before the end');

    // The viewer reads results too, still without actions.
    await viewer.goto(`${server.url}/scans/1`);
    await viewer.getByRole('table', { name: 'Scan results' }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: /^(Cancel|New scan)/ }).count(), 0);
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE] });
    await viewer.context().close();
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_SCAN] });
  });

  test('the scans pages render at 1440 and 390 px without console errors or overflow', async () => {
    const pages = [
      ['scans', '/scans', 'Scans'],
      ['scan-detail', '/scans/2', 'Scan 2'],
      ['scan-detail-changes', '/scans/2?tab=changes', 'Scan 2'],
    ];
    for (const width of [1440, 390]) {
      const visitor = await newPage(browser, { width });
      await signIn(visitor, server.url, 'admin', server.adminPassword);
      for (const [name, route, heading] of pages) {
        await visitor.goto(`${server.url}${route}`);
        await visitor.getByRole('heading', { level: 1, name: heading }).waitFor();
        await visitor.waitForLoadState('networkidle');
        await visitor.getByRole('status', { name: /^Loading/ }).first().waitFor({ state: 'hidden' });
        const overflow = await visitor.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${route} is ${overflow} px wider than the ${width} px viewport`);
        assert.doesNotMatch(await visitor.locator('body').innerText(), /\bat [\w.]+ \(|"error":/);
        await screenshot(visitor, name);
      }
      await visitor.goto(`${server.url}/scans`);
      await visitor.getByRole('button', { name: 'New scan' }).click();
      await visitor.getByRole('dialog', { name: 'New scan' }).getByLabel('Targets', { exact: true }).fill(`127.0.0.1 ${OUTSIDE}`);
      await visitor.getByText(/^Outside the scan scopes/).waitFor();
      await screenshot(visitor, 'scan-new-dialog');
      assertNoConsoleErrors(visitor, { allow: [SIGN_IN_PROBE] });
      await visitor.context().close();
    }
  });
});
