/**
 * The test files of `npm run test:unit`: every test except those that start servers or other
 * processes (git over HTTP, Prometheus, API servers, Chromium, the CLI, Go-built oracles), build the
 * Wasm runtime, run whole reconcilers or the shared conformance cases. `npm test` runs them all.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const INTEGRATION = [
  /^test\/analysis\/analyze-cli\./,
  /^test\/audit\/(audit|explain-replay-report|signatures)\./,
  /^test\/cli\/(bad-input|commands|init)\./,
  /^test\/cluster\/(gitops-render|kube-apiserver-stand-in|kubernetes-applier|leader-election|prune|real-.*|stand-in-vs-real)\./,
  /^test\/demo\//,
  /^test\/git\/(pack-reader|pack-writer|send-pack)\./,
  /^test\/gitops\/(history|local|remote)\./,
  /^test\/model\/(digest-cli|parse-cache|validate)\./,
  /^test\/package\/install\./,
  /^test\/policy\/(cli|opa-bundle|policy-test|rego-v0)\./,
  /^test\/promote\//,
  /^test\/reconcile\/(checkout|crash|durable|e2e-remote|gitops-mode|live-unknown|race|reconciler|prune|status-cli|unknowns)\./,
  /^test\/serve\//,
  /^test\/signing\/(git-verify|ssh-keygen)\./,
  /^test\/rego\/(builtins|capabilities|conformance|differential|opa-oracle|opa-regressions|opa-suite|runtime-build|runtime-files|syntax)\./,
  /^test\/telemetry\/(prometheus|telemetry-fetch)\./,
];

const root = fileURLToPath(new URL("../../", import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "support" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(root, path)] : [];
  });
}

const unit = testFiles(join(root, "test"))
  .filter((file) => !INTEGRATION.some((pattern) => pattern.test(file)))
  .sort();
process.stdout.write(`${unit.join("\n")}\n`);
