import net from 'node:net';

/** What came back to a raw client, and when. */
export interface RawOutcome {
  /** 0 when the server closed without answering. */
  status: number;
  head: string;
  body: string;
  /** Milliseconds from the first byte written to the answer (or the close). */
  ms: number;
  /** Body bytes the client managed to write before the answer or the close. */
  written: number;
}

export interface RawUpload {
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Body bytes to write, in 64 KiB chunks as fast as the socket takes them. */
  bodyBytes: number;
  /** What to write as the body (its first `bodyBytes`); filler bytes when absent. */
  body?: Buffer;
  /** Stop writing after this many bytes and hold the connection open (a stalled client). */
  stallAfter?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/**
 * An attacker's upload on a raw socket: writes the head and then body bytes, and reports the
 * first answer the server gives (or that it closed the connection) without ever reading
 * further. Handles resets: a server that refuses an upload may close while the client writes.
 */
export function rawUpload(upload: RawUpload): Promise<RawOutcome & { socket: net.Socket }> {
  const { hostname, port } = new URL(upload.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const started = Date.now();
    let received = '';
    let written = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const end = received.indexOf('\r\n\r\n');
      const head = end < 0 ? received : received.slice(0, end);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: end < 0 ? '' : received.slice(end + 4),
        ms: Date.now() - started,
        written,
        socket,
      });
    };
    const timer = setTimeout(finish, upload.timeoutMs ?? 10_000);
    const limit = Math.min(upload.bodyBytes, upload.stallAfter ?? Infinity);
    const pump = () => {
      while (!done && written < limit) {
        const size = Math.min(CHUNK.length, limit - written);
        const chunk = upload.body ? upload.body.subarray(written, written + size) : CHUNK.subarray(0, size);
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      const lines = Object.entries({ host: `${hostname}:${port}`, ...upload.headers }).map(([name, value]) => `${name}: ${value}`);
      socket.write(`POST ${upload.path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      pump();
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(received)?.[1] ?? NaN);
      if (end >= 0 && received.length >= end + 4 + length) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
