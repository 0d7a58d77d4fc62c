/**
 * The guardrail policy's cost, measured against a baseline in the same run:
 *  - evaluation of `tollgate/decision` from the compiled bundle through the opa-wasm SDK, against
 *    bench/guardrails-reference.ts (the same rules written by hand in TypeScript) on the same
 *    inputs; reported as the ratio compiled / hand-written (goal ≤ 5×);
 *  - compile time of policies/ (parse → check → plan → Wasm), cold and warm (goal ≤ 300 ms warm);
 *  - the same guardrails compiled by OPA (`opa build -t wasm`, bench/opa-wasm.ts) and evaluated
 *    through the same SDK on the same inputs: the ratios tollgate / OPA of decision latency,
 *    module size and compile time (skipped, loudly, without Go).
 *
 *   npm run bench:policy
 *   npm run bench:policy -- --rounds 500 --json
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildBundle } from "../src/policy/bundle.ts";
import { PolicyLoader } from "../src/policy/loader.ts";
import { readPolicySources } from "../src/policy/sources.ts";
import type { PolicyInput } from "../src/policy/types.ts";
import { measureFamilies } from "./builtin-families.ts";
import { buildWithOpa } from "./opa-wasm.ts";
import { referenceDecision } from "./guardrails-reference.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "300" },
    compiles: { type: "string", default: "7" },
    json: { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const compiles = Number(values.compiles);

const POLICY_DIR = fileURLToPath(new URL("../policies/", import.meta.url));
const EXAMPLES_DIR = `${POLICY_DIR}examples/`;
const inputs: PolicyInput[] = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".input.json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(`${EXAMPLES_DIR}${f}`, "utf8")) as PolicyInput);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Time (µs) of one call of `fn`, averaged over every input `rounds` times; the best of `repeats`
 * such runs, since on a shared machine noise only ever adds time.
 */
function timePerCall(fn: (input: PolicyInput) => unknown, repeats = 7): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) for (const input of inputs) fn(input);
    best = Math.min(best, ((performance.now() - start) * 1000) / (rounds * inputs.length));
  }
  return best;
}

// Compile time: the first compile pays for loading the runtime and JIT warm-up; then warm.
const sources = await readPolicySources(POLICY_DIR, { tests: false });
const coldStart = performance.now();
const bundle = buildBundle(sources);
const coldMs = performance.now() - coldStart;
const warm: number[] = [];
for (let i = 0; i < compiles; i++) {
  const start = performance.now();
  buildBundle(sources);
  warm.push(performance.now() - start);
}
const warmMs = median(warm);

// The same guardrails plus one trivial rule: evaluating it with the same input measures what every
// SDK call costs before any policy runs (JSON.stringify, copying the input in, parsing it in Wasm).
const FLOOR = "tollgate_bench/floor";
const floorSource = {
  path: "zz_bench_floor.rego",
  text: "package tollgate_bench\n\nimport rego.v1\n\nfloor := true\n",
};
const guardrails = await new PolicyLoader().load(buildBundle([...sources, floorSource], ["tollgate/decision", FLOOR]));
const compiled = (input: PolicyInput) => guardrails.decide(input);
const floorCall = (input: PolicyInput) => guardrails.evaluate(FLOOR, input);
// The plain SDK evaluation of the entrypoint, as OPA's module is evaluated (no decision parsing).
const tollgateSdk = (input: PolicyInput) => guardrails.evaluate("tollgate/decision", input);
const opa = await buildWithOpa(sources, "tollgate/decision", 3);
const opaSdk = "skipped" in opa ? undefined : (input: PolicyInput) => opa.evaluate(input);

// Warm every path up (JIT, SDK caches), then measure them interleaved so a noisy machine hits all.
for (let i = 0; i < 200; i++) {
  for (const input of inputs) {
    compiled(input);
    floorCall(input);
    referenceDecision(input);
    tollgateSdk(input);
    opaSdk?.(input);
  }
}
const wasmUs: number[] = [];
const floorUs: number[] = [];
const referenceUs: number[] = [];
const tollgateSdkUs: number[] = [];
const opaSdkUs: number[] = [];
for (let i = 0; i < 3; i++) {
  wasmUs.push(timePerCall(compiled));
  floorUs.push(timePerCall(floorCall));
  referenceUs.push(timePerCall(referenceDecision));
  tollgateSdkUs.push(timePerCall(tollgateSdk));
  if (opaSdk) opaSdkUs.push(timePerCall(opaSdk));
}
const wasm = Math.min(...wasmUs);
const floor = Math.min(...floorUs);
const reference = Math.min(...referenceUs);
const ratio = wasm / reference;

/** JSON with object keys sorted, so results of both modules compare by value. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
const versusOpa =
  "skipped" in opa
    ? { skipped: opa.skipped }
    : {
        opaVersion: opa.opaVersion,
        agreeingInputs: inputs.filter((input) => canonical(tollgateSdk(input)) === canonical(opa.evaluate(input)))
          .length,
        evalTollgateUs: Number(Math.min(...tollgateSdkUs).toFixed(2)),
        evalOpaUs: Number(Math.min(...opaSdkUs).toFixed(2)),
        evalRatio: Number((Math.min(...tollgateSdkUs) / Math.min(...opaSdkUs)).toFixed(2)),
        wasmBytesTollgate: bundle.manifest.wasm.bytes,
        wasmBytesOpa: opa.wasmBytes,
        sizeRatio: Number((bundle.manifest.wasm.bytes / opa.wasmBytes).toFixed(2)),
        compileTollgateWarmMs: Math.round(warmMs),
        compileTollgateColdMs: Math.round(coldMs),
        compileOpaMs: Math.round(opa.buildMs),
        compileRatioWarm: Number((warmMs / opa.buildMs).toFixed(2)),
      };

const families = await measureFamilies();

const result = {
  inputs: inputs.length,
  rounds,
  bundleDigest: bundle.manifest.digest,
  wasmBytes: bundle.manifest.wasm.bytes,
  compileColdMs: Math.round(coldMs),
  compileWarmMs: Math.round(warmMs),
  compileWarmGoalMs: 300,
  evalCompiledUs: Number(wasm.toFixed(2)),
  evalReferenceUs: Number(reference.toFixed(2)),
  evalSdkFloorUs: Number(floor.toFixed(2)),
  evalRatio: Number(ratio.toFixed(2)),
  evalRatioGoal: 5,
  versusOpa,
  builtinFamilies: families,
};
if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`guardrail bundle ${result.bundleDigest} (${result.wasmBytes} bytes of Wasm)`);
  console.log(
    `compile policies/: cold ${result.compileColdMs} ms, warm ${result.compileWarmMs} ms (goal <= 300 ms warm)`,
  );
  console.log(`evaluate tollgate/decision over ${inputs.length} example inputs x ${rounds} rounds:`);
  console.log(`  compiled Wasm through opa-wasm: ${result.evalCompiledUs} us per decision`);
  console.log(`  hand-written TypeScript:        ${result.evalReferenceUs} us per decision`);
  console.log(`  SDK floor (trivial rule, same input: stringify, copy, parse in Wasm): ${result.evalSdkFloorUs} us`);
  console.log(`  ratio ${result.evalRatio}x (goal <= 5x)`);
  if ("skipped" in versusOpa) {
    console.log(`SKIPPED LOUDLY: tollgate vs OPA-built Wasm not measured: ${versusOpa.skipped}`);
  } else {
    const v = versusOpa;
    console.log(`tollgate vs \`opa build -t wasm\` (opa ${v.opaVersion}), both through opa-wasm, same inputs:`);
    console.log(`  results agree on ${v.agreeingInputs} of ${inputs.length} inputs`);
    console.log(
      `  evaluate: tollgate ${v.evalTollgateUs} us, OPA ${v.evalOpaUs} us per decision: ratio ${v.evalRatio}x`,
    );
    console.log(`  module: tollgate ${v.wasmBytesTollgate} bytes, OPA ${v.wasmBytesOpa} bytes: ratio ${v.sizeRatio}x`);
    console.log(
      `  compile: tollgate ${v.compileTollgateWarmMs} ms warm (${v.compileTollgateColdMs} ms cold, in process), ` +
        `opa build ${v.compileOpaMs} ms (a process): ratio ${v.compileRatioWarm}x warm`,
    );
  }
  console.log("one typical builtin call per family (us, the evaluation without the call subtracted):");
  for (const f of families) console.log(`  ${f.family.padEnd(24)} ${f.where.padEnd(6)} ${f.usPerCall} us`);
}
