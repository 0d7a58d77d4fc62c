/**
 * Builds the guardrails' input document (schemas/policy-input.schema.json) from the repository
 * state at HEAD, the moment of the decision and, during a rollout, what the telemetry showed.
 */
import {
  type Approval,
  diffArtifacts,
  type Environment,
  type EnvironmentState,
  type Release,
  type RepositoryState,
  type Status,
  type Teams,
  teamsOf,
} from "../model/index.ts";
import { allowedKeys, verifyAttestation } from "../signing/index.ts";
import { policyEnvironment, policyNow, utcTime } from "./input.ts";
import type {
  PolicyAnalysis,
  PolicyApproval,
  PolicyAttestation,
  PolicyInput,
  PolicyMode,
  PolicySpend,
  PolicyStatus,
  PolicySync,
} from "./types.ts";

export interface PolicyInputFacts {
  mode: PolicyMode;
  state: RepositoryState;
  environment: string;
  service: string;
  /** The release as it would be (for `check`, the proposed one). */
  release: Release;
  status: Status | undefined;
  now: Date;
  analysis?: PolicyAnalysis;
  spend?: PolicySpend;
  /** While the step's clock waits for the `gitops` clusters (see decision/sync.ts). */
  sync?: PolicySync;
  /** Approvals from outside the repository (a PR platform), on top of those recorded in the release. */
  extraApprovals?: Approval[];
}

export function buildPolicyInput(facts: PolicyInputFacts): PolicyInput {
  const envState = facts.state.environments.get(facts.environment);
  if (!envState) throw new Error(`environment ${facts.environment} is not in the repository state`);
  const env = envState.environment;
  const { release, now } = facts;
  const previous = release.lastGood ?? null;
  const diff = diffArtifacts(previous ?? undefined, release.artifact);
  return {
    mode: facts.mode,
    now: policyNow(now, env.windows?.timeZone ?? "UTC"),
    service: facts.service,
    environment: policyEnvironment(env),
    release: { artifact: release.artifact, attestations: policyAttestations(release, facts.state) },
    previous,
    diff: {
      fromDigest: diff.fromDigest,
      toDigest: diff.toDigest,
      changed: diff.changed,
      changes: diff.changes,
      summary: diff.summary,
    },
    status: withConfirmations(policyStatus(facts.status, now), env, release),
    upstream: upstreamOf(facts.state, env.promotesFrom, facts.service),
    ...(facts.analysis ? { analysis: facts.analysis } : {}),
    ...(facts.spend ? { spend: facts.spend } : {}),
    approvals: [...(release.approvals ?? []), ...(facts.extraApprovals ?? [])].map((a) =>
      policyApproval(a, facts.state.teams),
    ),
    deployments: dependencyDeployments(envState, release),
    dependencies: dependencyHealth(envState, release),
    ...(facts.sync ? { sync: facts.sync } : {}),
  };
}

/** The release's attestations without their envelopes, each with whether an allowed eval runner signed it. */
function policyAttestations(release: Release, state: RepositoryState): PolicyAttestation[] {
  const runners = state.signers ? allowedKeys(state.signers, "evalRunners") : [];
  return (release.attestations ?? []).map(({ envelope, ...fields }) => {
    const verification =
      envelope === undefined
        ? { verified: false, problem: "not signed" }
        : state.signers
          ? verifyAttestation({ ...fields, envelope }, runners)
          : { verified: false, problem: "there is no signers.yaml to say which eval runners may sign" };
    return { ...fields, verification };
  });
}

export function policyStatus(status: Status | undefined, now: Date): PolicyStatus {
  if (!status) return { phase: "idle", rejected: [] };
  const since = (iso: string | undefined) =>
    iso ? Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000)) : undefined;
  const progressing = status.phase === "progressing";
  const out: PolicyStatus = { phase: status.phase, rejected: status.rejected ?? [] };
  if (status.liveDigest) out.liveDigest = status.liveDigest;
  if (status.canaryDigest) out.canaryDigest = status.canaryDigest;
  if (progressing) {
    out.step = status.step ?? 0;
    out.weight = status.weight ?? 0;
    // The step's clock starts once its gitops clusters serve it.
    out.stepSeconds = status.awaitingSync ? 0 : (since(status.stepStartedAt) ?? 0);
    out.rolloutSeconds = since(status.rolloutStartedAt) ?? 0;
  }
  if (status.frozenUntil) out.frozenUntil = utcTime(status.frozenUntil);
  return out;
}

/**
 * At a step marked `confirm` (or any step, when the environment holds low-traffic steps at their cap
 * for a person), who confirmed it for the canary being rolled out.
 */
function withConfirmations(status: PolicyStatus, env: Environment, release: Release): PolicyStatus {
  if (status.phase !== "progressing" || status.step === undefined) return status;
  if (!env.rollout.steps[status.step]?.confirm && env.analysis.lowTraffic !== "hold") return status;
  const step = status.step + 1;
  const by = (release.confirmations ?? [])
    .filter((c) => c.digest === release.artifact.digest && c.step === step)
    .map((c) => c.by);
  return { ...status, confirmedBy: [...new Set(by)].sort() };
}

function upstreamOf(state: RepositoryState, promotesFrom: string | null, service: string): PolicyInput["upstream"] {
  if (promotesFrom === null) return null;
  const verified = state.environments.get(promotesFrom)?.statuses.get(service)?.verified ?? [];
  return { environment: promotesFrom, verified };
}

/** An approval as the policy reads it, with the approver's teams by teams.yaml (when there is one). */
function policyApproval(a: Approval, teams: Teams | undefined): PolicyApproval {
  const of = teamsOf(teams, a.by);
  return {
    by: a.by,
    ...(of.length > 0 ? { teams: of } : {}),
    at: a.at,
    digest: a.digest,
    ...(a.for ? { for: a.for } : {}),
  };
}

/** Rollouts under way of the services this one depends on (the only other rollouts a decision here weighs). */
function dependencyDeployments(envState: EnvironmentState, release: Release): PolicyInput["deployments"] {
  const out: PolicyInput["deployments"] = [];
  for (const name of [...(release.dependsOn ?? [])].sort()) {
    const status = envState.statuses.get(name);
    if (status?.phase !== "progressing") continue;
    out.push({
      service: name,
      phase: status.phase,
      ...(status.canaryDigest ? { digest: status.canaryDigest } : {}),
      ...(status.step !== undefined ? { step: status.step } : {}),
      ...(status.weight !== undefined ? { weight: status.weight } : {}),
    });
  }
  return out;
}

/**
 * The health of each dependency as the repository knows it: deployed here, something live, and not
 * held by an incident that hits both its versions.
 */
function dependencyHealth(envState: EnvironmentState, release: Release): PolicyInput["dependencies"] {
  return [...(release.dependsOn ?? [])].sort().map((name) => {
    const env = envState.environment.name;
    if (!envState.releases.has(name)) return { service: name, healthy: false, detail: `it has no release in ${env}` };
    const status = envState.statuses.get(name);
    if (!status?.liveDigest) return { service: name, healthy: false, detail: `nothing of it is live in ${env} yet` };
    const last = status.lastDecision;
    const incident =
      status.phase === "progressing" && last?.action === "hold"
        ? last.reasons.find((r) => r.rule === "rollback.incident_on_both_arms")
        : undefined;
    if (incident) return { service: name, healthy: false, detail: incident.message };
    return { service: name, healthy: true };
  });
}
