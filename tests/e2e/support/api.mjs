// A small HTTPS JSON client for tests to set up and check state through the API, the way a script
// would: session login (cookie + CSRF header) or a bearer token.

import https from 'node:https';

/**
 * @typedef {object} ApiResponse
 * @property {number} status
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {any} body parsed JSON, the text when it is not JSON, or null when empty
 */

/** One client per identity; keeps its session cookie and CSRF token. Not for concurrent logins. */
export class ApiClient {
  /**
   * @param {string} baseUrl "https://127.0.0.1:PORT"
   * @param {{ca?: string|Buffer, token?: string}} [options]
   *   ca: the server's certificate (PEM) to verify it with; token: an API token for Bearer auth
   */
  constructor(baseUrl, { ca, token } = {}) {
    this.baseUrl = baseUrl;
    this.token = token;
    /** @type {Map<string, string>} */
    this.cookies = new Map();
    /** @type {string|undefined} */
    this.csrfToken = undefined;
    // Each test server makes its own self-signed certificate. With `ca` we verify against it;
    // without, the test has nothing to verify with, and the connection only ever goes to a
    // 127.0.0.1 server that the test started itself.
    this.agent = new https.Agent(ca ? { ca } : { rejectUnauthorized: false });
  }

  /**
   * Signs in and keeps the session; throws when the server does not answer 200.
   * @param {string} username
   * @param {string} password
   * @param {string} [totp] a current TOTP code or a recovery code
   * @returns {Promise<ApiResponse>}
   */
  async login(username, password, totp) {
    const credentials = totp === undefined ? { username, password } : { username, password, totp };
    const response = await this.post('/api/v1/auth/login', credentials);
    if (response.status !== 200) {
      const answer = `${response.status} ${JSON.stringify(response.body)}`;
      throw new Error(`login as ${username} failed: ${answer}`);
    }
    this.csrfToken = response.body.csrf_token;
    return response;
  }

  /** @param {string} path @returns {Promise<ApiResponse>} */
  get(path) {
    return this.request('GET', path);
  }

  /** @param {string} path @param {unknown} [body] @returns {Promise<ApiResponse>} */
  post(path, body = {}) {
    return this.request('POST', path, body);
  }

  /** @param {string} path @param {unknown} body @returns {Promise<ApiResponse>} */
  patch(path, body) {
    return this.request('PATCH', path, body);
  }

  /** @param {string} path @returns {Promise<ApiResponse>} */
  delete(path) {
    return this.request('DELETE', path);
  }

  /**
   * Any request; resolves with every status (tests assert on it), rejects only on network errors.
   * @param {string} method
   * @param {string} path starting with "/"
   * @param {unknown} [body] sent as JSON when given
   * @returns {Promise<ApiResponse>}
   */
  request(method, path, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookies.size > 0) {
      headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (this.csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      headers['X-CSRF-Token'] = this.csrfToken;
    }
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return new Promise((resolve, reject) => {
      const request = https.request(
        new URL(path, this.baseUrl),
        { method, headers, agent: this.agent, timeout: 30_000 },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => {
            this.#keepCookies(response.headers['set-cookie'] ?? []);
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: parse(text),
            });
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => {
        request.destroy(new Error(`${method} ${path}: no answer in 30 s`));
      });
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** @param {string[]} setCookies Set-Cookie header values */
  #keepCookies(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (this.cookies.size === 0) this.csrfToken = undefined; // logged out: the token died too
  }
}

/** @param {string} text @returns {any} */
function parse(text) {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
