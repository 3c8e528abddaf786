import { request } from 'node:http';
import { connect } from 'node:net';

/** Loopback only: devkit's services never listen anywhere else, and checks never go elsewhere. */
export const LOOPBACK = '127.0.0.1';

/**
 * Sends `request` to a TCP port on the loopback and resolves with the reply once `complete`
 * accepts it. Rejects on refusal, reset or timeout — each with a reason for the log.
 */
export function tcpExchange(
  port: number,
  request: string,
  complete: (reply: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let reply = '';
    const socket = connect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${LOOPBACK}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (complete(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolvePromise(reply);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(
        new Error(
          `connection to ${LOOPBACK}:${port} closed${reply ? ` after ${JSON.stringify(reply.slice(0, 80))}` : ''}`,
        ),
      );
    });
  });
}

/** Whether something accepts TCP connections on the loopback port (the cheap liveness probe). */
export function tcpAccepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: LOOPBACK, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}

/** GET on the loopback; resolves with the status code. (node:http: `fetch` costs tens of ms to load.) */
export function httpStatus(port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: LOOPBACK, port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer on ${LOOPBACK}:${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
