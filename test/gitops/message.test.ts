import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  type DecisionMessageInput,
  formatDecisionMessage,
  idempotencyKey,
  parseDecisionMessage,
} from "../../src/gitops/message.ts";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import type { ArtifactParts } from "../../src/model/types.ts";
import { hasGit } from "../support/git-http/repos.ts";

const hex = (c: string) => c.repeat(64);
const parts: ArtifactParts = {
  code: { image: `ghcr.io/acme/agent@sha256:${hex("a")}`, sourceCommit: "b".repeat(40) },
  model: { provider: "anthropic", name: "claude-sonnet-4-5", snapshot: "20250929" },
  prompts: { digest: `sha256:${hex("c")}` },
  tools: { manifestDigest: `sha256:${hex("d")}`, allowed: ["search_kb", "create_ticket"] },
  index: { buildId: "kb-1", digest: `sha256:${hex("e")}` },
};
const from = sealArtifact(parts);
const to = sealArtifact({
  ...parts,
  model: { ...parts.model, snapshot: "20251101" },
  tools: { ...parts.tools, allowed: [...parts.tools.allowed, "refund"] },
});

function input(overrides: Partial<DecisionMessageInput> = {}): DecisionMessageInput {
  const trailers = {
    decision: "advance" as const,
    environment: "prod",
    service: "support-agent",
    artifact: to.digest,
    policy: `sha256:${hex("1")}`,
    evidence: `sha256:${hex("2")}`,
    step: 1,
    idempotencyKey: idempotencyKey({
      environment: "prod",
      service: "support-agent",
      artifact: to.digest,
      step: 1,
      action: "advance",
    }),
  };
  return {
    trailers,
    from,
    to,
    why: "no metric regressed over 40 min at 10%; advancing to 50%",
    evidence: [
      {
        metric: "error_rate",
        baseline: "1.20%",
        canary: "1.10%",
        effect: "-0.10 pp",
        statistic: "e-value 0.4 (threshold 20)",
        verdict: "no regression",
      },
      {
        metric: "cost_per_task",
        baseline: "$0.031",
        canary: "$0.033",
        effect: "+6.5%",
        statistic: "95% CS [-2%, +11%]",
      },
    ],
    reasons: [{ rule: "rollout.advance", message: "step 1 observed for 40m (min 30m)" }],
    ...overrides,
  };
}

describe("decision messages", () => {
  it("read back to exactly what was written", () => {
    const text = formatDecisionMessage(input());
    const parsed = parseDecisionMessage(text);
    assert.equal(parsed.kind, "decision");
    if (parsed.kind !== "decision") return;
    const m = parsed.message;
    assert.equal(m.subject, `advance(prod/support-agent): ${from.digest.slice(7, 19)} → ${to.digest.slice(7, 19)}`);
    assert.equal(m.why, input().why);
    assert.deepEqual(m.evidence, input().evidence);
    assert.deepEqual(m.reasons, input().reasons);
    assert.deepEqual(m.trailers, input().trailers);
    assert.deepEqual(m.artifactDiff, [
      { part: "code", text: "unchanged" },
      { part: "model", text: "claude-sonnet-4-5 snapshot 20250929 → 20251101" },
      { part: "prompts", text: "unchanged" },
      { part: "tools", text: "+refund" },
      { part: "index", text: "unchanged" },
    ]);
    assert.match(text, /^Artifact diff [0-9a-f]{12} → [0-9a-f]{12} \(2 of 5 parts changed\):$/m);
  });

  it("say so when nothing was measured, and describe a first deploy part by part", () => {
    const text = formatDecisionMessage(input({ from: undefined, evidence: [], reasons: [] }));
    assert.match(text, /^advance\(prod\/support-agent\): none → [0-9a-f]{12}$/m);
    assert.match(text, /^Evidence: none \(no metric was compared\)$/m);
    assert.match(text, /^- model: new anthropic\/claude-sonnet-4-5@20251101$/m);
    assert.match(text, /^- tools: new create_ticket, refund, search_kb \(manifest d{12}\)$/m);
    const parsed = parseDecisionMessage(text);
    assert.equal(parsed.kind, "decision");
    if (parsed.kind === "decision") assert.deepEqual(parsed.message.evidence, []);
  });

  it("are trailers that git itself reads", (t) => {
    if (!hasGit()) {
      if (process.env.CI === "true") throw new Error("git is not installed");
      t.skip("git is not installed");
      return;
    }
    const text = formatDecisionMessage(input());
    const parsed = execFileSync("git", ["interpret-trailers", "--parse"], { input: text, encoding: "utf8" });
    const t0 = input().trailers;
    assert.equal(
      parsed,
      [
        `Tollgate-Decision: ${t0.decision}`,
        `Tollgate-Environment: ${t0.environment}`,
        `Tollgate-Service: ${t0.service}`,
        `Tollgate-Artifact: ${t0.artifact}`,
        `Tollgate-Policy: ${t0.policy}`,
        `Tollgate-Evidence: ${t0.evidence}`,
        `Tollgate-Step: ${t0.step}`,
        `Tollgate-Idempotency-Key: ${t0.idempotencyKey}`,
        "",
      ].join("\n"),
    );
  });

  it("refuse what would not read back or is not one line", () => {
    assert.throws(() => formatDecisionMessage(input({ why: "two\nlines" })), /why must be one line/);
    assert.throws(() => formatDecisionMessage(input({ why: " " })), /why must not be empty/);
    assert.throws(
      () => formatDecisionMessage(input({ trailers: { ...input().trailers, policy: "sha256:xyz" } })),
      /Tollgate-Policy must be sha256:<64 hex>/,
    );
    assert.throws(
      () => formatDecisionMessage(input({ trailers: { ...input().trailers, environment: "Prod" } })),
      /Tollgate-Environment must be an environment name/,
    );
    assert.throws(
      () =>
        formatDecisionMessage(
          input({
            evidence: [{ metric: "latency", baseline: "1", canary: "2, canary 3", effect: "x", statistic: "y" }],
          }),
        ),
      /an evidence line would not read back/,
    );
    assert.throws(() => formatDecisionMessage(input({ why: "Evidence:" })), /would not read back/);
  });

  it("tell ordinary commits from decisions, and decisions from hand-edited imitations", () => {
    assert.deepEqual(parseDecisionMessage("Bump support-agent to 1.9.0\n\nSigned-off-by: A <a@b>\n"), {
      kind: "not-a-decision",
    });
    const good = formatDecisionMessage(input());

    const wrongSubject = good.replace("advance(prod/support-agent)", "promote(prod/support-agent)");
    const r1 = parseDecisionMessage(wrongSubject);
    assert.equal(r1.kind, "malformed");
    if (r1.kind === "malformed")
      assert.deepEqual(r1.problems, ['subject action "promote" differs from Tollgate-Decision "advance"']);

    const doubled = good.replace(
      "Tollgate-Service: support-agent\n",
      "Tollgate-Service: support-agent\nTollgate-Service: billing\n",
    );
    const r2 = parseDecisionMessage(doubled);
    assert.equal(r2.kind, "malformed");
    if (r2.kind === "malformed") assert.ok(r2.problems.includes("Tollgate-Service appears more than once"));

    const noDiff = good.replace(/Artifact diff[\s\S]*?\n\n/, "");
    const r3 = parseDecisionMessage(noDiff);
    assert.equal(r3.kind, "malformed");
    if (r3.kind === "malformed")
      assert.ok(r3.problems.includes("the Artifact diff section is missing"), r3.problems.join("\n"));

    const buried = `${good}\nReviewed-by: someone\nnot a trailer line\n`;
    assert.equal(parseDecisionMessage(buried).kind, "malformed");

    const extra = `${good}Co-authored-by: Alice <alice@example.test>\n`;
    const r4 = parseDecisionMessage(extra);
    assert.equal(r4.kind, "decision");
    if (r4.kind === "decision")
      assert.deepEqual(r4.message.otherTrailers, [["Co-authored-by", "Alice <alice@example.test>"]]);
  });

  it("key decisions by environment, service, digest, step and action", () => {
    assert.equal(
      idempotencyKey({ environment: "prod", service: "a", artifact: `sha256:${hex("f")}`, step: 2, action: "hold" }),
      `prod/a/sha256:${hex("f")}/2/hold`,
    );
    assert.equal(
      idempotencyKey({ environment: "prod", service: "a", artifact: `sha256:${hex("f")}`, action: "block" }),
      `prod/a/sha256:${hex("f")}/-/block`,
    );
  });
});
