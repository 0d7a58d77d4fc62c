/**
 * Plain-text tables for the terminal: columns separated by two spaces, each as wide as its widest
 * cell (header included). Left-aligned columns are padded on the right except the last, so no line
 * ends in spaces; right-aligned ones (numbers) are padded on the left.
 */
export type Align = "left" | "right";

/** The header line, then one line per row; a missing cell is empty. `align` defaults to left. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) => {
        const cell = cells[i] ?? "";
        if (align[i] === "right") return cell.padStart(widths[i]!);
        return i === header.length - 1 ? cell : cell.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
