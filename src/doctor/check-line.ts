/** One finding of the diagnostics: what was checked, how it went, and what to do. */
export interface CheckLine {
  status: 'ok' | 'warn' | 'fail';
  check: string;
  message: string;
}

export const ok = (check: string, message: string): CheckLine => ({ status: 'ok', check, message });
export const warn = (check: string, message: string): CheckLine => ({ status: 'warn', check, message });
export const fail = (check: string, message: string): CheckLine => ({ status: 'fail', check, message });

/** `ok   oz.version: Oz answers …`: one line per check, the status first so that grep finds it. */
export function formatLine(line: CheckLine): string {
  return `${line.status.padEnd(4)} ${line.check}: ${line.message}`;
}
