// The firewall pages end to end (issue 7): a real server and Debian's Chromium. One server for the
// file; the tests run in order and build on each other (the policy the first one creates is the
// one later ones look at). No agent runs: an agent would change the host's nftables, which tests
// may only do inside network namespaces, so agent state is only seen empty here; blocks and their
// live updates need no agent. Nothing is sent anywhere: blocks of 203.0.113.0/24 (TEST-NET-3) are
// only stored and listed.

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
import { startServer } from './support/server.mjs';

const LIVE_TIMEOUT = 20_000;

/** Chromium logs every 4xx answer as a console error; these are the ones the tests provoke. */
const SIGN_IN_PROBE = /status of 401 .*\/api\/v1\/auth\/(me|login)\b/;
const REFUSED_POLICY = /status of 400 .*\/api\/v1\/firewall\/policies\b/;
const STALE_SAVE = /status of 409 .*\/api\/v1\/firewall\/policies\/\d+\b/;
const ALLOW_LISTED = /status of 409 .*\/api\/v1\/firewall\/blocks\b/;

/** The editor's text of a policy document. */
const text = (document) => `${JSON.stringify(document, null, 2)}\n`;

const rule = (id, port, extra = {}) => ({ id, protocol: 'tcp', ports: port, action: 'accept', ...extra });

/** One error (a port out of range) and one warning (a rule the one before it shadows). */
const BROKEN = {
  format: 1,
  chains: {
    input: {
      policy: 'drop',
      rules: [rule('ssh', 22), rule('bad-port', 99999), rule('web', 80), rule('web-again', 80)],
    },
  },
};
const GOOD = { format: 1, chains: { input: { policy: 'drop', rules: [rule('ssh', 22), rule('web', 80)] } } };
const WITH_HTTPS = {
  format: 1,
  chains: { input: { policy: 'drop', rules: [rule('ssh', 22), rule('web', 80), rule('https', 443)] } },
};
const FROM_API = {
  format: 1,
  chains: {
    input: { policy: 'drop', rules: [rule('ssh', 22), rule('web', 80), rule('https', 443), rule('api-rule', 8080)] },
  },
};

/** TEST-NET-3: an address nobody uses, never sent anything (no agent runs). */
const BLOCKED = '203.0.113.9';

describe('firewall pages', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {ApiClient} an API token of the admin, for checking what the browser did */
  let admin;
  /** @type {import('playwright-core').Page} the admin's page, kept across tests */
  let page;
  let policyId = 0;

  before(async () => {
    browser = await launchBrowser();
    server = await startServer({ webRoot, name: 'firewall-server' });
    admin = await server.adminApi();
    page = await newPage(browser, { width: 1440 });
    await signIn(page, server.url, 'admin', server.adminPassword);
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });



  const editor = () => page.getByLabel('Policy document (JSON)');
  /** A rule's row group in the rules view: the rule's row and the rows of its problems. */
  const ruleGroup = (id) => page.getByRole('rowgroup', { name: `Rule ${id}`, exact: true });

  test('a policy is written in the editor: a broken one shows each problem next to its rule, a good one is saved and in the history', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Firewall' }).click();
    await page.getByRole('heading', { level: 1, name: 'Firewall' }).waitFor();
    await page.getByText('No agent has received a firewall policy yet').waitFor();
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Policies' }).click();
    await page.getByText('No firewall policies yet').waitFor();
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'New firewall policy' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('web-servers');
    await page.getByLabel('Description', { exact: true }).fill('Front web servers');
    const broken = text(BROKEN);
    await editor().fill(broken);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Validated: 1 error, 1 warning — the server refuses to save it.').waitFor();

    const portLine = broken.split('\n').findIndex((line) => line.includes('99999')) + 1;
    const badPort = ruleGroup('bad-port').getByRole('listitem');
    assert.equal(await badPort.count(), 1, 'one problem next to rule bad-port');
    const badPortText = await badPort.innerText();
    assert.match(badPortText, /^Error a port must be 1-65535, got 99999 \(out of range · ports, line \d+\)$/);
    assert.match(badPortText, new RegExp(`line ${portLine}\\b`), 'the problem names its line in the text');
    const shadowed = ruleGroup('web-again').getByRole('listitem');
    assert.equal(await shadowed.count(), 1, 'one problem next to rule web-again');
    assert.match(await shadowed.innerText(), /^Warning rule "web-again" never matches: .*"web"/);
    for (const clean of ['ssh', 'web']) {
      assert.equal(await ruleGroup(clean).getByRole('listitem').count(), 0, `no problem next to rule ${clean}`);
    }
    await screenshot(page, 'firewall-policy-problems');

    // Saving it anyway is refused with the server's message; nothing is stored.
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('alert').filter({ hasText: 'the policy has 1 error' }).waitFor();
    // The refusal lists every problem, and each stays next to its rule.
    await page.getByText('Not saved: 1 error, 1 warning.').waitFor();
    assert.equal(await ruleGroup('bad-port').getByRole('listitem').count(), 1, 'the refused port stays at its rule');
    assert.equal(await ruleGroup('web-again').getByRole('listitem').count(), 1, 'the warning stays at its rule');
    assert.equal((await admin.get('/api/v1/firewall/policies')).body.total, 0, 'no policy was made');

    await editor().fill(text(GOOD));
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Validated: no problems.').waitFor();
    assert.equal(await page.getByRole('rowgroup', { name: /^Rule / }).getByRole('listitem').count(), 0);
    await page.getByLabel('Comment for this version').fill('first cut');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Policy web-servers' }).waitFor();
    policyId = Number(new URL(page.url()).pathname.split('/').pop());
    const stored = (await admin.get(`/api/v1/firewall/policies/${policyId}`)).body;
    assert.equal(stored.version, 1);
    assert.equal(stored.description, 'Front web servers');
    assert.deepEqual(
      stored.document.chains.input.rules.map((r) => r.id),
      ['ssh', 'web'],
    );
    await markDocument(page);

    // A second version from the editor, based on version 1.
    await editor().fill(text(WITH_HTTPS));
    await page.getByLabel('Comment for this version').fill('open https');
    const saved = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/api/v1/firewall/policies/${policyId}`,
    );
    await page.getByRole('button', { name: 'Save new version' }).click();
    const answer = await saved;
    assert.equal(answer.status(), 200, await answer.text());
    assert.equal(JSON.parse(answer.request().postData() ?? '{}').base_version, 1, 'the save names its base version');
    await page.getByText('Saved version 2 of web-servers.').waitFor();

    // Someone else saves version 3 while the editor holds a draft: the page learns it from the
    // stream and keeps the draft, whose save is then refused with an offer to reload.
    await editor().fill(text({ ...WITH_HTTPS, description: 'late edit' }));
    const other = await admin.request('PUT', `/api/v1/firewall/policies/${policyId}`, {
      document: FROM_API,
      comment: 'from the API',
      base_version: 2,
    });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    await page.getByText(/^Version 3, saved .* by admin: “from the API”$/).waitFor({ timeout: LIVE_TIMEOUT });
    assert.match(await editor().inputValue(), /late edit/, 'the draft is kept');
    await page.getByRole('button', { name: 'Save new version' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Version conflict' });
    await conflict.getByText(/is at version 3; this change is based on version 2/).waitFor();
    await screenshot(page, 'firewall-policy-conflict');
    await conflict.getByRole('button', { name: 'Reload newest version' }).click();
    await conflict.waitFor({ state: 'detached' });
    assert.match(await editor().inputValue(), /"api-rule"/, 'the editor holds version 3');
    await ruleGroup('api-rule').waitFor();
    await page.getByText('Your edits before the reload').waitFor();

    await page.getByRole('tab', { name: 'History' }).click();
    const versions = page.getByRole('table', { name: 'Policy versions' }).getByRole('row');
    await versions.filter({ hasText: 'from the API' }).waitFor();
    assert.equal(await versions.count(), 4, 'a header and three versions');
    assert.match(await versions.nth(1).innerText(), /v3\s+newest.*admin\s+from the API/s);
    assert.match(await versions.nth(2).innerText(), /v2.*admin\s+open https/s);
    assert.match(await versions.nth(3).innerText(), /v1.*admin\s+first cut/s);

    // The diff of the two newest versions, then of the first two.
    const changes = page.getByRole('table', { name: 'Rule changes' });
    await changes.getByRole('row').filter({ hasText: 'api-rule' }).waitFor();
    assert.match(await changes.getByRole('row').filter({ hasText: 'api-rule' }).innerText(), /Added\s+api-rule\s+input #4/);
    await page.getByLabel('From', { exact: true }).selectOption('1');
    await page.getByLabel('To', { exact: true }).selectOption('2');
    await page.getByText('From v1 to v2: 1 rule: 1 added').waitFor();
    assert.match(await changes.getByRole('row').filter({ hasText: 'https' }).innerText(), /Added\s+https\s+input #3/);
    await screenshot(page, 'firewall-policy-history');

    // Rollback makes version 4 with version 1's document.
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back to v1' });
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await versions.filter({ hasText: 'rollback to version 1' }).waitFor();
    const rolled = (await admin.get(`/api/v1/firewall/policies/${policyId}`)).body;
    assert.equal(rolled.version, 4);
    assert.deepEqual(
      rolled.document.chains.input.rules.map((r) => r.id),
      ['ssh', 'web'],
    );

    // The editor, untouched since the reload, shows the rolled-back document.
    await page.getByRole('tab', { name: 'Editor' }).click();
    assert.doesNotMatch(await editor().inputValue(), /"api-rule"/);

    await page.getByRole('tab', { name: 'Preview' }).click();
    const ruleset = page.getByLabel('nftables ruleset');
    await ruleset.waitFor();
    const nft = await ruleset.innerText();
    assert.match(nft, /^table inet sentinel \{\}/);
    assert.match(nft, /tcp dport 22 accept comment "ssh"/);
    assert.match(nft, /policy drop;/);
    await assertNotReloaded(page);
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_POLICY, STALE_SAVE] });
  });

  test('a manual block is listed with its expiry counting down, arrives live, and is unblocked; an allow-listed address is refused with the server’s message', async () => {
    await page.getByRole('navigation', { name: 'Firewall' }).getByRole('link', { name: 'Blocks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Firewall blocks' }).waitFor();
    await page.getByText('No active blocks').waitFor();
    await markDocument(page);

    await page.getByRole('button', { name: 'Block address' }).click();
    let dialog = page.getByRole('dialog', { name: 'Block an address' });
    await dialog.getByLabel('Address').fill(BLOCKED);
    await dialog.getByLabel('Duration').fill('10m');
    await dialog.getByLabel('Reason').fill('e2e brute force');
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    const blocks = page.getByRole('table', { name: 'Blocks' });
    const row = blocks.getByRole('row').filter({ hasText: BLOCKED });
    await row.waitFor();
    const rowText = await row.innerText();
    assert.match(rowText, /All agents/);
    assert.match(rowText, /e2e brute force/);
    assert.match(rowText, /Manual\s+by admin/);
    assert.match(rowText, /10 min/);
    const expires = row.locator('time').last();
    const first = await expires.innerText();
    assert.match(first, /^in (10 min|9 min \d+ s)$/);
    // The countdown moves on without asking the server.
    await page.waitForFunction(
      ([element, before]) => element.textContent !== before,
      [await expires.elementHandle(), first],
      { timeout: LIVE_TIMEOUT },
    );
    const stored = (await admin.get('/api/v1/firewall/blocks?active=true')).body;
    assert.equal(stored.total, 1);
    assert.equal(stored.items[0].address, BLOCKED);
    assert.equal(stored.items[0].duration_s, 600);
    assert.equal(stored.items[0].requested_by, 'admin');
    await screenshot(page, 'firewall-blocks');

    // A block made elsewhere arrives by the stream.
    const elsewhere = await admin.post('/api/v1/firewall/blocks', {
      address: '203.0.113.10',
      duration_s: 3600,
      group: 'web',
      reason: 'from the API',
    });
    assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.body));
    await blocks.getByRole('row').filter({ hasText: '203.0.113.10' }).getByText('Group web').waitFor({ timeout: LIVE_TIMEOUT });

    await row.getByRole('button', { name: `Unblock ${BLOCKED}` }).click();
    dialog = page.getByRole('dialog', { name: `Unblock ${BLOCKED}` });
    await dialog.getByRole('button', { name: 'Unblock', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    const lifted = (await admin.get(`/api/v1/firewall/blocks/${stored.items[0].id}`)).body;
    assert.equal(lifted.active, false);
    assert.equal(lifted.removed_by, 'admin');
    await page.getByLabel('Show').selectOption('all');
    await blocks.getByRole('row').filter({ hasText: BLOCKED }).getByText('lifted by admin').waitFor();

    // 127.0.0.1 is always allow-listed: the server refuses and the dialog says why, at the address.
    await page.getByRole('button', { name: 'Block address' }).click();
    dialog = page.getByRole('dialog', { name: 'Block an address' });
    await dialog.getByLabel('Address').fill('127.0.0.1');
    const refused = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/firewall/blocks',
    );
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    const refusal = await refused;
    assert.equal(refusal.status(), 409);
    const message = (await refusal.json()).error.message;
    assert.match(message, /loopback \(127\.0\.0\.0\/8\)/, 'the server names the entry');
    await dialog.getByText(message, { exact: true }).waitFor();
    assert.equal(await dialog.getByLabel('Address').getAttribute('aria-invalid'), 'true');
    assert.ok(await dialog.isVisible(), 'the dialog stays open');
    await screenshot(page, 'firewall-block-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const all = (await admin.get('/api/v1/firewall/blocks')).body;
    assert.ok(!all.items.some((b) => b.address === '127.0.0.1'), 'no block of 127.0.0.1 was stored');

    // The allow-list shows the built-in entries and takes an admin network.
    const allowList = page.getByRole('table', { name: 'Allow-list' });
    assert.match(await allowList.getByRole('row').filter({ hasText: '127.0.0.0/8' }).innerText(), /loopback\s+Built in/);
    const add = page.getByRole('form', { name: 'Add to the allow-list' });
    await add.getByLabel('Network to allow').fill('198.51.100.0/24');
    await add.getByLabel('Comment').fill('partner network');
    await add.getByRole('button', { name: 'Add' }).click();
    const entry = allowList.getByRole('row').filter({ hasText: '198.51.100.0/24' });
    await entry.getByText('partner network').waitFor();
    await entry.getByRole('button', { name: 'Remove 198.51.100.0/24 from the allow-list' }).click();
    dialog = page.getByRole('dialog', { name: 'Remove 198.51.100.0/24' });
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await entry.waitFor({ state: 'detached' });
    await assertNotReloaded(page);
    // The page is the first test's too: its refusals are still in the record.
    assertNoConsoleErrors(page, { allow: [SIGN_IN_PROBE, REFUSED_POLICY, STALE_SAVE, ALLOW_LISTED] });
  });

  test('a viewer reads every firewall page at 390 px without write actions, console errors or overflow', async () => {
    const user = await admin.post('/api/v1/users', {
      username: 'vera',
      password: 'Viewer-Passphrase-5521',
      roles: ['viewer'],
    });
    assert.ok(user.status < 300, JSON.stringify(user.body));
    const viewer = await newPage(browser, { width: 390 });
    await signIn(viewer, server.url, 'vera', 'Viewer-Passphrase-5521');
    const pages = [
      ['firewall-status', '/firewall', 'Firewall'],
      ['firewall-policies', '/firewall/policies', 'Firewall policies'],
      ['firewall-policy', `/firewall/policies/${policyId}`, 'Policy web-servers'],
      ['firewall-policy-history', `/firewall/policies/${policyId}?tab=history`, 'Policy web-servers'],
      ['firewall-blocks', '/firewall/blocks?show=all', 'Firewall blocks'],
    ];
    const writeActions = /^(Apply now|New policy|Validate|Save new version|Delete|Roll back to v\d+|Block address|Unblock .*|Add|Save assignments)$/;
    for (const [name, route, heading] of pages) {
      await viewer.goto(`${server.url}${route}`);
      await viewer.getByRole('heading', { level: 1, name: heading }).waitFor();
      await viewer.waitForLoadState('networkidle');
      await viewer.getByRole('status', { name: /^Loading/ }).first().waitFor({ state: 'hidden' });
      assert.equal(await viewer.getByRole('button', { name: writeActions }).count(), 0, `no write action on ${route}`);
      const overflow = await viewer.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${route} is ${overflow} px wider than the 390 px viewport`);
      assert.doesNotMatch(await viewer.locator('body').innerText(), /\bat [\w.]+ \(|"error":/);
      await screenshot(viewer, name);
    }
    assert.equal(await viewer.getByLabel('Policy document (JSON)').count(), 0, 'the blocks page has no editor');
    await viewer.goto(`${server.url}/firewall/policies/${policyId}`);
    assert.equal(await viewer.getByLabel('Policy document (JSON)').getAttribute('readonly'), '', 'read-only');
    assertNoConsoleErrors(viewer, { allow: [SIGN_IN_PROBE] });
    await viewer.context().close();
  });
});
