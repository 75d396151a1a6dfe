// A WebSocket client of the server's event stream (/api/v1/stream), the way the portal holds one:
// a signed-in session's cookie on the upgrade request, the page's origin, text messages of JSON.
// Hand-written over node:https (RFC 6455: client frames masked, server frames not, ping answered
// with pong) because Node 20, which the e2e tests support, has no WebSocket without a flag.

import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';

import { waitFor } from './process.mjs';

/** RFC 6455, section 1.3: appended to the key before hashing it for Sec-WebSocket-Accept. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };
/** The stream sends small JSON messages; anything this large is a broken frame, not a message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * An open stream. `messages` holds every parsed JSON message received so far, oldest first.
 * Driven by the test's one event loop; not for sharing between tests.
 */
export class StreamSocket {
  /**
   * @param {import('node:net').Socket} socket the upgraded connection
   * @param {Buffer} head bytes read past the handshake
   */
  constructor(socket, head) {
    /** @type {any[]} */
    this.messages = [];
    /** @type {{code: number, reason: string} | null} set once the server closed the stream */
    this.closed = null;
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    /** @type {Buffer[]} fragments of a message whose final frame has not arrived yet */
    this.fragments = [];
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#receive(chunk));
    socket.on('close', () => {
      this.closed ??= { code: 1006, reason: 'connection lost' };
    });
    socket.on('error', () => {}); // 'close' follows and records it
    if (head.length > 0) this.#receive(head);
  }

  /**
   * Resolves with the first message (already received or still to come) that `predicate`
   * accepts; rejects after `timeoutMs`, or at once when the server closes the stream.
   * @param {(message: any) => boolean} predicate
   * @param {{timeoutMs?: number, what: string}} options
   * @returns {Promise<any>}
   */
  waitForMessage(predicate, { timeoutMs = 30_000, what }) {
    return waitFor(
      () => {
        const found = this.messages.find(predicate);
        if (found) return found;
        if (this.closed) {
          const { code, reason } = this.closed;
          throw new Error(`the stream closed (${code} ${reason}) before ${what}`);
        }
        return undefined;
      },
      { timeoutMs, intervalMs: 50, what: `${what} on the stream` },
    );
  }

  /** Sends a close frame and ends the connection. */
  close() {
    if (!this.socket.destroyed) {
      const status = Buffer.alloc(2);
      status.writeUInt16BE(1000);
      this.#send(OPCODE.close, status);
      this.socket.end();
    }
    this.closed ??= { code: 1000, reason: 'closed by the client' };
  }

  /** @param {Buffer} chunk */
  #receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    try {
      for (;;) {
        const frame = parseFrame(this.buffer);
        if (!frame) return;
        this.buffer = this.buffer.subarray(frame.size);
        this.#handle(frame);
      }
    } catch (error) {
      // A protocol error ends the stream; waitForMessage reports it instead of an uncaught throw.
      this.closed = { code: 1002, reason: error.message };
      this.socket.destroy();
    }
  }

  /** @param {{fin: boolean, opcode: number, payload: Buffer}} frame */
  #handle({ fin, opcode, payload }) {
    if (opcode === OPCODE.ping) {
      this.#send(OPCODE.pong, payload); // the server's keep-alive closes a silent client
    } else if (opcode === OPCODE.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.closed = { code, reason: payload.subarray(2).toString('utf8') };
      this.socket.end();
    } else if (opcode === OPCODE.text || opcode === OPCODE.continuation) {
      this.fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.fragments).toString('utf8');
      this.fragments = [];
      this.messages.push(JSON.parse(text)); // the stream sends JSON only: anything else fails
    }
  }

  /** @param {number} opcode @param {Buffer} payload */
  #send(opcode, payload) {
    if (this.socket.destroyed) return;
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    if (length < 126) {
      header[1] = 0x80 | length;
    } else {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2); // control frames and our close stay far below 64 KiB
    }
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i += 1) masked[i] ^= mask[i % 4];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }
}

/**
 * One frame at the start of `buffer`, or null when it has not arrived whole yet.
 * @param {Buffer} buffer
 * @returns {{fin: boolean, opcode: number, payload: Buffer, size: number} | null}
 */
function parseFrame(buffer) {
  if (buffer.length < 2) return null;
  const fin = (buffer[0] & 0x80) !== 0;
  const opcode = buffer[0] & 0x0f;
  const masked = (buffer[1] & 0x80) !== 0;
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (masked) throw new Error('the server sent a masked frame (RFC 6455 forbids it)');
  if (length > MAX_MESSAGE_BYTES) throw new Error(`the server sent a ${length}-byte frame`);
  if (buffer.length < offset + length) return null;
  return { fin, opcode, payload: buffer.subarray(offset, offset + length), size: offset + length };
}

/**
 * Opens `${baseUrl}/api/v1/stream` with the session of `client` (an ApiClient that has logged
 * in), sending the Origin a portal page on that server would send, and resolves once the server
 * has said hello. Rejects with the server's answer when it refuses the upgrade.
 * @param {import('./api.mjs').ApiClient} client
 * @param {{ca?: string|Buffer, path?: string}} [options] ca: the server's certificate
 * @returns {Promise<StreamSocket>}
 */
export async function openStream(client, { ca, path = '/api/v1/stream' } = {}) {
  const key = randomBytes(16).toString('base64');
  const headers = {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
    Origin: client.baseUrl,
  };
  if (client.cookies.size > 0) {
    headers.Cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  if (client.token) headers.Authorization = `Bearer ${client.token}`;
  const stream = await new Promise((resolve, reject) => {
    const request = https.request(new URL(path, client.baseUrl), {
      headers,
      ...(ca ? { ca } : { rejectUnauthorized: false }),
      timeout: 30_000,
    });
    request.on('upgrade', (response, socket, head) => {
      const expected = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
      if (response.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error('the server answered the upgrade with a wrong Sec-WebSocket-Accept'));
        return;
      }
      socket.setTimeout(0);
      resolve(new StreamSocket(socket, head));
    });
    request.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        reject(new Error(`the server refused the stream: ${response.statusCode} ${body}`));
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${path}: no upgrade in 30 s`)));
    request.on('error', reject);
    request.end();
  });
  await stream.waitForMessage((message) => message.type === 'hello', {
    timeoutMs: 10_000,
    what: 'the hello message',
  });
  return stream;
}
