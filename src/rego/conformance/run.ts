/**
 * Runs OPA conformance cases through the real pipeline: each case's query is compiled (with its
 * modules) as an entrypoint whose result rows are the query's variable bindings, loaded with the
 * unmodified SDK (`loadPolicy`, `setData`, `evaluate`), and the rows compared with the expected
 * ones as an unordered set. A case expecting an error passes only if compiling or evaluating fails
 * with the expected error code, and with a message containing the expected text.
 */
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { BuiltinHost } from "../builtins/host.ts";
import { RegoCompileError } from "../errors.ts";
import { compile } from "../index.ts";
import { abortText } from "../runtime/index.ts";
import type { Term } from "../syntax/ast.ts";
import { parseTerm } from "../syntax/parser.ts";
import type { ConformanceCase } from "./cases.ts";
import { disagreementOf } from "./disagreements.ts";
import { skipReason } from "./skips.ts";

/** `disagreed`: failed, but OPA 1.22.4 does not give the case file's answer either (disagreements.ts). */
export type CaseStatus = "passed" | "failed" | "skipped" | "disagreed";

export interface CaseResult {
  readonly case: ConformanceCase;
  readonly status: CaseStatus;
  /** Why it failed or was skipped. */
  readonly detail?: string;
}

const ENTRYPOINT = "conformance/query";

export async function runCase(c: ConformanceCase): Promise<CaseResult> {
  const result = await judge(c);
  const disagreement = result.status === "failed" ? disagreementOf(c) : undefined;
  if (!disagreement) return result;
  return { case: c, status: "disagreed", detail: `${disagreement.reason}\n${result.detail ?? ""}` };
}

async function judge(c: ConformanceCase): Promise<CaseResult> {
  const reason = skipReason(c);
  if (reason !== undefined) return { case: c, status: "skipped", detail: reason };
  const wantsError = c.wantErrorCode !== undefined || c.wantError !== undefined;

  let query = c.query;
  let input: unknown = c.input;
  if (c.inputTerm !== undefined) {
    const json = termToJson(parseTerm("input_term", c.inputTerm));
    if (json.ok) input = json.value;
    else query = `${query} with input as ${c.inputTerm}`;
  }

  let wasm: Uint8Array;
  try {
    const sources = c.modules.map((text, i) => ({ path: `test-${i}.rego`, text }));
    wasm = compile(sources, {
      entrypoints: [],
      queries: [{ name: ENTRYPOINT, query }],
      strictBuiltinErrors: c.strictError,
    }).wasm;
  } catch (error) {
    if (error instanceof RegoCompileError && wantsError) {
      return expectError(
        c,
        error.problems.map((p) => p.code),
        error.message,
      );
    }
    const message = error instanceof RegoCompileError ? error.message : String(error);
    return { case: c, status: "failed", detail: `compile error: ${message}` };
  }

  let rows: unknown;
  try {
    // The host side of builtins Wasm cannot do itself (wall clock, ...), as any tollgate host passes.
    const host = new BuiltinHost();
    const policy = await loadPolicy(wasm, undefined, host.functions);
    policy.setData((c.data ?? {}) as object);
    rows = policy.evaluate(input, ENTRYPOINT);
  } catch (error) {
    const text = abortText(error);
    if (wantsError) return expectError(c, [errorCode(text) ?? "(no error code)"], text);
    return { case: c, status: "failed", detail: `evaluation error: ${text}` };
  }
  if (wantsError) {
    return {
      case: c,
      status: "failed",
      detail: `expected error ${c.wantErrorCode ?? ""} ${c.wantError ?? ""}, got ${canonical(rows)}`,
    };
  }
  if (!Array.isArray(rows)) return { case: c, status: "failed", detail: `result is not a list: ${canonical(rows)}` };
  if (c.wantDefined !== undefined) {
    const defined = rows.length > 0;
    return defined === c.wantDefined
      ? { case: c, status: "passed" }
      : {
          case: c,
          status: "failed",
          detail: `expected ${c.wantDefined ? "defined" : "undefined"}, got ${canonical(rows)}`,
        };
  }
  if (c.wantResult !== undefined) {
    const got = normaliseRows(rows, c.sortBindings);
    const want = normaliseRows(c.wantResult, c.sortBindings);
    if (got.join("\n") === want.join("\n")) return { case: c, status: "passed" };
    return { case: c, status: "failed", detail: `want ${want.join(" ")}\n got ${got.join(" ")}` };
  }
  return { case: c, status: "passed" };
}

/** The OPA error code in a run-time error message ("file:row: eval_type_error: ..."). */
export function errorCode(text: string): string | undefined {
  return /(?:^|: )((?:eval|rego)_[a-z_]+): /.exec(text)?.[1];
}

/** Passes if one of `codes` is the expected code and `text` contains the expected message. */
function expectError(c: ConformanceCase, codes: readonly string[], text: string): CaseResult {
  if (c.wantErrorCode !== undefined && !codes.includes(c.wantErrorCode)) {
    return {
      case: c,
      status: "failed",
      detail: `expected error code ${c.wantErrorCode}, got ${codes.join(", ")}: ${text}`,
    };
  }
  if (c.wantError !== undefined && !text.includes(c.wantError)) {
    return {
      case: c,
      status: "failed",
      detail: `expected an error containing ${JSON.stringify(c.wantError)}, got: ${text}`,
    };
  }
  return { case: c, status: "passed" };
}

/** Rows as sorted canonical JSON strings; with `sortBindings`, array-valued bindings are sorted too. */
function normaliseRows(rows: readonly unknown[], sortBindings: boolean): string[] {
  const out = rows.map((row) => {
    if (sortBindings && typeof row === "object" && row !== null && !Array.isArray(row)) {
      const sorted: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        sorted[k] = Array.isArray(v) ? [...v].sort((a, b) => compareCanonical(canonical(a), canonical(b))) : v;
      }
      return canonical(sorted);
    }
    return canonical(row);
  });
  return [...new Set(out)].sort(compareCanonical);
}

function compareCanonical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so equal values print equally. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  if (typeof v === "number") return Object.is(v, -0) ? "0" : JSON.stringify(v);
  return JSON.stringify(v) ?? "undefined";
}

/** A Rego term as JSON, when it is plain JSON (no sets, only string object keys, no variables). */
function termToJson(t: Term): { ok: true; value: unknown } | { ok: false } {
  switch (t.type) {
    case "null":
      return { ok: true, value: null };
    case "boolean":
      return { ok: true, value: t.value };
    case "number":
      return { ok: true, value: Number(t.text) };
    case "string":
      return { ok: true, value: t.value };
    case "array": {
      const items: unknown[] = [];
      for (const x of t.items) {
        const r = termToJson(x);
        if (!r.ok) return r;
        items.push(r.value);
      }
      return { ok: true, value: items };
    }
    case "object": {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of t.entries) {
        if (k.type !== "string") return { ok: false };
        const r = termToJson(v);
        if (!r.ok) return r;
        obj[k.value] = r.value;
      }
      return { ok: true, value: obj };
    }
    default:
      return { ok: false };
  }
}

export interface DirectorySummary {
  readonly dir: string;
  passed: number;
  failed: number;
  skipped: number;
  disagreed: number;
}

/** Counts per case directory, sorted by directory. */
export function summarise(results: readonly CaseResult[]): DirectorySummary[] {
  const byDir = new Map<string, DirectorySummary>();
  for (const r of results) {
    let s = byDir.get(r.case.dir);
    if (!s) {
      s = { dir: r.case.dir, passed: 0, failed: 0, skipped: 0, disagreed: 0 };
      byDir.set(r.case.dir, s);
    }
    s[r.status]++;
  }
  return [...byDir.values()].sort((a, b) => compareCanonical(a.dir, b.dir));
}
