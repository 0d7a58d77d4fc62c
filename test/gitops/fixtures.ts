/** Decisions over the example repository, shaped as the reconciler will make them. */
import type { HeadState } from "../../src/reconcile/transaction.ts";
import type { DecisionChange } from "../../src/gitops/decision-commit.ts";
import type { Artifact, DecisionAction, Release, Status } from "../../src/model/types.ts";

export const POLICY = `sha256:${"ab".repeat(32)}`;

export interface DecisionSpec {
  environment?: string;
  service?: string;
  action: DecisionAction;
  step?: number;
  /** ISO time of the decision. */
  at?: string;
}

/**
 * A decision about the release at `head` for `environment/service` (default staging/support-agent,
 * whose release is a canary with a last good artifact): the canary is the release's artifact, the
 * live one its lastGood.
 */
export function decisionAt(head: HeadState, spec: DecisionSpec): DecisionChange {
  const environment = spec.environment ?? "staging";
  const service = spec.service ?? "support-agent";
  const env = head.loaded.state.environments.get(environment);
  const release = env?.releases.get(service);
  if (!env || !release) throw new Error(`fixture: no release ${environment}/${service} at ${head.commit}`);
  const previous = env.statuses.get(service);
  const canary = release.artifact;
  const live = release.lastGood ?? release.artifact;
  const at = spec.at ?? "2026-11-20T10:00:00Z";
  const step = spec.step ?? 0;
  const reasons = [{ rule: `canary.${spec.action}`, message: `fixture decided ${spec.action} at step ${step}` }];
  const lastDecision = { action: spec.action, at, reasons, idempotencyKey: "filled-in-by-gitops" };
  const base: Status = {
    apiVersion: "tollgate.dev/v1",
    kind: "Status",
    service,
    phase: "progressing",
    liveDigest: live.digest,
    canaryDigest: canary.digest,
    step,
    weight: 10,
    lastDecision,
  };
  let status: Status = base;
  let release2: Release | undefined;
  let from: Artifact | undefined = live;
  let to: Artifact = canary;
  switch (spec.action) {
    case "advance":
      status = { ...base, step: step + 1, weight: 50, stepStartedAt: at };
      break;
    case "hold":
      break;
    case "promote":
      status = {
        apiVersion: "tollgate.dev/v1",
        kind: "Status",
        service,
        phase: "promoted",
        liveDigest: canary.digest,
        weight: 0,
        lastDecision,
        verified: [...(previous?.verified ?? []), { digest: canary.digest, at }],
      };
      break;
    case "rollback":
      status = {
        apiVersion: "tollgate.dev/v1",
        kind: "Status",
        service,
        phase: "rolled-back",
        liveDigest: live.digest,
        weight: 0,
        lastDecision,
        rejected: [...(previous?.rejected ?? []), { digest: canary.digest, at, reason: "error_rate regressed" }],
      };
      release2 = { ...release, artifact: live };
      delete release2.lastGood;
      from = canary;
      to = live;
      break;
    case "block":
      status = { ...base, phase: "blocked", weight: 0 };
      from = live;
      break;
  }
  return {
    action: spec.action,
    environment,
    service,
    artifact: canary.digest,
    step,
    from,
    to,
    why:
      spec.action === "rollback"
        ? `error_rate regressed at step ${step} (10% canary)`
        : `fixture ${spec.action} at step ${step}`,
    evidenceLines: [
      {
        metric: "error_rate",
        baseline: "1.20%",
        canary: spec.action === "rollback" ? "3.10%" : "1.18%",
        effect: spec.action === "rollback" ? "+1.90 pp" : "-0.02 pp",
        statistic: "e-value 42.1 (threshold 20)",
        verdict: spec.action === "rollback" ? "regression" : "no regression",
      },
      {
        metric: "latency",
        baseline: "p95 820 ms",
        canary: "p95 835 ms",
        effect: "+1.8%",
        statistic: "Mann-Whitney p=0.41",
      },
    ],
    reasons,
    policy: POLICY,
    evidence: {
      environment,
      service,
      canary: canary.digest,
      step,
      action: spec.action,
      at,
      intervals: [{ start: at, errors: { canary: 3, baseline: 12 } }],
    },
    status,
    ...(release2 ? { release: release2 } : {}),
  };
}
