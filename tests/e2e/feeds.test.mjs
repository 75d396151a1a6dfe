// Threat-intel feeds in the portal: a real server and Debian's Chromium. A feed is added through
// the form (first refused, with every problem at its field), fetched from a file in the server's
// feed directory, edited, disabled and deleted; a feed served by the test on 127.0.0.1 shows its
// refresh running while the page stays usable; a viewer sees the list without controls. Nothing
// is fetched from anywhere but the data dir and 127.0.0.1, and no agent runs.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
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
import { waitFor } from './support/process.mjs';
import { startServer } from './support/server.mjs';

/** Chromium logs every 4xx answer as a console error; these are the ones the tests provoke. */
const SIGN_IN_PROBE = /status of 401 .*\/api\/v1\/auth\/(me|login)\b/;
const REFUSED_FEED = /status of 400 .*\/api\/v1\/firewall\/feeds\b/;
const FEED_IN_USE = /status of 409 .*\/api\/v1\/firewall\/feeds\/e2e-list\b/;

/** Documentation networks (RFC 5737, RFC 3849): stored and listed, never sent anywhere. Line 5 is
 * not an address and is skipped. */
const LIST = '# e2e blocklist\n198.51.100.7\n203.0.113.0/28\n2001:db8:1::/48\nnot an address\n';
const SLOW_LIST = '203.0.113.64/27\n198.51.100.20\n';
/** How long the test's feed server holds a refresh: long enough to see it run, shorter than the
 * 5 s the server waits for a scheduled fetch of the same feed. */
const SLOW_MS = 3000;

/** An HTTP server on 127.0.0.1 that serves SLOW_LIST, after SLOW_MS while `slow` is set, and
 * answers 503 while `failing` is set. */
async function feedServer() {
  const state = { slow: false, failing: false, requests: 0 };
  const server = http.createServer((request, response) => {
    state.requests += 1;
    const answer = () => response.end(SLOW_LIST);
    response.setHeader('Content-Type', 'text/plain');
    if (state.failing) {
      response.statusCode = 503;
      response.end('maintenance\n');
      return;
    }
    if (state.slow) setTimeout(answer, SLOW_MS);
    else answer();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    state,
    url: `http://127.0.0.1:${port}/list.txt`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('firewall feeds', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {ApiClient} an API token of the admin, for checking what the browser did */
  let admin;
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {Awaited<ReturnType<typeof feedServer>>} */
  let slowFeed;
  let listFile = '';

  before(async () => {
    browser = await launchBrowser();
    server = await startServer({ webRoot, name: 'feeds-server' });
    slowFeed = await feedServer();
    const feedDir = path.join(server.dataDir, 'feeds');
    mkdirSync(feedDir, { recursive: true });
    listFile = path.join(feedDir, 'e2e-list.txt');
    writeFileSync(listFile, LIST);
    admin = await server.adminApi();
    page = await newPage(browser, { width: 1440 });
    await signIn(page, server.url, 'admin', server.adminPassword);
  });

  after(async () => {
    try {
      await browser?.close();
      await slowFeed?.close();
    } finally {
      await server?.stop();
    }
  });

  const feeds = () => page.getByRole('table', { name: 'Feeds' });
  const row = (name) => feeds().getByRole('row').filter({ has: page.getByText(name, { exact: true }) });

  /** The error shown for an input: the element its aria-describedby names. */
  async function errorOf(input) {
    assert.equal(await input.getAttribute('aria-invalid'), 'true', 'the input is marked invalid');
    const id = await input.getAttribute('aria-describedby');
    assert.ok(id, 'the input names its error');
    return page.locator(`[id="${id}"]`).innerText();
  }

  test('a feed is added through the form (a refused definition shows every problem at its field), fetched, edited, disabled and deleted', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Firewall' }).click();
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Feeds' }).click();
    await page.getByRole('heading', { level: 1, name: 'Firewall feeds' }).waitFor();
    await page.getByText('No feeds yet').waitFor();
    await markDocument(page);

    // Four things wrong at once: the server names each, and each shows at its field.
    await page.getByRole('button', { name: 'Add feed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a feed' });
    await dialog.getByLabel('Name', { exact: true }).fill('1-bad');
    await dialog.getByLabel('Source', { exact: true }).fill('ftp://127.0.0.1/list.txt');
    await dialog.getByLabel('Format', { exact: true }).selectOption('csv');
    await dialog.getByLabel('Refresh every', { exact: true }).fill('1m');
    const refused = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/firewall/feeds',
    );
    await dialog.getByRole('button', { name: 'Add feed' }).click();
    const refusal = await refused;
    assert.equal(refusal.status(), 400);
    const problems = (await refusal.json()).problems;
    assert.deepEqual(
      problems.map((p) => p.path),
      ['name', 'source', 'column', 'refresh_s'],
      'the server lists every problem',
    );
    const labels = { name: 'Name', source: 'Source', column: 'Column', refresh_s: 'Refresh every' };
    for (const problem of problems) {
      const input = dialog.getByLabel(labels[problem.path], { exact: true });
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await input.elementHandle());
      assert.equal(await errorOf(input), problem.message, `${problem.path} shows its own problem`);
    }
    assert.equal(await dialog.getByRole('alert').count(), 0, 'no problem is left without its field');
    await screenshot(page, 'firewall-feed-refused');
    assert.deepEqual((await admin.get('/api/v1/firewall/feeds')).body.items, [], 'nothing was stored');

    await dialog.getByLabel('Name', { exact: true }).fill('e2e-list');
    await dialog.getByLabel('Source', { exact: true }).fill(listFile);
    await dialog.getByLabel('Format', { exact: true }).selectOption('plain');
    await dialog.getByLabel('Refresh every', { exact: true }).fill('10m');
    await dialog.getByLabel('Description', { exact: true }).fill('Blocklist of the e2e test');
    await dialog.getByRole('button', { name: 'Add feed' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row('e2e-list').waitFor();
    let stored = (await admin.get('/api/v1/firewall/feeds/e2e-list')).body;
    assert.equal(stored.source, listFile);
    assert.equal(stored.refresh_s, 600);
    assert.equal(stored.enabled, true);
    assert.equal(stored.description, 'Blocklist of the e2e test');

    // Refresh now: the networks and the skipped line show in the row.
    await page.getByRole('button', { name: 'Refresh feed e2e-list' }).click();
    await page.getByRole('status').filter({ hasText: 'Feed e2e-list fetched: 3 networks, 1 skipped' }).waitFor();
    const fetched = row('e2e-list');
    await fetched.getByText('3 networks').waitFor();
    const rowText = await fetched.innerText();
    assert.match(rowText, /Enabled/);
    assert.match(rowText, /1 skipped/);
    assert.match(rowText, /Fetched/);
    assert.match(rowText, /last: just now/);
    assert.match(rowText, /next: in (10|9) min( \d+ s)? · every 10 min/, 'the next fetch is one interval away');
    await fetched.getByText('1 skipped line').click();
    const skipped = fetched.getByRole('list', { name: 'Skipped lines of e2e-list' }).getByRole('listitem');
    assert.equal(await skipped.count(), 1);
    assert.match(await skipped.innerText(), /^line 5: .*not an address/);
    stored = (await admin.get('/api/v1/firewall/feeds/e2e-list')).body;
    assert.equal(stored.entries, 3, 'the server stored the three networks');
    assert.equal(stored.bad_lines, 1);
    await screenshot(page, 'firewall-feeds');

    // A refresh that takes a while shows that it runs, on this page and on it again after leaving it.
    const slow = await admin.post('/api/v1/firewall/feeds', { name: 'slow-list', source: slowFeed.url, refresh_s: 3600 });
    assert.equal(slow.status, 201, JSON.stringify(slow.body));
    await waitFor(
      async () => (await admin.get('/api/v1/firewall/feeds/slow-list')).body.last_fetch_at !== null,
      { timeoutMs: 20_000, intervalMs: 250, what: 'the first fetch of slow-list' },
    );
    // Feed changes are not on the stream: the list is read again when the page opens.
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Blocks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Firewall blocks' }).waitFor();
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Feeds' }).click();
    await row('slow-list').getByText('2 networks').waitFor();
    slowFeed.state.slow = true;
    const before = slowFeed.state.requests;
    await page.getByRole('button', { name: 'Refresh feed slow-list' }).click();
    await row('slow-list').getByRole('status').filter({ hasText: 'Fetching' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Refresh feed slow-list' }).getAttribute('aria-busy'), 'true');
    // The page stays usable: another feed's dialog opens and closes, and the section can be left.
    await page.getByRole('button', { name: 'Edit feed e2e-list' }).click();
    await page.getByRole('dialog', { name: 'Edit feed e2e-list' }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Blocks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Firewall blocks' }).waitFor();
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Feeds' }).click();
    await row('slow-list').getByRole('status').filter({ hasText: 'Fetching' }).waitFor();
    await row('slow-list').getByRole('status').filter({ hasText: 'Fetching' }).waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(slowFeed.state.requests, before + 1, 'one fetch');
    await row('slow-list').getByText('Fetched', { exact: true }).waitFor();
    slowFeed.state.slow = false;

    // A failed fetch says why, in a toast and in the row, and keeps the networks it had.
    slowFeed.state.failing = true;
    await page.getByRole('button', { name: 'Refresh feed slow-list' }).click();
    await page.getByRole('alert').filter({ hasText: 'Feed slow-list could not be fetched' }).waitFor();
    await row('slow-list').getByText('Failed', { exact: true }).waitFor();
    const lastError = (await admin.get('/api/v1/firewall/feeds/slow-list')).body.last_error;
    assert.ok(lastError, 'the server recorded the error');
    assert.match(await row('slow-list').innerText(), new RegExp(`Last error: ${lastError.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(await row('slow-list').innerText(), /2 networks/, 'the previous networks stay');
    slowFeed.state.failing = false;

    // Edit: only what changed is sent.
    await page.getByRole('button', { name: 'Edit feed e2e-list' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit feed e2e-list' });
    assert.equal(await edit.getByLabel('Name', { exact: true }).getAttribute('readonly'), '', 'the name cannot change');
    assert.equal(await edit.getByLabel('Refresh every', { exact: true }).inputValue(), '10m');
    await edit.getByLabel('Description', { exact: true }).fill('Edited in the e2e test');
    await edit.getByLabel('Refresh every', { exact: true }).fill('2h');
    const saved = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/firewall/feeds/e2e-list',
    );
    await edit.getByRole('button', { name: 'Save feed' }).click();
    const answer = await saved;
    assert.equal(answer.status(), 200, await answer.text());
    assert.deepEqual(JSON.parse(answer.request().postData() ?? '{}'), { refresh_s: 7200, description: 'Edited in the e2e test' });
    await edit.waitFor({ state: 'hidden' });
    await row('e2e-list').getByText('Edited in the e2e test').waitFor();
    await row('e2e-list').getByText('every 2 h').waitFor();

    // Disable, then delete with the confirm dialog.
    await page.getByRole('button', { name: 'Disable feed e2e-list' }).click();
    await row('e2e-list').getByText('Disabled', { exact: true }).waitFor();
    assert.match(await row('e2e-list').innerText(), /next: disabled/, 'no next fetch');
    await page.getByRole('button', { name: 'Enable feed e2e-list' }).waitFor();
    stored = (await admin.get('/api/v1/firewall/feeds/e2e-list')).body;
    assert.equal(stored.enabled, false);
    assert.equal(stored.next_fetch_at, null);

    // A policy that names the feed keeps it: the dialog says which, and the server's refusal shows in it.
    const policy = await admin.post('/api/v1/firewall/policies', {
      name: 'feed-users',
      document: {
        format: 1,
        objects: { address_sets: { bad: { feed: 'e2e-list' } } },
        chains: { input: { policy: 'accept', rules: [{ id: 'drop-bad', source: 'bad', action: 'drop' }] } },
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    await page.getByRole('button', { name: 'Delete feed e2e-list' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete feed e2e-list' });
    await confirm.getByText(/The newest version of policy feed-users names it/).waitFor();
    assert.equal(
      await confirm.getByRole('link', { name: 'feed-users' }).getAttribute('href'),
      `/firewall/policies/${policy.body.id}`,
    );
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByRole('alert').filter({ hasText: /used by the newest version of policy "feed-users"/ }).waitFor();
    await screenshot(page, 'firewall-feed-in-use');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal((await admin.request('DELETE', `/api/v1/firewall/policies/${policy.body.id}`)).status, 204);

    await page.getByRole('button', { name: 'Delete feed e2e-list' }).click();
    await confirm.getByText('Its 3 networks are forgotten.').waitFor();
    // The dialog shows the feed's cached users until its own read answers: the policy goes then.
    await confirm.getByText(/names it/).waitFor({ state: 'detached' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row('e2e-list').waitFor({ state: 'detached' });
    assert.deepEqual(
      (await admin.get('/api/v1/firewall/feeds')).body.items.map((f) => f.name),
      ['slow-list'],
    );
    await assertNotReloaded(page);
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_FEED, FEED_IN_USE] });
  });

  test('a viewer sees the feeds at 390 px without controls', async () => {
    const user = await admin.post('/api/v1/users', {
      username: 'vera',
      password: 'Viewer-Passphrase-5521',
      roles: ['viewer'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const viewer = await newPage(browser, { width: 390 });
    await signIn(viewer, server.url, 'vera', 'Viewer-Passphrase-5521');
    await viewer.goto(`${server.url}/firewall/feeds`);
    await viewer.getByRole('heading', { level: 1, name: 'Firewall feeds' }).waitFor();
    const slowRow = viewer.getByRole('table', { name: 'Feeds' }).getByRole('row').filter({ hasText: 'slow-list' });
    await slowRow.getByText('2 networks').waitFor();
    assert.match(await slowRow.innerText(), /Enabled/);
    const controls = /^(Add feed|Refresh now|Edit|Disable|Enable|Delete)$|feed slow-list$/;
    assert.equal(await viewer.getByRole('button', { name: controls }).count(), 0, 'no feed controls');
    const overflow = await viewer.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the feeds page is ${overflow} px wider than the 390 px viewport`);
    await screenshot(viewer, 'firewall-feeds-viewer');
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE] });
    await viewer.context().close();
  });
});
