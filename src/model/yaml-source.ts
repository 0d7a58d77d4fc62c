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
  // JSON is read by the YAML parser (it is YAML), but its problems are named as JSON's.
  const json = /\.json$/i.test(file);
  const kind = json ? "JSON" : "YAML";
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_YAML_BYTES) {
    throw new InvalidInputError([
      { file, message: `file is ${bytes} bytes, over the ${MAX_YAML_BYTES}-byte limit for ${kind} files` },
    ]);
  }
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const notText = notTextAt(text);
  if (notText !== undefined) {
    const before = text.slice(0, notText.offset);
    const line = before.split("\n").length;
    const column = notText.offset - before.lastIndexOf("\n");
    throw new InvalidInputError([{ file, line, column, message: notText.message }]);
  }
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: InputProblem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...position(e.pos[0]), message: describeYamlError(e.code, e.message, kind) });
  }
  if (json && problems.length > 0) {
    const jsonProblem = jsonSyntaxProblem(text);
    if (jsonProblem)
      throw new InvalidInputError([{ file, ...position(jsonProblem.offset), message: jsonProblem.message }]);
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  const mergeKey = findMergeKey(doc.contents);
  if (mergeKey !== undefined)
    throw new InvalidInputError([
      {
        file,
        ...position(mergeKey),
        message: "YAML merge keys (<<) are not supported (YAML 1.2 has none): write the merged fields out",
      },
    ]);
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

function describeYamlError(code: string, message: string, kind: string): string {
  const firstLine = printable(message.split("\n")[0] ?? message);
  if (code === "DUPLICATE_KEY")
    return `duplicate key: ${firstLine.replace(/^Map keys must be unique;?\s*/, "") || "map keys must be unique"}`;
  if (code === "MULTIPLE_DOCS")
    return "the file holds more than one YAML document (a second ---); each file holds exactly one";
  return `invalid ${kind} (${code}): ${firstLine}`;
}

/** Where text is not UTF-8 (decoded as U+FFFD) or binary (a NUL byte), with what to say about it. */
function notTextAt(text: string): { offset: number; message: string } | undefined {
  const nul = text.indexOf("\0");
  if (nul !== -1) return { offset: nul, message: "file is binary (it holds a NUL byte), not YAML or JSON text" };
  const invalid = text.indexOf("\uFFFD");
  if (invalid !== -1) return { offset: invalid, message: "file is not valid UTF-8 text; save it as UTF-8" };
  return undefined;
}

/** JSON's own syntax error (offset and message), or undefined when JSON.parse accepts the text. */
function jsonSyntaxProblem(text: string): { offset: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    return {
      offset: at ? Number(at[1]) : 0,
      message: `invalid JSON: ${printable(message.replace(/ in JSON at position \d+.*$/, ""))}`,
    };
  }
}

/** Offset of the first `<<` key anywhere in the document, if any. */
function findMergeKey(node: unknown): number | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === "<<") return pair.key.range?.[0] ?? 0;
      const inner = findMergeKey(pair.value);
      if (inner !== undefined) return inner;
    }
  } else if (node && typeof node === "object" && "items" in node && Array.isArray(node.items)) {
    for (const item of node.items as unknown[]) {
      const inner = findMergeKey(item);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** Control characters shown as escapes, so a message never writes raw bytes to a terminal. */
function printable(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = (code < 0x20 && c !== "\t" && c !== "\n") || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, "0")}` : c;
  }
  return out;
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
