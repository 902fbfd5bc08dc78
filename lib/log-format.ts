// Human-readable log lines for a person at a terminal (LOG_FORMAT=pretty, the demo's default):
// "09:14:03 WARN  sessions  session closed  phoneJid=77050000001@s.whatsapp.net reason=…".
// Production stays JSON (LOG_FORMAT=json) for log collectors. The JSON line is already redacted by
// pino before it gets here; this only rearranges it.
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line carries or that the layout already shows. */
const HIDDEN = new Set(['level', 'time', 'msg', 'app', 'module', 'pid', 'hostname', 'class']);

function value(v: unknown): string {
  if (v === null || typeof v !== 'object') return String(v);
  const err = v as { message?: unknown; type?: unknown };
  if (typeof err.message === 'string') return JSON.stringify(err.message);
  return JSON.stringify(v);
}

/** One pino JSON line as one readable line; a line that is not JSON is returned as it is. */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.replace(/\n$/, '');
  }
  if (!entry || typeof entry !== 'object') return line.replace(/\n$/, '');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const module = typeof entry.module === 'string' ? entry.module : typeof entry.class === 'string' ? entry.class : '';
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  return [time, level, module.padEnd(9), String(entry.msg ?? ''), fields].filter((p) => p !== '').join('  ').trimEnd();
}

/** A pino destination that writes pretty lines to `out` (stdout by default). */
export function prettyDestination(out: { write(s: string): unknown } = process.stdout) {
  return { write: (line: string) => void out.write(`${prettyLogLine(line)}\n`) };
}
