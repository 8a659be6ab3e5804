import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './ops.helpers';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The production image installs `dependencies` only (Dockerfile: npm prune --omit=dev). */
describe('the build in dist/', () => {
  beforeAll(() => ensureBuilt());

  const requires = () =>
    jsFiles(join(ROOT, 'dist')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(([, specifier]) => ({ file: file.slice(ROOT.length + 1), specifier })),
    );

  it('requires nothing but Node built-ins, its own files and production dependencies', () => {
    const outside = requires().filter(({ specifier }) => !specifier.startsWith('.') && !specifier.startsWith('node:') && !builtinModules.includes(specifier));
    const notProduction = outside.filter(({ specifier }) => !(packageOf(specifier) in pkg.dependencies));

    expect(outside.length).toBeGreaterThan(10);
    expect(notProduction).toEqual([]);
  });

  it('contains no test code: no spec, fake, fixture, emulator or demo file', () => {
    const files = jsFiles(join(ROOT, 'dist')).map((file) => file.slice(ROOT.length + 1));

    expect(files.filter((file) => /spec|fake|fixture|emulator|testing|demo/.test(file))).toEqual([]);
    expect(requires().filter(({ specifier }) => /(^|\/)(test|bench|scripts|demo)\//.test(specifier))).toEqual([]);
  });
});
