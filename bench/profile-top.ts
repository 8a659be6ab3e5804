/**
 * Summarises a V8 .cpuprofile: self time by function and by package/file, top N.
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [N]
 * To profile the SUT under a workload:
 *   BENCH_SUT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof --require ./bench/exit-on-term.cjs" \
 *     npx tsx bench/run.ts --only=bytes --actors=SUT
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  if (!url) return '(native/gc/idle)';
  return url.replace(/^.*?\/(dist|src|\.out\/sut)\//, 'service:');
}

function main(): void {
  const [file, n = '25'] = process.argv.slice(2);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      fn.set(name, (fn.get(name) ?? 0) + us);
      pkg.set(name, (pkg.get(name) ?? 0) + us);
      continue;
    }
    const key = `${name} ${where(url)}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    pkg.set(where(url), (pkg.get(where(url)) ?? 0) + us);
  }
  const busy = total - (fn.get('(idle)') ?? 0);
  // Inclusive time by package: a sample counts once for every package on its stack.
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const incl = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const url = byId.get(x)!.callFrame.url;
      if (url) seen.add(where(url).replace(/^service:([^/]+)\/.*$/, 'service:$1'));
    }
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + us);
  }
  // Inclusive time by function outside node's own modules (a sample counts once per function).
  const inclFn = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const { functionName, url, lineNumber } = byId.get(x)!.callFrame;
      if (!url || url.startsWith('node:')) continue;
      seen.add(`${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`);
    }
    for (const k of seen) inclFn.set(k, (inclFn.get(k) ?? 0) + us);
  }
  const show = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title} (share of busy time ${(busy / 1e6).toFixed(2)} s)\n`);
    for (const [k, us] of [...m]
      .sort((a, b) => b[1] - a[1])
      .filter(([k2]) => k2 !== '(idle)')
      .slice(0, Number(n))) {
      process.stdout.write(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  };
  show('inclusive time by package (service by folder)', incl);
  show('self time by package/file', pkg);
  show('self time by function', fn);
  show('inclusive time by function (node: frames left out)', inclFn);
}

main();
