/** `policy test --coverage`: which lines the tests evaluated, in `opa test --coverage`'s report shape. */
import type { CoverableLine } from "../rego/index.ts";

export interface LineRange {
  start: { row: number };
  end: { row: number };
}

export interface FileCoverage {
  covered: LineRange[];
  not_covered: LineRange[];
  covered_lines: number;
  not_covered_lines: number;
  /** Percentage of lines covered. */
  coverage: number;
}

export interface CoverageReport {
  files: Record<string, FileCoverage>;
  covered_lines: number;
  not_covered_lines: number;
  coverage: number;
}

function percent(covered: number, notCovered: number): number {
  const total = covered + notCovered;
  return total === 0 ? 100 : (covered * 100) / total;
}

/** Consecutive lines as ranges: [3, 4, 5, 9] → 3-5, 9-9. */
function ranges(lines: readonly number[]): LineRange[] {
  const out: LineRange[] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last && last.end.row === line - 1) last.end.row = line;
    else out.push({ start: { row: line }, end: { row: line } });
  }
  return out;
}

/**
 * The report from the coverage bytes every test evaluation returned (a byte per line of `lines`,
 * non-zero once evaluated; several workers' bytes are combined).
 */
export function coverageReport(
  lines: readonly CoverableLine[],
  evaluations: readonly (Uint8Array | undefined)[],
): CoverageReport {
  const hit = new Uint8Array(lines.length);
  for (const bytes of evaluations) {
    if (!bytes) continue;
    for (let i = 0; i < hit.length; i++) hit[i]! |= bytes[i] ?? 0;
  }
  const byFile = new Map<string, { covered: number[]; notCovered: number[] }>();
  const covered = new Map<string, Set<number>>();
  const seen = new Map<string, Set<number>>();
  lines.forEach((l, i) => {
    if (l.onlyIfHit && !hit[i]) return;
    for (let line = l.line; line <= (l.lastLine ?? l.line); line++) {
      for (const into of hit[i] ? [covered, seen] : [seen]) {
        const set = into.get(l.file) ?? new Set<number>();
        into.set(l.file, set);
        set.add(line);
      }
    }
  });
  // A line with something evaluated on it is covered, even if something else on it was not.
  for (const [file, all] of seen) {
    const hits = covered.get(file) ?? new Set<number>();
    const sorted = [...all].sort((a, b) => a - b);
    byFile.set(file, { covered: sorted.filter((l) => hits.has(l)), notCovered: sorted.filter((l) => !hits.has(l)) });
  }
  const files: Record<string, FileCoverage> = {};
  let coveredLines = 0;
  let notCovered = 0;
  for (const [file, f] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    coveredLines += f.covered.length;
    notCovered += f.notCovered.length;
    files[file] = {
      covered: ranges(f.covered),
      not_covered: ranges(f.notCovered),
      covered_lines: f.covered.length,
      not_covered_lines: f.notCovered.length,
      coverage: percent(f.covered.length, f.notCovered.length),
    };
  }
  return {
    files,
    covered_lines: coveredLines,
    not_covered_lines: notCovered,
    coverage: percent(coveredLines, notCovered),
  };
}
