// Smoke test of the portal: the real server serves the built portal, which renders in Chromium on a
// desktop and a phone width without console errors; the API describes itself.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  assertNoConsoleErrors,
  consoleErrors,
  launchBrowser,
  newPage,
  screenshot,
} from './support/browser.mjs';
import { webRoot } from './support/env.mjs';
import { startServer } from './support/server.mjs';
import { checkTotpAgainstRfc6238 } from './support/totp.check.mjs';

test('harness: the TOTP helper gives the RFC 6238 codes', () => {
  checkTotpAgainstRfc6238();
});

describe('portal smoke', () => {
  /** @type {import('./support/server.mjs').TestServer} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;

  before(async () => {
    assert.ok(
      existsSync(path.join(webRoot, 'index.html')),
      `${webRoot}/index.html is missing: build the portal (make web) or set SENTINEL_WEB_ROOT`,
    );
    browser = await launchBrowser();
    server = await startServer({ webRoot, name: 'smoke-server' });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  for (const width of [1440, 390]) {
    test(`the portal renders at ${width} px without console errors`, async () => {
      const page = await newPage(browser, { width });
      const response = await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
      assert.equal(response?.status(), 200, 'GET / status');
      assert.match(response.headers()['content-type'] ?? '', /^text\/html/, 'GET / content type');
      assert.notEqual((await page.title()).trim(), '', 'the page has a <title>');
      // A page that crashed while rendering shows an empty root: what a user sees as a blank page.
      const rendered = () => (document.getElementById('root')?.childElementCount ?? 0) > 0;
      await page.waitForFunction(rendered, null, { timeout: 10_000 }).catch(() => {
        const errors = JSON.stringify(consoleErrors(page));
        assert.fail(`#root is still empty after 10 s; page errors: ${errors}`);
      });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the ${width} px viewport`);
      await screenshot(page, 'smoke-start');
      // Before sign-in the portal asks who is signed in and is told 401; Chromium logs every
      // failed request as a console error, so that one answer is expected.
      assertNoConsoleErrors(page, {
        allow: [/status of 401 .*\/api\/v1\/auth\/me\b/],
      });
    });
  }

  test("the portal's scripts and styles travel gzipped (web/scripts/compress.mjs)", async () => {
    const page = await newPage(browser, { width: 1440 });
    /** @type {import('playwright-core').Response[]} */
    const assets = [];
    page.on('response', (response) => {
      if (/\/assets\/[^/]+\.(js|css)$/.test(new URL(response.url()).pathname)) assets.push(response);
    });
    await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
    assert.ok(assets.length >= 2, 'the sign-in page loads its script and style sheet');
    for (const asset of assets) {
      const headers = await asset.allHeaders();
      assert.equal(headers['content-encoding'], 'gzip', asset.url());
      assert.match(headers['cache-control'] ?? '', /immutable/, asset.url());
    }
  });

  test('the API describes itself at /api/v1/openapi.json', async () => {
    const response = await server.api().get('/api/v1/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(typeof response.body, 'object', 'the document is JSON');
    assert.match(String(response.body.openapi), /^3\./, 'an OpenAPI 3 document');
    assert.ok(response.body.paths?.['/api/v1/auth/login'], 'it lists the login route');
  });
});
