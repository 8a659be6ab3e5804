import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

/** One file per rule of .dependency-cruiser.cjs that breaks it, in a tree shaped like src/. */
const VIOLATIONS: Record<string, Record<string, string>> = {
  'no-cycles': {
    'src/session/a.ts': "import { b } from './b';\nexport const a = b;",
    'src/session/b.ts': "import { a } from './a';\nexport const b = () => a;",
  },
  'decision-is-pure': {
    'src/decision/table.ts': "import { OzApiError } from '../oz-api/error';\nexport const t = OzApiError;",
    'src/oz-api/error.ts': 'export class OzApiError {}',
  },
  'oz-api-knows-no-feature': {
    'src/oz-api/gateway.ts': "import { problem } from '../common/problem';\nexport const g = problem;",
    'src/common/problem.ts': 'export const problem = 1;',
  },
  'features-do-not-import-each-other': {
    'src/biometry/service.ts': "import { live } from '../liveness/service';\nexport const b = live;",
    'src/liveness/service.ts': 'export const live = 1;',
  },
  'http-clients-only-in-adapters': { 'src/session/notify.ts': "import { request } from 'undici';\nexport const n = request;" },
  'redis-client-only-in-redis': { 'src/session/store.ts': "import { Redis } from 'ioredis';\nexport const s = Redis;" },
  'config-imports-nothing-of-ours': { 'src/config/oz.ts': "import { x } from '../session/x';\nexport const c = x;", 'src/session/x.ts': 'export const x = 1;' },
  'src-does-not-import-tests': {
    'src/health/check.ts': "import { fake } from '../../test/fakes/fake';\nexport const h = fake;",
    'test/fakes/fake.ts': 'export const fake = 1;',
  },
  'shipped-code-needs-no-dev-dependency': { 'src/liveness/props.ts': "import fc from 'fast-check';\nexport const p = fc;" },
};

/**
 * Runs dependency-cruiser with the project's own rules over a throwaway tree that breaks each
 * rule once: every rule must be reported, so that `npm run lint` cannot pass a broken import.
 */
describe('the import rules of npm run lint', () => {
  let fixture: string;
  let report: string;

  beforeAll(async () => {
    fixture = await mkdtemp(join(tmpdir(), 'import-rules-'));
    for (const files of Object.values(VIOLATIONS)) {
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(fixture, path)), { recursive: true });
        await writeFile(join(fixture, path), `${text}\n`);
      }
    }
    await writeFile(join(fixture, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true } }));
    await symlink(join(ROOT, 'node_modules'), join(fixture, 'node_modules'));
    await symlink(join(ROOT, 'package.json'), join(fixture, 'package.json'));
    const cli = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    const result = await run(process.execPath, [cli, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err-long'], {
      cwd: fixture,
    }).then(
      () => ({ stdout: '', code: 0 }),
      (error: { stdout: string; code: number }) => error,
    );
    expect(result.code).not.toBe(0);
    report = result.stdout;
  }, 30_000);

  afterAll(() => rm(fixture, { recursive: true, force: true }));

  it.each(Object.keys(VIOLATIONS))('reports a breach of %s', (rule) => {
    expect(report).toMatch(new RegExp(`error ${rule}:`));
  });

  it('passes the real source tree', async () => {
    const cli = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    await expect(run(process.execPath, [cli, 'src', '--config', '.dependency-cruiser.cjs'], { cwd: ROOT })).resolves.toMatchObject({
      stdout: expect.stringContaining('no dependency violations'),
    });
  }, 30_000);
});
