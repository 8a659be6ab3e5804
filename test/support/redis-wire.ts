/** Just enough of the Redis protocol for redis-server.ts to tell when a server answers, without a client library. */
import { createConnection, createServer } from 'node:net';

const COMMAND_TIMEOUT_MS = 500;
const POLL_INTERVAL_MS = 25;

/** One inline command; the raw reply (`+PONG`, or a bulk string's text), or '' when nothing answered in time. */
export function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    const done = (text: string) => {
      socket.destroy();
      resolve(text);
    };
    socket.setTimeout(COMMAND_TIMEOUT_MS, () => done(''));
    socket.once('error', () => done(''));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      const complete = completeReply(reply);
      if (complete !== null) done(complete);
    });
  });
}

function completeReply(reply: Buffer): string | null {
  const lineEnd = reply.indexOf('\r\n');
  if (lineEnd < 0) return null;
  const head = reply.subarray(0, lineEnd).toString();
  if (!head.startsWith('$')) return head;
  const length = Number(head.slice(1));
  const body = reply.subarray(lineEnd + 2);
  return body.length >= length ? body.subarray(0, length).toString() : null;
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Redis did not become ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
