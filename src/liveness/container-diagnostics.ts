import { randomBytes } from 'node:crypto';
import { mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { diagnosticsConfig, type DiagnosticsConfig } from '../config';
import type { ContainerBytes } from '../oz-api/oz-api.gateway';

/** Oz support needs the container instance to explain a code 14; this many are kept at most. */
export const MAX_KEPT_CONTAINERS = 100;

export interface DiagnosticsNote {
  requestId: string;
  sessionId: string;
  ozErrorCode: number;
}

/**
 * Keeps containers that Oz rejected with code 14 in DIAGNOSTICS_DIR (`<stem>.bin` and a JSON
 * note `<stem>.json`), dropping the oldest beyond MAX_KEPT_CONTAINERS. Stems start with the
 * time, so names sort oldest first. Failing to keep one never fails the request.
 */
@Injectable()
export class ContainerDiagnostics {
  private readonly logger = new Logger(ContainerDiagnostics.name);
  private readonly dir: string | null;
  /** Writes one after another, so pruning never races a write. */
  private queue: Promise<void> = Promise.resolve();
  /** Orders containers kept within the same millisecond, so "oldest first" stays true. */
  private sequence = 0;

  constructor(@Inject(diagnosticsConfig.KEY) config: DiagnosticsConfig) {
    this.dir = config.dir;
  }

  keep(container: ContainerBytes, note: DiagnosticsNote): Promise<void> {
    const dir = this.dir;
    if (dir === null) return Promise.resolve();
    const time = new Date();
    const order = String(this.sequence++).padStart(10, '0');
    const stem = `${time.toISOString().replace(/[:.]/g, '-')}-${order}-${randomBytes(4).toString('hex')}`;
    this.queue = this.queue
      .then(() => this.write(dir, stem, container, { time: time.toISOString(), ...note }))
      .catch((error: Error) => {
        const code = (error as NodeJS.ErrnoException).code;
        this.logger.warn({ requestId: note.requestId, errorType: error.name, code }, 'could not keep a rejected container');
      });
    return this.queue;
  }

  private async write(dir: string, stem: string, container: ContainerBytes, note: object): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, `${stem}.bin`), container.chunks, { mode: 0o600 });
    await writeFile(join(dir, `${stem}.json`), `${JSON.stringify(note)}\n`, { mode: 0o600 });
    await this.prune(dir);
  }

  private async prune(dir: string): Promise<void> {
    const stems = (await readdir(dir))
      .filter((name) => name.endsWith('.bin'))
      .map((name) => name.slice(0, -4))
      .sort();
    const excess = stems.slice(0, Math.max(0, stems.length - MAX_KEPT_CONTAINERS));
    for (const stem of excess) {
      await unlink(join(dir, `${stem}.bin`)).catch(() => undefined);
      await unlink(join(dir, `${stem}.json`)).catch(() => undefined);
    }
  }
}
