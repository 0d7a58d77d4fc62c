/**
 * OPA's conformance test cases (YAML files with a `cases:` list, from OPA's
 * test/cases/testdata): loading them from folders, as they are, without copying.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parse } from "yaml";

/** A case file that cannot be read as YAML; the message names the file. */
export class CaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaseFileError";
  }
}

export interface ConformanceCase {
  /** Folder of the case file relative to the root given (e.g. `v1/every`). */
  readonly dir: string;
  /** Case file, relative to the root. */
  readonly file: string;
  readonly note: string;
  readonly query: string;
  readonly modules: readonly string[];
  readonly data?: unknown;
  readonly input?: unknown;
  /** Input written as a Rego term (may contain sets). */
  readonly inputTerm?: string;
  /** Rows of variable bindings; `[]` means undefined. */
  readonly wantResult?: readonly Record<string, unknown>[];
  readonly wantDefined?: boolean;
  readonly wantErrorCode?: string;
  readonly wantError?: string;
  readonly sortBindings: boolean;
  readonly strictError: boolean;
  /** Why the case file says to skip it (`skip`, or `todo`: OPA itself does not pass it yet). */
  readonly skip?: string;
}

/** Every `*.yaml` / `*.yml` case file below `root` (sorted), parsed into cases in file order. */
export async function loadCases(root: string): Promise<ConformanceCase[]> {
  const files = (await listYaml(root)).sort();
  const cases: ConformanceCase[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    const dir = relative(root, join(file, ".."));
    let doc: unknown;
    try {
      doc = parse(await readFile(file, "utf8"));
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new CaseFileError(`${rel}: not a valid case file: ${message}`);
    }
    const list = isRecord(doc) && Array.isArray(doc.cases) ? doc.cases : [];
    for (const raw of list) {
      if (!isRecord(raw)) continue;
      cases.push(toCase(raw, dir || ".", rel));
    }
  }
  return cases;
}

async function listYaml(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listYaml(path)));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function skipField(raw: Record<string, unknown>): { skip?: string } {
  for (const key of ["skip", "todo"]) {
    const v = raw[key];
    if (v === true) return { skip: `marked ${key} in the case file` };
    if (typeof v === "string" && v !== "") return { skip: `marked ${key} in the case file: ${v}` };
  }
  return {};
}

function toCase(raw: Record<string, unknown>, dir: string, file: string): ConformanceCase {
  const str = (k: string): string | undefined => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  const modules = Array.isArray(raw.modules) ? raw.modules.filter((m): m is string => typeof m === "string") : [];
  const c: ConformanceCase = {
    dir,
    file,
    note: str("note") ?? "(no note)",
    query: str("query") ?? "",
    modules,
    sortBindings: raw.sort_bindings === true,
    strictError: raw.strict_error === true,
    ...("data" in raw ? { data: raw.data } : {}),
    ...("input" in raw ? { input: raw.input } : {}),
    ...(str("input_term") !== undefined ? { inputTerm: str("input_term") } : {}),
    ...(Array.isArray(raw.want_result) ? { wantResult: raw.want_result as Record<string, unknown>[] } : {}),
    ...(typeof raw.want_defined === "boolean" ? { wantDefined: raw.want_defined } : {}),
    ...(str("want_error_code") !== undefined ? { wantErrorCode: str("want_error_code") } : {}),
    ...(str("want_error") !== undefined ? { wantError: str("want_error") } : {}),
    ...skipField(raw),
  };
  return c;
}
