/**
 * Where two JSON values differ, as short readable lines ("analysis.report.streams[0].eValue.rollback:
 * expected 12.5, found 13"). Object key order does not matter; values are compared as JSON holds them.
 */
export function differences(expected: unknown, found: unknown, path = "", limit = 10): string[] {
  const out: string[] = [];
  walk(expected, found, path, out, limit);
  return out;
}

function walk(expected: unknown, found: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(expected) && Array.isArray(found)) {
    if (expected.length !== found.length) {
      out.push(`${path || "(value)"}: expected ${expected.length} item(s), found ${found.length}`);
      return;
    }
    for (let i = 0; i < expected.length; i++) walk(expected[i], found[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (isObject(expected) && isObject(found)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    for (const key of [...keys].sort()) {
      const e = expected[key];
      const f = found[key];
      if (e === undefined && f === undefined) continue;
      walk(e, f, path ? `${path}.${key}` : key, out, limit);
    }
    return;
  }
  if (expected === found) return;
  if (typeof expected === "number" && typeof found === "number" && Object.is(expected, found)) return;
  out.push(`${path || "(value)"}: expected ${show(expected)}, found ${show(found)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The first line where two texts differ, for messages about files and commit messages. */
export function firstDifferentLine(expected: string, found: string): string {
  const a = expected.split("\n");
  const b = found.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}: expected ${a[i] === undefined ? "no line" : JSON.stringify(a[i])}, found ${b[i] === undefined ? "no line" : JSON.stringify(b[i])}`;
  }
  return "the texts are equal";
}
