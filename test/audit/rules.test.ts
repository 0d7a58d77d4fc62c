import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { differences, firstDifferentLine } from "../../src/audit/compare.ts";
import { interpretation } from "../../src/decision/interpretation.ts";
import { interpretationProblems } from "../../src/audit/verify-interpretation.ts";
import { parseSince } from "../../src/audit/since.ts";
import { missingApprovals } from "../../src/audit/verify-change.ts";
import { sealArtifact } from "../../src/model/artifact-digest.ts";
import { UserError } from "../../src/model/errors.ts";
import type { Environment, Release, Teams } from "../../src/model/types.ts";
import type { PolicyDecision } from "../../src/policy/types.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const answer = (action: PolicyDecision["action"], rules: string[] = [`x.${action}`]): PolicyDecision => ({
  action,
  mode: "live",
  reasons: rules.map((rule) => ({ rule, message: `${rule} fired`, values: { n: 1 } })),
  violations: [],
});

describe("the reconciler's interpretation, as the audit checks it", () => {
  it("maps each policy answer in each situation to the committed action and tollgate's own reasons", () => {
    const cases: [Parameters<typeof interpretation>, string, string[], boolean][] = [
      [["pending", undefined, 3, false, null], "hold", ["tollgate.policy_error"], false],
      [["first-release", undefined, 3, false, answer("advance")], "promote", ["tollgate.first_release"], true],
      [["rolling-out", 2, 3, false, answer("advance")], "hold", ["tollgate.policy_inconsistent"], false],
      [["rolling-out", 1, 3, false, answer("advance")], "advance", [], true],
      [["pending", undefined, 3, true, answer("advance")], "advance", ["tollgate.superseded"], true],
      [["pending", undefined, 3, false, answer("promote")], "hold", ["tollgate.policy_inconsistent"], false],
      [["rolling-out", 0, 3, false, answer("promote")], "promote", [], true],
      [["pending", undefined, 3, false, answer("rollback")], "block", [], true],
      [["rolling-out", 0, 3, false, answer("rollback")], "rollback", [], true],
      [["rolling-out", 0, 3, false, answer("hold")], "hold", [], true],
      [["pending", undefined, 3, false, answer("block")], "block", [], true],
    ];
    for (const [args, action, added, keeps] of cases) {
      assert.deepEqual(interpretation(...args), { action, added, keepsPolicyReasons: keeps }, JSON.stringify(args));
    }
  });

  it("accepts the committed decision the reconciler makes and names any other", () => {
    const result = answer("rollback", ["rollback.metric_failed", "budgets.deploy_spend"]);
    const meant = interpretation("rolling-out", 0, 2, false, result);
    const committed = {
      action: "rollback" as const,
      reasons: result.reasons.map((r) => ({ rule: r.rule, message: r.message, values: r.values })),
    };
    assert.deepEqual(interpretationProblems(meant, result, committed), []);
    assert.match(
      interpretationProblems(meant, result, { ...committed, action: "hold" }).join(),
      /the policy answered rollback, which the reconciler commits as rollback, but the commit records hold/,
    );
    assert.match(
      interpretationProblems(meant, result, { ...committed, reasons: committed.reasons.slice(1) }).join(),
      /the committed reasons are \[budgets\.deploy_spend\], expected \[rollback\.metric_failed, budgets\.deploy_spend\]/,
    );
    const reworded = committed.reasons.map((r, i) => (i === 0 ? { ...r, message: "something else" } : r));
    assert.match(
      interpretationProblems(meant, result, { ...committed, reasons: reworded }).join(),
      /reasons\[0\]\.message: expected "rollback\.metric_failed fired", found "something else"/,
    );
    const first = interpretation("first-release", undefined, 2, false, answer("advance"));
    assert.deepEqual(
      interpretationProblems(first, answer("advance"), {
        action: "promote",
        reasons: [
          { rule: "tollgate.first_release", message: "first" },
          { rule: "x.advance", message: "x.advance fired", values: { n: 1 } },
        ],
      }),
      [],
    );
  });
});

describe("approvals a protected release change needs", () => {
  const load = async (): Promise<{ prod: Environment; release: Release }> => ({
    prod: parse(await readFile(join(PROJECT_ROOT, "environments/prod/environment.yaml"), "utf8")) as Environment,
    release: parse(
      await readFile(join(PROJECT_ROOT, "environments/prod/releases/support-agent.yaml"), "utf8"),
    ) as Release,
  });
  const changed = (
    release: Release,
    edit: (p: Omit<Release["artifact"], "digest">) => Omit<Release["artifact"], "digest">,
  ): Release => {
    const { digest: _d, ...parts } = release.artifact;
    return { ...release, artifact: sealArtifact(edit(parts)), lastGood: release.artifact, approvals: [] };
  };

  it("counts distinct eligible approvers of the new digest whose scope covers the changed part", async () => {
    const { prod, release } = await load();
    const next = changed(release, (p) => ({ ...p, model: { ...p.model, snapshot: "20260101" } }));
    const at = "2026-11-24T10:00:00Z";
    const d = next.artifact.digest;
    assert.match(
      missingApprovals(prod, next, "f").join(),
      /the model change to [0-9a-f]{12} needs 2 approval\(s\) .* it has 0$/,
    );
    assert.deepEqual(
      missingApprovals(
        prod,
        {
          ...next,
          approvals: [
            { by: "alice", at, digest: d },
            { by: "bob", at, digest: d, for: ["model"] },
          ],
        },
        "f",
      ),
      [],
    );
    const problems = (approvals: Release["approvals"]) => missingApprovals(prod, { ...next, approvals }, "f").join();
    assert.match(
      problems([
        { by: "alice", at, digest: d },
        { by: "alice", at, digest: d },
      ]),
      /it has 1 \(alice\)/,
      "one person twice is one approver",
    );
    assert.match(
      problems([
        { by: "alice", at, digest: d },
        { by: "mallory", at, digest: d },
      ]),
      /it has 1 \(alice\)/,
      "not in approvals.approvers",
    );
    assert.match(
      problems([
        { by: "alice", at, digest: d },
        { by: "bob", at, digest: release.artifact.digest },
      ]),
      /it has 1 \(alice\)/,
      "an approval of another digest",
    );
    assert.match(
      problems([
        { by: "alice", at, digest: d },
        { by: "bob", at, digest: d, for: ["tools"] },
      ]),
      /it has 1 \(alice\)/,
      "an approval for another part",
    );
    // A change only to a part outside approvals.for (the index) needs none; an unprotected environment needs none.
    assert.deepEqual(
      missingApprovals(
        prod,
        changed(release, (p) => ({ ...p, index: { buildId: "kb-x", digest: `sha256:${"9".repeat(64)}` } })),
        "f",
      ),
      [],
    );
    assert.deepEqual(missingApprovals({ ...prod, protected: false }, next, "f"), []);
  });

  it("admits members of a team:<name> approver by teams.yaml, and nobody without it", async () => {
    const { prod, release } = await load();
    const next = changed(release, (p) => ({ ...p, model: { ...p.model, snapshot: "20260101" } }));
    const approvals = [
      { by: "carol", at: "2026-11-24T10:00:00Z", digest: next.artifact.digest },
      { by: "dave", at: "2026-11-24T10:00:00Z", digest: next.artifact.digest },
    ];
    const teams: Teams = {
      apiVersion: "tollgate.dev/v1",
      kind: "Teams",
      teams: { "ml-platform": ["carol"], "support-eng": ["dave", "erin"], other: ["mallory"] },
    };
    assert.ok(prod.approvals.approvers?.includes("team:ml-platform"));
    assert.deepEqual(missingApprovals(prod, { ...next, approvals }, "f", teams), []);
    assert.match(missingApprovals(prod, { ...next, approvals }, "f").join(), /it has 0$/);
    const outsider = [approvals[0]!, { ...approvals[1]!, by: "mallory" }];
    assert.match(missingApprovals(prod, { ...next, approvals: outsider }, "f", teams).join(), /it has 1 \(carol\)$/);
  });
});

describe("comparison helpers and --since", () => {
  it("names where JSON values differ, ignoring key order", () => {
    assert.deepEqual(differences({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), []);
    assert.deepEqual(differences({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 3 }], d: true }, "x"), [
      "x.b[1].c: expected 2, found 3",
      "x.d: expected nothing, found true",
    ]);
    assert.deepEqual(differences([1, 2], [1]), ["(value): expected 2 item(s), found 1"]);
    assert.equal(firstDifferentLine("a\nb\nc", "a\nB\nc"), 'line 2: expected "b", found "B"');
    assert.equal(firstDifferentLine("a", "a\nb"), 'line 2: expected no line, found "b"');
  });

  it("reads --since as a date or a ref", () => {
    assert.deepEqual(parseSince("2026-11-24"), new Date("2026-11-24T00:00:00Z"));
    assert.deepEqual(parseSince("2026-11-24T10:30:00Z"), new Date("2026-11-24T10:30:00Z"));
    assert.equal(parseSince("v1.2"), "v1.2");
    assert.equal(parseSince(undefined), undefined);
    assert.throws(() => parseSince("2026-13-45"), UserError);
  });
});
