// Debian's Chromium driven by playwright-core (which never downloads a browser), pages that record
// every console error, and screenshots into the artifacts dir.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { chromium } from 'playwright-core';

import { artifactPath } from './env.mjs';
import { nextTotp } from './totp.mjs';

/** Debian's package `chromium` (scripts/install-deps.sh installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags that work on these machines: root in a container, no GPU, no calls home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** @type {WeakMap<import('playwright-core').Page, {width: number, errors: string[]}>} */
const pages = new WeakMap();

/**
 * Starts headless Chromium. Throws (the test fails, it is not skipped) when Chromium is missing.
 * @returns {Promise<import('playwright-core').Browser>} close it with `browser.close()`
 */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run scripts/install-deps.sh ` +
        '(Debian package chromium) or set CHROMIUM_PATH',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A page in its own context (own cookies) with a viewport `width` px wide. Every console message
 * of type error and every uncaught page error is recorded for `assertNoConsoleErrors`.
 * @param {import('playwright-core').Browser} browser
 * @param {{width: number, height?: number}} viewport
 * @returns {Promise<import('playwright-core').Page>} its context closes with the browser
 */
export async function newPage(browser, { width, height = 900 }) {
  // The test server's certificate is self-signed and made fresh by each server.
  const context = await browser.newContext({
    viewport: { width, height },
    ignoreHTTPSErrors: true,
  });
  const page = await context.newPage();
  const record = { width, errors: [] };
  pages.set(page, record);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    const where = url ? ` (at ${url}:${lineNumber})` : '';
    record.errors.push(`console error: ${message.text()}${where}`);
  });
  page.on('pageerror', (error) => {
    record.errors.push(`uncaught: ${error.stack || error.message}`);
  });
  return page;
}

/**
 * The console errors and uncaught exceptions the page has had so far, for failure messages.
 * @param {import('playwright-core').Page} page made by `newPage`
 * @returns {string[]}
 */
export function consoleErrors(page) {
  return [...(pages.get(page)?.errors ?? [])];
}

/**
 * Fails with every console error and uncaught exception the page has had, except those matching
 * one of `allow` (for errors the test itself provokes).
 * @param {import('playwright-core').Page} page made by `newPage`
 * @param {{allow?: RegExp[]}} [options]
 */
export function assertNoConsoleErrors(page, { allow = [] } = {}) {
  const record = pages.get(page);
  assert.ok(record, 'assertNoConsoleErrors needs a page made by newPage');
  const unexpected = record.errors.filter((error) => !allow.some((pattern) => pattern.test(error)));
  assert.deepEqual(unexpected, [], `the page at ${page.url()} logged errors`);
}

/**
 * Saves a full-page PNG as E2E_ARTIFACTS/screenshots/NAME-WIDTH.png.
 * @param {import('playwright-core').Page} page made by `newPage`
 * @param {string} name e.g. "login"
 * @returns {Promise<string>} the file written
 */
export async function screenshot(page, name) {
  // The viewport as it is now: a test may narrow a page for one screenshot.
  const width = page.viewportSize()?.width ?? pages.get(page)?.width ?? 0;
  const file = artifactPath('screenshots', `${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in on the login page at `baseUrl` (with a TOTP code when the user has a secret) and waits for the overview. */
export async function signIn(page, baseUrl, username, password, totpSecret) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (totpSecret) {
    await page.getByLabel('Authentication code').fill(await nextTotp(totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** Marks the document so that a test can prove that nothing reloaded it. */
export async function markDocument(page) {
  await page.evaluate(() => {
    window.__sentinelNoReload = true;
  });
}

/** Fails when the document marked by markDocument was replaced (a full reload). */
export async function assertNotReloaded(page) {
  assert.equal(await page.evaluate(() => window.__sentinelNoReload), true, 'the page reloaded');
}
