import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { git } from "../support/gitops-repo.ts";
import { startServeCli } from "../serve/support.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

describe("tollgate demo (npm run demo)", () => {
  it("tells the whole story and ends with a clean audit", async () => {
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin/tollgate.js"), "demo"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      timeout: 300_000,
    });
    const out = run.stdout;
    const repoDir = /demo repository stays at (\S+)\./.exec(out)?.[1];
    try {
      assert.equal(run.status, 0, `demo failed:\n${out}\n${run.stderr}`);
      // The model swap is blocked by the PR check for lacking an eval, then promoted through staging.
      assert.match(out, /tollgate check on the pull request exits 1/);
      assert.match(
        out,
        /✗ eval attestation: model anthropic\/claude-sonnet-4-5@20250929 -> anthropic\/claude-sonnet-4-5@20251112 needs a signed eval attestation/,
      );
      // CI signs the promptfoo run with the eval runner's key; the gate counts it as signed.
      assert.match(
        out,
        /the governance gate counts it: signed by eval-runner@ci\.acme\.dev, an eval runner of signers\.yaml/,
      );
      assert.match(
        out,
        /✓ eval attestation: model changed; support-golden-v8 score 0\.94 ≥ 0\.8 \(signed by eval-runner@ci\.acme\.dev\)/,
      );
      assert.match(out, /PROMOTE\s+staging\/support-agent/);
      // In prod its canary is rolled back on the error rate, rejected and frozen.
      assert.match(out, /ROLLBACK prod\/support-agent\s+(\S+) → \S+.*\n\s+error_rate failed the canary analysis/);
      assert.match(out, /is rejected, the service is frozen until/);
      // v3 steps 5% → 25% → 50% → 100% in prod and is promoted.
      for (const weight of [25, 50, 100])
        assert.match(out, new RegExp(`prod/support-agent .*step \\d+ at +${weight}%`));
      assert.match(out, /PROMOTE\s+prod\/support-agent/);
      // The runaway cost is stopped by a budget rule.
      assert.match(out, /ROLLBACK dev\/retrieval-api.*\n\s+cost per task \$[\d.]+ is \d+% above baseline/);
      // The history reads in git log, and audit verifies all of it.
      assert.match(out, /Tollgate-Decision: rollback\n.*Tollgate-Environment: prod/);
      assert.match(out, /every check passed/);
      // Plain git verifies tollgate's signature on the prod rollback.
      assert.match(
        out,
        /verify-commit [0-9a-f]{10}`:\n\s+│ Good "git" signature for tollgate@acme\.dev with ED25519 key SHA256:/,
      );
      // The demo repository is a clean checkout of main: tollgate moved its files with the branch (issue 21).
      assert.equal(git(repoDir!, "status", "--porcelain"), "");
      // It ends by saying where to open the dashboard, and `tollgate serve` serves it.
      assert.match(out, /The live dashboard of this history\n.*\(2 service\(s\) in 3 environment\(s\)\)/);
      assert.match(
        out,
        new RegExp(`npx tollgate serve --repo ${repoDir}\\n\\s+then open http://127\\.0\\.0\\.1:8080/`),
      );
      const served = await startServeCli(["--repo", repoDir!, "--listen", "127.0.0.1:0"]);
      try {
        const page = await (await fetch(served.url)).text();
        assert.match(page, /data-service="support-agent"/);
        assert.match(page, /data-state="steady"/);
      } finally {
        assert.equal(await served.stop(), 0);
      }
    } finally {
      if (repoDir?.includes("tollgate-demo-")) await rm(dirname(repoDir), { recursive: true, force: true });
    }
  });
});
