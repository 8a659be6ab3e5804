import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { ContainerBytes } from '../oz-api/oz-api.gateway';

const containerOf = (bytes: Buffer): ContainerBytes => ({ chunks: [bytes], length: bytes.length });
import { ContainerDiagnostics, MAX_KEPT_CONTAINERS } from './container-diagnostics';

const NOTE = { requestId: 'req-14', sessionId: '0b8e3c1e-6c55-4f59-9a43-1d2f4f1c8a10', ozErrorCode: 14 };

function diagnosticsIn(diagnosticsDir: string | null): ContainerDiagnostics {
  return new ContainerDiagnostics({ dir: diagnosticsDir });
}

async function filesIn(dir: string, extension: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(extension)).sort();
}

describe('ContainerDiagnostics', () => {
  let root: string;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'container-diagnostics-'));
  });

  afterEach(async () => {
    jest.useRealTimers();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the exact container as <stem>.bin and a JSON note <stem>.json with time, requestId, sessionId and ozErrorCode', async () => {
    const dir = join(root, 'kept');
    const container = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x0a, 0x0d, 0x00]);
    const before = Date.now();

    await diagnosticsIn(dir).keep(containerOf(container), NOTE);

    const bins = await filesIn(dir, '.bin');
    const notes = await filesIn(dir, '.json');
    expect(bins).toHaveLength(1);
    expect(notes).toEqual([bins[0].replace(/\.bin$/, '.json')]);
    expect((await readFile(join(dir, bins[0]))).equals(container)).toBe(true);
    const note = JSON.parse(await readFile(join(dir, notes[0]), 'utf8'));
    expect(Object.keys(note).sort()).toEqual(['ozErrorCode', 'requestId', 'sessionId', 'time']);
    expect(note).toMatchObject(NOTE);
    expect(new Date(note.time).toISOString()).toBe(note.time);
    expect(Date.parse(note.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(note.time)).toBeLessThanOrEqual(Date.now());
  });

  it('keeps the files readable by the service user only', async () => {
    await diagnosticsIn(root).keep(containerOf(Buffer.from('c')), NOTE);

    for (const name of await readdir(root)) {
      expect((await stat(join(root, name))).mode & 0o077).toBe(0);
    }
  });

  it(`keeps at most ${MAX_KEPT_CONTAINERS} containers, each with its note`, async () => {
    const diagnostics = diagnosticsIn(root);

    await Promise.all(Array.from({ length: MAX_KEPT_CONTAINERS + 5 }, (_, i) => diagnostics.keep(containerOf(Buffer.from(`container-${i}`)), NOTE)));

    const bins = await filesIn(root, '.bin');
    const notes = await filesIn(root, '.json');
    expect(bins).toHaveLength(MAX_KEPT_CONTAINERS);
    expect(notes).toEqual(bins.map((name) => name.replace(/\.bin$/, '.json')));
  });

  it('drops the oldest containers with their notes first when they arrived at distinct times', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    jest.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
    const diagnostics = diagnosticsIn(root);
    const total = MAX_KEPT_CONTAINERS + 5;

    const writes: Promise<void>[] = [];
    for (let i = 0; i < total; i += 1) {
      jest.setSystemTime(Date.now() + 1);
      writes.push(diagnostics.keep(containerOf(Buffer.from(`container-${i}`)), { ...NOTE, requestId: `req-${i}` }));
    }
    await Promise.all(writes);

    const bins = await filesIn(root, '.bin');
    const kept = await Promise.all(bins.map(async (name) => (await readFile(join(root, name))).toString()));
    const noted = await Promise.all((await filesIn(root, '.json')).map(async (name) => JSON.parse(await readFile(join(root, name), 'utf8')).requestId));
    const expected = Array.from({ length: MAX_KEPT_CONTAINERS }, (_, i) => i + total - MAX_KEPT_CONTAINERS);
    expect(kept).toEqual(expected.map((i) => `container-${i}`));
    expect(noted).toEqual(expected.map((i) => `req-${i}`));
  });

  it('does nothing without DIAGNOSTICS_DIR', async () => {
    const before = await readdir(root);

    await expect(diagnosticsIn(null).keep(containerOf(Buffer.from('c')), NOTE)).resolves.toBeUndefined();

    expect(await readdir(root)).toEqual(before);
  });

  it('does not throw when the directory cannot be written (it is a file), and works again once it can', async () => {
    const dir = join(root, 'not-a-dir');
    await writeFile(dir, 'a file where the directory should be');
    const diagnostics = diagnosticsIn(dir);

    await expect(diagnostics.keep(containerOf(Buffer.from('lost')), NOTE)).resolves.toBeUndefined();

    await rm(dir);
    await diagnostics.keep(containerOf(Buffer.from('kept')), NOTE);
    const bins = await filesIn(dir, '.bin');
    expect(bins).toHaveLength(1);
    expect((await readFile(join(dir, bins[0]))).toString()).toBe('kept');
  });
});
