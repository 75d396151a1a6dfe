// Measures the portal's agent list in Chromium against a running server that holds many agents
// (bench/portal.sh sets it up), and the size of the first page's JavaScript and CSS. Times are
// taken inside the page with performance.now(): navigation start (or the input event) to the
// first frame painted after the DOM shows what a person waits for. Prints markdown table rows.
//
// node bench/portal/measure.mjs --url https://127.0.0.1:PORT --password PW --agents 10000
//   [--runs 5] [--filter web-fra] [--dist web/dist] [--user admin]

import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { entryAssets, gzipSizes } from './bundle.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

const { values: options } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string', default: 'admin' },
    password: { type: 'string' },
    agents: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    filter: { type: 'string', default: 'web-fra' },
    dist: { type: 'string', default: path.join(repoRoot, 'web/dist') },
  },
});
if (!options.url || !options.password) {
  console.error('usage: measure.mjs --url URL --password PASSWORD [--agents N] [--runs N] [--filter TEXT]');
  process.exit(2);
}
const agents = Number(options.agents);
const runs = Number(options.runs);

// playwright-core is the e2e tests' dependency (tests/e2e/package.json); the bench borrows it.
const playwrightPath =
  process.env.PLAYWRIGHT_CORE || path.join(repoRoot, 'tests/e2e/node_modules/playwright-core/index.mjs');
if (!existsSync(playwrightPath)) {
  console.error(`${playwrightPath} is missing: run "npm ci" in tests/e2e (or set PLAYWRIGHT_CORE)`);
  process.exit(2);
}
const { chromium } = await import(pathToFileURL(playwrightPath).href);
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const english = new Intl.NumberFormat('en-US');
const allText = `${english.format(agents)} agents`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/**
 * Runs in every document before its scripts: records when the agent grid first shows a row and
 * the count reads `expected`, at DOM commit and at the next painted frame. `window.__bench.t0`
 * may be set by the bench for an in-app navigation; 0 means navigation start.
 */
function watchForAgentList(expected) {
  const bench = { t0: 0, committed: null, painted: null, expected };
  window.__bench = bench;
  const check = () => {
    if (bench.committed !== null) return;
    const row = document.querySelector('[role="grid"][aria-label="Agents"] [role="row"][aria-rowindex="2"]');
    const count = [...document.querySelectorAll('[role="status"]')].some(
      (element) => element.textContent.trim() === bench.expected,
    );
    if (!row || !count) return;
    bench.committed = performance.now();
    // rAF runs just before the frame is drawn; a message posted from it is handled after.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => (bench.painted = performance.now());
      channel.port2.postMessage(null);
    });
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
}

/** In the page: types `text` into the search box as one input event and times the count update. */
async function timeFilter(page, text) {
  return page.evaluate(
    (text) =>
      new Promise((resolve, reject) => {
        const input = [...document.querySelectorAll('input')].find((element) => element.labels?.[0]?.textContent === 'Search');
        if (!input) return reject(new Error('no Search box'));
        const status = [...document.querySelectorAll('[role="status"]')].find((element) =>
          / agents?$/.test(element.textContent.trim()),
        );
        if (!status) return reject(new Error('no agent count'));
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const t0 = performance.now();
        setValue.call(input, text);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const done = () => {
          const shown = status.textContent.trim();
          if (!/ of /.test(shown)) return false;
          const committed = performance.now() - t0;
          const firstRow = document.querySelector('[role="grid"][aria-label="Agents"] [role="row"][aria-rowindex="2"]');
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () =>
              resolve({ shown, committed, painted: performance.now() - t0, firstRow: firstRow?.textContent ?? '' });
            channel.port2.postMessage(null);
          });
          return true;
        };
        if (done()) return;
        const observer = new MutationObserver(() => done() && observer.disconnect());
        observer.observe(status, { childList: true, subtree: true, characterData: true });
        setTimeout(() => reject(new Error(`the count did not change in 10 s (still "${status.textContent}")`)), 10_000);
      }),
    text,
  );
}

async function clearFilter(page) {
  await page.getByLabel('Search', { exact: true }).fill('');
  await page.getByRole('status').filter({ hasText: new RegExp(`^${allText}$`) }).waitFor();
}

/** The /api/v1/agents requests of this document: when the first started and the last ended. */
async function listFetch(page) {
  return page.evaluate(() => {
    const entries = performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/api/v1/agents?'));
    if (entries.length === 0) return null;
    return {
      requests: entries.length,
      start: Math.min(...entries.map((entry) => entry.startTime)),
      end: Math.max(...entries.map((entry) => entry.responseEnd)),
    };
  });
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const problems = [];
try {
  // The server's certificate is self-signed, made by the server the bench started on 127.0.0.1.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ignoreHTTPSErrors: true });
  await context.addInitScript(watchForAgentList, allText);
  const page = await context.newPage();
  let inFlight = 0;
  page.on('request', () => inFlight++);
  page.on('requestfinished', () => inFlight--);
  page.on('requestfailed', () => inFlight--);
  /** Resolves once no request has been in flight for 500 ms (the stream's WebSocket is no request). */
  const quiet = async () => {
    for (let idle = 0; idle < 500; idle = inFlight > 0 ? 0 : idle + 50) await page.waitForTimeout(50);
  };
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  // What the first visit loads: the sign-in page, measured by what Chromium fetched.
  const loaded = new Set();
  const encodings = new Set();
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!/\.(m?js|css)$/.test(url.pathname)) return;
    loaded.add(url.pathname);
    encodings.add(response.headers()['content-encoding'] ?? 'none');
  });
  await page.goto(`${options.url}/login`, { waitUntil: 'networkidle' });
  const loginAssets = [...loaded];
  await page.getByLabel('Username').fill(options.user);
  await page.getByLabel('Password').fill(options.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  // The overview is a page of the single-page app, loaded without a new document: wait for its
  // heading, then for its requests (its chunk, its data) to end.
  await page.locator('main h1').waitFor();
  await quiet();
  const homeAssets = [...loaded];

  // (a) A full page load of /agents: HTML, scripts, the session, every page of the list, render.
  const load = [];
  for (let run = 0; run < runs; run++) {
    await page.goto(`${options.url}/agents`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench?.painted !== null && window.__bench?.painted !== undefined, null, {
      timeout: 60_000,
    });
    const bench = await page.evaluate(() => window.__bench);
    const fetched = await listFetch(page);
    load.push({ painted: bench.painted, fetched });
  }

  // (a') In-app navigation from the overview: scripts already loaded, the list fetched and drawn.
  const inApp = [];
  for (let run = 0; run < runs; run++) {
    await page.goto(`${options.url}/`, { waitUntil: 'networkidle' });
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' });
    await page.evaluate(() => {
      document.addEventListener('click', () => (window.__bench.t0 = performance.now()), { capture: true, once: true });
    });
    await link.click();
    await page.waitForFunction(() => window.__bench?.painted != null, null, { timeout: 60_000 });
    const bench = await page.evaluate(() => window.__bench);
    inApp.push(bench.painted - bench.t0);
  }

  // (b) Filtering: the search box changes, the table and its count follow.
  await page.goto(`${options.url}/agents`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__bench?.painted != null, null, { timeout: 60_000 });
  const filter = [];
  let shown = '';
  for (let run = 0; run < runs; run++) {
    await clearFilter(page);
    const result = await timeFilter(page, options.filter);
    if (!result.firstRow.includes(options.filter)) {
      problems.push(`the first row after filtering for "${options.filter}" is "${result.firstRow}"`);
    }
    shown = result.shown;
    filter.push(result.painted);
  }

  const entry = gzipSizes(options.dist, entryAssets(options.dist));
  const login = gzipSizes(options.dist, loginAssets);
  const home = gzipSizes(options.dist, homeAssets);
  const fetchTimes = load.filter((run) => run.fetched).map((run) => run.fetched.end - run.fetched.start);
  const renderAfterData = load.filter((run) => run.fetched).map((run) => run.painted - run.fetched.end);
  const requests = load[0]?.fetched?.requests ?? 0;
  const agentsText = english.format(agents);

  console.log(`| /agents with ${agentsText} agents: navigation to first rows and "${allText}" painted (full page load, median of ${runs}) | ${ms(median(load.map((run) => run.painted)))} | no peer | goal 200 ms |`);
  console.log(`| ... of which until the first list request starts (HTML, scripts, session, page chunk) | ${ms(median(load.filter((run) => run.fetched).map((run) => run.fetched.start)))} | | |`);
  console.log(`| ... of which fetching the list (${requests} × GET /api/v1/agents?limit=1000, 4 at a time) | ${ms(median(fetchTimes))} | | |`);
  console.log(`| ... of which rendering after the last page arrived | ${ms(median(renderAfterData))} | | |`);
  console.log(`| in-app navigation Overview → Agents (scripts loaded; list fetched and rendered, median of ${runs}) | ${ms(median(inApp))} | no peer | |`);
  console.log(`| filter ${agentsText} agents: search "${options.filter}" to "${shown}" painted (median of ${runs}) | ${ms(median(filter))} | no peer | goal 200 ms |`);
  console.log(`| first page JS+CSS gzipped: index.html's ${entry.files.length} entry assets (${kb(entry.bytes)} raw) | ${kb(entry.gzipBytes)} | | goal 300 kB |`);
  console.log(`| ... what Chromium loaded for /login (${login.files.length} files) / for / after sign-in (${home.files.length} files), gzipped | ${kb(login.gzipBytes)} / ${kb(home.gzipBytes)} | | |`);
  const verdict = (value, goal) => (value <= goal ? 'met' : 'not met');
  const loadMedian = median(load.map((run) => run.painted));
  console.log('');
  console.log(
    `Reading: filtering is ${ms(median(filter))} (${verdict(median(filter), 200)}, goal 200 ms); drawing the ` +
      `${agentsText} rows once the list has arrived takes ${ms(median(renderAfterData))}; a full load of /agents ` +
      `takes ${ms(loadMedian)} (${verdict(loadMedian, 200)} against 200 ms), most of it loading the scripts and ` +
      `fetching ${requests} pages of agents from the server. First page ${kb(entry.gzipBytes)} gzipped ` +
      `(${verdict(entry.gzipBytes, 300_000)}, goal 300 kB); ` +
      (encodings.has('none')
        ? `the server sent them uncompressed (${kb(entry.bytes)} on the wire).`
        : `the server sent them with content-encoding ${[...encodings].join(', ')}.`),
  );
  console.error(`assets: /login ${loginAssets.join(' ')}; / ${homeAssets.join(' ')}`);
  console.error(`runs (ms): load ${load.map((run) => Math.round(run.painted)).join(' ')}; in-app ${inApp.map(Math.round).join(' ')}; filter ${filter.map((t) => t.toFixed(1)).join(' ')}`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(`problems seen during the bench:\n${problems.join('\n')}`);
  process.exitCode = 1;
}
