// RFC 6238 TOTP codes (HMAC-SHA-1, 30 s steps), as an authenticator app makes them, so that tests
// can pass two-factor login. Independent of the server's code on purpose.

import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Decodes RFC 4648 base32 (case-insensitive; spaces and "=" padding ignored).
 * @param {string} text
 * @returns {Buffer}
 */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`base32: invalid character '${char}'`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * The TOTP code for a base32 secret.
 * @param {string} secret base32, as in the otpauth:// URI
 * @param {{timeMs?: number, stepSeconds?: number, digits?: number}} [options]
 *   timeMs defaults to now
 * @returns {string} zero-padded code
 */
export function totp(secret, { timeMs = Date.now(), stepSeconds = 30, digits = 6 } = {}) {
  const counter = BigInt(Math.floor(timeMs / 1000 / stepSeconds));
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * Milliseconds until the current code expires.
 * @param {number} [stepSeconds]
 * @returns {number}
 */
export function msUntilNextStep(stepSeconds = 30) {
  const stepMs = stepSeconds * 1000;
  return stepMs - (Date.now() % stepMs);
}

/**
 * The current code, after waiting out the last 3 s of a step so that it is still valid when the
 * browser or the API client has sent it.
 * @param {string} secret base32
 * @returns {Promise<string>}
 */
export async function currentTotp(secret) {
  if (msUntilNextStep() < 3000) await sleep(msUntilNextStep() + 200);
  return totp(secret);
}

/**
 * The code of the next step, waiting (up to 30 s) until it is current. The server accepts each code
 * once, so a test that has just used a code (to confirm 2FA, say) needs this one to sign in.
 * @param {string} secret base32
 * @returns {Promise<string>}
 */
export async function nextTotp(secret) {
  await sleep(msUntilNextStep() + 200);
  return totp(secret);
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
