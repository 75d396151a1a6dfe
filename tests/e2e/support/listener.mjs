// TCP services of the test's own on 127.0.0.1 for scans to find: each connection gets a banner
// (which the scanners name as a service) and is closed.

import net from 'node:net';

/**
 * A TCP listener on 127.0.0.1 that writes `banner()` to each connection and closes it.
 * @param {number} port 0 for any free port
 * @param {() => string} banner asked per connection, so a test can change the service
 * @returns {Promise<{port: number, close: () => Promise<void>}>}
 */
export async function bannerListener(port, banner) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(banner());
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: /** @type {net.AddressInfo} */ (server.address()).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
