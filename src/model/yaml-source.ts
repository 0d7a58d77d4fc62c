import { type Document, isMap, isNode, isPair, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { type InputProblem, InvalidInputError } from "./errors.ts";

/** Largest file tollgate reads as YAML. Bigger files are rejected before parsing. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Alias expansions allowed per document; far below what an alias bomb needs. */
const MAX_ALIAS_COUNT = 100;

export type FieldPath = ReadonlyArray<string | number>;

/** A parsed YAML file that can say on which line any field of it stands. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** Line and column (1-based) of the field at `path`, or of its nearest existing parent. */
  locate(path: FieldPath, at?: "key" | "value"): { line: number; column: number };
}

/**
 * Parses one YAML document strictly: syntax errors, duplicate keys, unresolved tags, alias bombs,
 * oversized and empty files all become problems naming the file, line and column.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_YAML_BYTES) {
    throw new InvalidInputError([
      { file, message: `file is ${bytes} bytes, over the ${MAX_YAML_BYTES}-byte limit for YAML files` },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: InputProblem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...position(e.pos[0]), message: describeYamlError(e.code, e.message) });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new InvalidInputError([{ file, line: 1, column: 1, message: "file is empty; expected a YAML mapping" }]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const aliasBomb = /alias/i.test(message);
    throw new InvalidInputError([
      {
        file,
        line: 1,
        column: 1,
        message: aliasBomb
          ? `too many YAML alias expansions (limit ${MAX_ALIAS_COUNT}); aliases are not allowed to multiply content`
          : `cannot read YAML: ${message}`,
      },
    ]);
  }
  return {
    file,
    value,
    locate: (path, at = "value") => {
      const range = rangeOf(doc, path, at);
      return position(range ?? 0);
    },
  };
}

function describeYamlError(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  if (code === "DUPLICATE_KEY")
    return `duplicate key: ${firstLine.replace(/^Map keys must be unique;?\s*/, "") || "map keys must be unique"}`;
  return `invalid YAML (${code}): ${firstLine}`;
}

/** Start offset of the node at `path`, walking up to the nearest parent that exists. */
function rangeOf(doc: Document, path: FieldPath, at: "key" | "value"): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = isNode(node) ? node.range?.[0] : undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return best;
      const keyStart = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (last && at === "key") return keyStart ?? best;
      node = pair.value;
      best = (isNode(node) ? node.range?.[0] : undefined) ?? keyStart ?? best;
    } else if (
      node &&
      typeof node === "object" &&
      "items" in node &&
      Array.isArray((node as { items: unknown[] }).items)
    ) {
      const item = (node as { items: unknown[] }).items[Number(segment)];
      if (!isNode(item)) return best;
      node = item as Node;
      best = item.range?.[0] ?? best;
    } else {
      return best;
    }
  }
  return best;
}
