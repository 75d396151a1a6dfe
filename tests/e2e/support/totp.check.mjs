// Checks the TOTP helper against the SHA-1 vectors of RFC 6238 appendix B. Imported by the first
// e2e test, so that a wrong helper fails there and not as a puzzling 401 in a 2FA test.

import assert from 'node:assert/strict';

import { totp } from './totp.mjs';

/** base32 of the RFC's ASCII key "12345678901234567890". */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** [Unix time in seconds, 8-digit code] from RFC 6238 appendix B, SHA-1 column. */
const RFC_VECTORS = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

/** Throws an AssertionError naming the first vector the helper gets wrong. */
export function checkTotpAgainstRfc6238() {
  for (const [seconds, code] of RFC_VECTORS) {
    assert.equal(totp(RFC_SECRET, { timeMs: seconds * 1000, digits: 8 }), code, `T=${seconds}`);
    // Six digits, as the server and authenticator apps use, are the last six of the same number.
    const sixDigits = totp(RFC_SECRET, { timeMs: seconds * 1000 });
    assert.equal(sixDigits, code.slice(2), `T=${seconds}, 6 digits`);
  }
}
