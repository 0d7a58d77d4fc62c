/**
 * policy: guardrail bundles (build with src/rego, load with opa-wasm, evaluate), the policy input
 * built from the repository state (buildPolicyInput), the policies at a commit (PolicyAtHead), and
 * the library of the `policy *` commands.
 */
export { POLICY_DIR, POLICY_PATH_PREFIX, policySourcesIn } from "./at-ref.ts";
export { buildPolicyInput } from "./build-input.ts";
export { buildBundle, readBundle, writeBundle } from "./bundle.ts";
export { readOpaBundle, writeOpaBundle } from "./opa-bundle.ts";
export { PolicyAtHead } from "./cache.ts";
export { utcTime } from "./input.ts";
export { type LoadedBundle, type NondeterministicRecord, PolicyLoader } from "./loader.ts";
export { displayPrefix, readPolicySources } from "./sources.ts";
export { jsonReport, prettyReport } from "./test-report.ts";
export { DEFAULT_TEST_TIMEOUT_MS, runPolicyTests } from "./test-runner.ts";
export {
  DECISION_ENTRYPOINT,
  type MetricJudgement,
  type PolicyAnalysis,
  type PolicyApproval,
  type PolicyDecision,
  type PolicyInput,
  type PolicyMode,
  type PolicySampleRatio,
  type PolicySpend,
  type PolicySync,
  type PolicySyncCluster,
  type PolicyViolation,
  type Windowed,
} from "./types.ts";
export { collectRegoFiles, rewriteFileV0ToV1 } from "./migrate.ts";
