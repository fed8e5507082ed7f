import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listening and closing for the local servers (dynalite, the link server, and the tests'
 * fake upstream), written once: on loopback unless told otherwise, and closed with every
 * open connection, so a keep-alive socket can never keep a stopped server (and the
 * process) alive.
 */

/** Loopback: nothing local is ever reachable from another machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Listen on `port` (0 = any free port) at `host`; resolves with the port, rejects with the
 * listen error (EADDRINUSE, EACCES) instead of leaving it unhandled.
 */
export function listenLoopback(server: Server, port = 0, host = LOOPBACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Close a server and every connection it holds; resolves once it is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
