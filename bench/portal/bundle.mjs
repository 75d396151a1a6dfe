// Gzipped size of the portal's JavaScript and CSS: what index.html makes every first visit load
// (the /login page and the shell of every other page), and any list of asset paths.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The scripts, module preloads and stylesheets index.html references: what a browser fetches
 * before the first page can render. Lazy page chunks are not among them.
 * @param {string} distDir the built portal (web/dist)
 * @returns {string[]} paths as the HTML names them, e.g. "/assets/index-XXXX.js"
 */
export function entryAssets(distDir) {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const assets = new Set();
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isScript = tag.startsWith('<script');
    const rel = /\brel="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (!isScript && rel !== 'stylesheet' && rel !== 'modulepreload') continue;
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if (url && /\.(m?js|css)$/.test(url)) assets.add(url);
  }
  return [...assets];
}

/**
 * Raw and gzipped bytes of each asset (zlib's default level 6, what web servers commonly use).
 * @param {string} distDir
 * @param {string[]} assets paths below distDir ("/assets/x.js")
 * @returns {{files: {asset: string, bytes: number, gzipBytes: number}[], bytes: number, gzipBytes: number}}
 */
export function gzipSizes(distDir, assets) {
  const files = assets.map((asset) => {
    const content = readFileSync(path.join(distDir, asset.replace(/^\//, '')));
    return { asset, bytes: content.length, gzipBytes: gzipSync(content).length };
  });
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}

// `node bench/portal/bundle.mjs [web/dist]` prints the entry assets and their sizes.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const distDir = path.resolve(process.argv[2] ?? 'web/dist');
  const sizes = gzipSizes(distDir, entryAssets(distDir));
  for (const file of sizes.files) console.log(`${file.asset} ${file.bytes} B, gzip ${file.gzipBytes} B`);
  console.log(`total ${sizes.bytes} B, gzip ${sizes.gzipBytes} B`);
}
