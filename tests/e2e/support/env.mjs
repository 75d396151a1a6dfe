// Where the e2e tests find the build and put what they leave behind. Each setting comes from the
// environment (CTest sets all three) and falls back to the default build layout of this checkout.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: tests/e2e/support/../../.. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Directory holding sentinel-server, sentinel-agent and sentinelctl. */
export const binDir = path.resolve(
  process.env.SENTINEL_BIN_DIR || path.join(repoRoot, 'build/bin'),
);

/** The built portal the server serves at `/` (`make web` writes it). */
export const webRoot = path.resolve(
  process.env.SENTINEL_WEB_ROOT || path.join(repoRoot, 'web/dist'),
);

/** Logs and screenshots of the run; kept after it for people and CI to look at. */
export const artifactsDir = path.resolve(
  process.env.E2E_ARTIFACTS || path.join(repoRoot, 'tests/e2e/artifacts'),
);

/**
 * The absolute path of a file under the artifacts dir, creating its directory.
 * @param {...string} parts path segments below the artifacts dir
 * @returns {string}
 */
export function artifactPath(...parts) {
  const file = path.join(artifactsDir, ...parts);
  mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

/**
 * The path of a project binary; throws a message that says how to build it when it is missing.
 * @param {string} name e.g. "sentinel-server"
 * @returns {string}
 */
export function binaryPath(name) {
  const file = path.join(binDir, name);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: build it (make build) or set SENTINEL_BIN_DIR`);
  }
  return file;
}
