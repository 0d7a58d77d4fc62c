/**
 * Differential test: randomly generated Rego programs (test/support/rego-gen, seeded) evaluated
 * by tollgate's Wasm (through the opa-wasm SDK) and by the real OPA (`opa run --server`, the
 * pinned module). Any disagreement — a value, undefined against defined, an error on one side
 * only, or a program OPA accepts and tollgate rejects — fails, naming the program.
 *
 * tollgate compiles programs in batches (one module, one entrypoint per program); OPA gets one
 * program at a time over its REST API. TOLLGATE_DIFF_PROGRAMS (default 10,000) and
 * TOLLGATE_DIFF_SEED (default 1) choose what runs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { BuiltinHost } from "../../src/rego/builtins/index.ts";
import { canonical } from "../../src/rego/conformance/run.ts";
import { compile, RegoCompileError } from "../../src/rego/index.ts";
import { type GeneratedProgram, generatePrograms } from "../support/rego-gen/index.ts";
import { type OpaOutcome, opaEvaluate, opaForTest, startOpaServer } from "../support/opa/index.ts";

const PROGRAMS = Number(process.env.TOLLGATE_DIFF_PROGRAMS ?? 10_000);
const SEED = Number(process.env.TOLLGATE_DIFF_SEED ?? 1);
const BATCH = 250;
const CONCURRENCY = 8;

type Outcome = { kind: "value"; value: unknown } | { kind: "undefined" } | { kind: "error"; message: string };

/** Compiles a batch into one module; programs tollgate rejects come back apart, with the reason. */
function compileBatch(programs: GeneratedProgram[]): {
  wasm?: Uint8Array;
  rejected: Map<GeneratedProgram, string>;
} {
  const rejected = new Map<GeneratedProgram, string>();
  let remaining = programs;
  for (;;) {
    if (remaining.length === 0) return { rejected };
    try {
      const { wasm } = compile(
        remaining.map((p) => ({ path: `${p.pkg}.rego`, text: p.module })),
        { entrypoints: remaining.map((p) => p.pkg.replaceAll(".", "/")) },
      );
      return { wasm, rejected };
    } catch (error) {
      if (!(error instanceof RegoCompileError)) throw error;
      const files = new Set(error.problems.map((p) => p.pos.file));
      const bad = remaining.filter((p) => files.has(`${p.pkg}.rego`));
      if (bad.length === 0) throw error;
      for (const p of bad)
        rejected.set(
          p,
          error.problems
            .filter((x) => x.pos.file === `${p.pkg}.rego`)
            .map((x) => x.message)
            .join("; "),
        );
      remaining = remaining.filter((p) => !files.has(`${p.pkg}.rego`));
    }
  }
}

async function tollgateOutcomes(programs: GeneratedProgram[]): Promise<Map<GeneratedProgram, Outcome | string>> {
  const out = new Map<GeneratedProgram, Outcome | string>();
  const { wasm, rejected } = compileBatch(programs);
  for (const [p, why] of rejected) out.set(p, `rejected by tollgate: ${why}`);
  if (!wasm) return out;
  const host = new BuiltinHost();
  const policy = await loadPolicy(wasm, undefined, host.functions);
  for (const p of programs) {
    if (rejected.has(p)) continue;
    host.begin();
    try {
      const rows = policy.evaluate(p.input, p.pkg.replaceAll(".", "/")) as { result: unknown }[];
      out.set(p, rows.length === 0 ? { kind: "undefined" } : { kind: "value", value: rows[0]!.result });
    } catch (error) {
      out.set(p, {
        kind: "error",
        message: typeof error === "string" ? error : String((error as Error).message ?? error),
      });
    }
  }
  return out;
}

function describe(o: Outcome | OpaOutcome | string): string {
  if (typeof o === "string") return o;
  if (o.kind === "value") return canonical(o.value);
  if (o.kind === "undefined") return "undefined";
  if (o.kind === "error") return `error ${"code" in o ? `${o.code}: ` : ""}${o.message}`;
  return `compile error ${o.message}`;
}

function agree(ours: Outcome | string, theirs: OpaOutcome): boolean {
  if (typeof ours === "string") return false;
  if (ours.kind !== theirs.kind) return false;
  if (ours.kind === "value" && theirs.kind === "value") return canonical(ours.value) === canonical(theirs.value);
  return true;
}

test(`tollgate and OPA agree on ${PROGRAMS} generated programs (seed ${SEED})`, { timeout: 60 * 60_000 }, async (t) => {
  const opa = await opaForTest(t);
  if (!opa) return;
  const server = await startOpaServer(opa.bin);
  const mismatches: string[] = [];
  let compared = 0;
  let opaRejected = 0;
  try {
    for (let first = 0; first < PROGRAMS; first += BATCH) {
      const programs = generatePrograms(SEED * 1_000_003 + first, first, Math.min(BATCH, PROGRAMS - first));
      const ours = await tollgateOutcomes(programs);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < programs.length) {
          const p = programs[next++]!;
          const theirs = await opaEvaluate(
            server,
            p.pkg.replaceAll(".", "_"),
            p.module,
            p.pkg.replaceAll(".", "/"),
            p.input,
          );
          if (theirs.kind === "compile_error") {
            opaRejected++;
            continue;
          }
          compared++;
          const mine = ours.get(p)!;
          if (!agree(mine, theirs) && mismatches.length < 20) {
            mismatches.push(
              `${p.pkg} (seed ${SEED}) with input ${JSON.stringify(p.input)}:\n${p.module}\n  tollgate: ${describe(mine)}\n  opa:      ${describe(theirs)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
  } finally {
    await server.stop();
  }
  t.diagnostic(
    `${compared} programs compared, ${opaRejected} rejected by OPA's compiler, ${mismatches.length} disagreements`,
  );
  assert.ok(opaRejected <= PROGRAMS * 0.02, `OPA rejected ${opaRejected} generated programs: the generator is broken`);
  assert.deepEqual(mismatches, [], `tollgate and OPA disagree:\n\n${mismatches.join("\n\n")}`);
});
