import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerBytes } from '../oz-api/oz-api.gateway';

const containerOf = (bytes: Buffer): ContainerBytes => ({ chunks: [bytes], length: bytes.length });
import { ContainerDiagnostics, MAX_KEPT_CONTAINERS } from './container-diagnostics';

it('drops the oldest containers first even when several arrive within the same millisecond', async () => {
  const root = await mkdtemp(join(tmpdir(), 'container-diagnostics-'));
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
  jest.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
  try {
    const diagnostics = new ContainerDiagnostics({ dir: root });
    const total = MAX_KEPT_CONTAINERS + 5;

    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        diagnostics.keep(containerOf(Buffer.from(`container-${i}`)), { requestId: `req-${i}`, sessionId: 's', ozErrorCode: 14 }),
      ),
    );

    const bins = (await readdir(root)).filter((name) => name.endsWith('.bin'));
    const kept = new Set(await Promise.all(bins.map(async (name) => (await readFile(join(root, name))).toString())));
    expect([...kept].sort()).toEqual(Array.from({ length: MAX_KEPT_CONTAINERS }, (_, i) => `container-${i + 5}`).sort());
  } finally {
    jest.useRealTimers();
    await rm(root, { recursive: true, force: true });
  }
});
