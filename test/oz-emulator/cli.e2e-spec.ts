import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCapsuleCli } from './capsule-cli';
import { isJpeg, OzEmulator, personOfImage, startOzEmulator } from './index';
import { postContainer, readAnswer } from './test-kit';

const ROOT = join(__dirname, '..', '..');
const CLI = 'test/oz-emulator/capsule-cli.ts';

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

/** In-process run of the same CLI function: argument handling needs no child process. */
function capsule(args: string[]): Run {
  const stdout: Buffer[] = [];
  let stderr = '';
  const code = runCapsuleCli(args, {
    stdout: { write: (chunk: string | Uint8Array) => stdout.push(Buffer.from(chunk)) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout: Buffer.concat(stdout), stderr };
}

describe('Oz emulator: capsule CLI', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator.close());

  it('writes to stdout a container that the emulator accepts, with nothing after it', async () => {
    const token = await emulator.issueToken();

    const result = await run(process.execPath, [
      '--import',
      'tsx',
      CLI,
      '--token',
      token,
      '--scenario',
      'spoof',
      '--person',
      'erin-5',
      '--event-session-id',
      'evt-cli',
      '--media-bytes',
      '1024',
    ]);
    const answer = await readAnswer(await postContainer(emulator, result.stdout));

    expect(result.code).toBe(0);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ system_resolution: 'DECLINED', meta_data: { event_session_id: 'evt-cli' } });
    expect(answer.body.media[0].info.size).toBe(1024);
  }, 20_000);

  it('writes a reference JPEG of the person for --reference', () => {
    const result = capsule(['--reference', '--person', 'erin-5']);

    expect(result.code).toBe(0);
    expect(isJpeg(result.stdout)).toBe(true);
    expect(personOfImage(result.stdout)).toBe('erin-5');
  });

  it.each([
    [['--scenario', 'live'], '--token'],
    [['--token', 't', '--scenario', 'sleepy'], 'unknown scenario'],
    [['--token', 't', '--media-bytes', 'lots'], '--media-bytes'],
    [['--reference'], '--person'],
    [['--colour', 'blue'], 'unknown argument'],
  ])('exits 2 with a message and no output for bad arguments %j', (args, message) => {
    const result = capsule(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout.length).toBe(0);
  });

  it('prints usage for --help', () => {
    const result = capsule(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain('--scenario');
  });
});

describe('Oz emulator: npm run emulator entry point', () => {
  it('warns that it is not Oz, serves on the configured port, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/oz-emulator/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, OZ_EMULATOR_PORT: '0', OZ_EMULATOR_HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });

    const health = await fetch(`${url}/__emulator/health`);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');

    expect(stderr).toContain('NOT Oz API Instant');
    expect(health.status).toBe(200);
    expect(await exited).toBe(0);
  }, 20_000);
});
