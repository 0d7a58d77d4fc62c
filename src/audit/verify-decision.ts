/**
 * The checks of one decision commit: (a) evidence, (b) policy, (c) decision, (d) transition, and the
 * commit message. Each check names what it found wrong; an unexpected error inside a check fails
 * that check with the error's message instead of stopping the audit.
 */

import {
  type DecisionCore,
  evidenceLines,
  engineReadings,
  interpretation,
  syncState,
  jsonSafe,
  PRODUCER,
  type DecisionFacts as ServiceFacts,
  unknownLiveDigest,
} from "../decision/index.ts";
import {
  changedFiles,
  evidencePath,
  formatDecisionMessage,
  type GitRepo,
  type HistoryEntry,
  parseDecisionMessage,
} from "../gitops/index.ts";
import {
  type Artifact,
  environmentFile,
  releaseFile,
  type Status,
  serializeStatus,
  servingArtifact,
  shortDigest,
  statusFile,
  updateReleaseText,
} from "../model/index.ts";
import type { PolicyDecision } from "../policy/index.ts";
import { differences, firstDifferentLine } from "./compare.ts";
import { decisionRenderedProblems, isRenderedPath } from "./verify-rendered.ts";
import { type DecisionFacts, loadDecisionFacts } from "./decision-facts.ts";
import { EvidenceProblem } from "./evidence-document.ts";
import type { PolicyBuild, PolicyBuilds } from "./policy-builds.ts";
import { rederiveObservation } from "./rederive.ts";
import type { StateCache } from "./states.ts";
import type { CheckOutcome, CommitAudit } from "./types.ts";
import { interpretationProblems } from "./verify-interpretation.ts";

export interface AuditContext {
  repo: GitRepo;
  policies: PolicyBuilds;
  states: StateCache;
  /** The decision core whose stages re-derive each decision (the reconciler's). */
  core: DecisionCore;
}

const pass = (): CheckOutcome => ({ state: "pass", problems: [] });
const fail = (problems: string[]): CheckOutcome => ({ state: "fail", problems });
const skipped = (why: string): CheckOutcome => ({ state: "skipped", problems: [why] });
const outcome = (problems: string[]): CheckOutcome => (problems.length > 0 ? fail(problems) : pass());

export async function verifyDecision(ctx: AuditContext, entry: HistoryEntry): Promise<CommitAudit> {
  const audit: CommitAudit = {
    commit: entry.oid,
    time: new Date(entry.committer.timestamp * 1000).toISOString(),
    kind: "decision",
    subject: entry.message.split("\n")[0] ?? "",
    checks: {},
  };
  if (!entry.decision) {
    audit.checks.message = fail(
      entry.problems.map((p) => `the commit says it is a tollgate decision but its message is malformed: ${p}`),
    );
    for (const name of ["evidence", "policy", "decision", "transition"] as const)
      audit.checks[name] = skipped("the decision message cannot be read");
    return audit;
  }
  const t = entry.decision.trailers;
  audit.environment = t.environment;
  audit.service = t.service;
  audit.action = t.decision;

  let facts: DecisionFacts;
  try {
    facts = await loadDecisionFacts(ctx.repo, ctx.states, entry);
  } catch (error) {
    if (!(error instanceof EvidenceProblem)) throw error;
    audit.checks.evidence = fail([error.message]);
    for (const name of ["policy", "decision", "transition", "message"] as const)
      audit.checks[name] = skipped("there is no evidence to check against");
    return audit;
  }
  audit.checks.evidence = outcome(evidenceHeaderProblems(facts));

  const build = await ctx.policies.at(facts.parent);
  audit.checks.policy = await guarded(() => policyProblems(facts, build));
  audit.checks.decision = await guarded(() => decisionProblems(ctx.core, facts, build));
  audit.checks.transition = await guarded(() => transitionProblems(ctx, facts));
  audit.checks.message = await guarded(() => messageProblems(facts));
  try {
    const rendered = await decisionRenderedProblems(ctx, entry, t.environment, t.service);
    if (rendered) audit.checks.rendered = outcome(rendered);
  } catch (error) {
    audit.checks.rendered = fail([
      `the check could not run: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  return audit;
}

/** Runs one check; a crash inside it is that check's failure. */
async function guarded(check: () => CheckOutcome | string[] | Promise<CheckOutcome | string[]>): Promise<CheckOutcome> {
  try {
    const result = await check();
    return Array.isArray(result) ? outcome(result) : result;
  } catch (error) {
    return fail([`the check could not run: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

function evidenceHeaderProblems(facts: DecisionFacts): string[] {
  const { evidence, message } = facts;
  const t = message.trailers;
  const problems: string[] = [];
  if (evidence.environment !== t.environment || evidence.service !== t.service) {
    problems.push(
      `${facts.evidencePath} is about ${evidence.environment}/${evidence.service}, but the commit is about ${t.environment}/${t.service}`,
    );
  }
  return problems;
}

/** (b) The trailer's bundle digest is what the policies of the parent compile to. */
function policyProblems(facts: DecisionFacts, build: PolicyBuild): string[] {
  const t = facts.message.trailers;
  const problems: string[] = [];
  const at = facts.parent.slice(0, 12);
  if (!build.ok) problems.push(`the policies at ${at} (the state this was decided on) do not compile: ${build.error}`);
  else if (build.digest !== t.policy) {
    const recorded = facts.evidence.policy.sources;
    const sameSources = recorded !== undefined && JSON.stringify(recorded) === JSON.stringify(build.sources);
    const producer = facts.evidence.producer;
    if (sameSources) {
      problems.push(
        `Tollgate-Policy is ${t.policy}, but the same policy sources compile to ${build.digest} here: the Rego compiler differs from the one that decided (evidence written by ${producer ? `${producer.name} ${producer.version}` : "an unknown tollgate"}, this is ${PRODUCER.name} ${PRODUCER.version}); audit with that version`,
      );
    } else {
      problems.push(
        `Tollgate-Policy is ${t.policy}, but the policies at ${at} (the state this was decided on) compile to ${build.digest}: ${recorded ? "they are not the sources the evidence records, so the policies were changed after the decision or the trailer was edited" : "the policies were changed after the decision, or the trailer was edited (or this tollgate's Rego compiler is not the one that decided: the digest covers the compiled Wasm)"}`,
      );
    }
  }
  if (facts.evidence.policy.bundle !== t.policy)
    problems.push(`the evidence names policy bundle ${facts.evidence.policy.bundle}, the trailer ${t.policy}`);
  return problems;
}

/** (c) Analysis, policy input, policy result and the committed action, re-derived. */
function decisionProblems(core: DecisionCore, facts: DecisionFacts, build: PolicyBuild): CheckOutcome {
  const { evidence, before, situation } = facts;
  if (!before || !situation) return fail(facts.missing);
  const problems: string[] = [];
  if (situation.kind !== evidence.situation)
    problems.push(
      `the evidence says the situation was ${evidence.situation}, but the state at ${facts.decidedOn.slice(0, 12)} says ${situation.kind}`,
    );
  if (situation.kind === "steady")
    problems.push(
      `${before.release.service} was steady at ${facts.decidedOn.slice(0, 12)}: there was nothing to decide`,
    );

  const decided: ServiceFacts = {
    state: facts.decided.state,
    decidedOn: facts.decidedOn,
    ...before,
    now: new Date(evidence.decidedAt),
  };
  const observed = rederiveObservation(evidence, decided, core);
  problems.push(...observed.problems);
  // The engines' statuses are facts the reconciler read, as the telemetry records are.
  const readings = engineReadings(evidence.policy.input.sync);
  const sync = core.sync({ ...decided, sync: readings }, situation, evidence.telemetry);
  const input = jsonSafe(core.policyInput(decided, situation, { ...observed, ...(sync ? { sync } : {}) }));
  const inputDiffs = differences(input, evidence.policy.input, "input", 5);
  if (inputDiffs.length > 0)
    problems.push(
      `the stored policy input is not what the state at ${facts.decidedOn.slice(0, 12)} and the evidence records imply: ${inputDiffs.join("; ")}`,
    );

  let evaluated = false;
  if (build.ok && build.digest === evidence.policy.bundle) {
    evaluated = true;
    let result: PolicyDecision | null = null;
    let error: string | undefined;
    try {
      // the decision's own clock (its input's now) and its recorded rand/uuid results
      result = build.bundle.decide(evidence.policy.input, evidence.policy.nondeterministic);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const stored = evidence.policy.result;
    if (stored === null) {
      if (!error)
        problems.push(
          `the evidence says the policy failed (${evidence.policy.error ?? "no error recorded"}), but re-evaluating it gives ${result?.action}`,
        );
      else if (evidence.policy.error !== undefined && evidence.policy.error !== error)
        problems.push(
          `re-evaluating the policy fails differently: "${error}", the evidence says "${evidence.policy.error}"`,
        );
    } else if (error) {
      problems.push(
        `re-evaluating the policy on the stored input fails: ${error}; the evidence holds a result (${stored.action})`,
      );
    } else {
      const diffs = differences(jsonSafe(result), stored, "result", 5);
      if (diffs.length > 0)
        problems.push(
          `re-evaluating the policy on the stored input does not give the stored result: ${diffs.join("; ")}`,
        );
    }
  }
  const steps = before.environment.rollout.steps.length;
  const step = situation.kind === "rolling-out" ? situation.step : undefined;
  const supersedes = situation.kind === "pending" && situation.supersedes !== undefined;
  const reverts = situation.kind === "pending" && situation.reverts === true;
  problems.push(
    ...interpretationProblems(
      interpretation(
        situation.kind,
        step,
        steps,
        supersedes,
        evidence.policy.result,
        reverts,
        unknownLiveDigest(before.release, before.status) !== undefined,
        syncState(sync),
      ),
      evidence.policy.result,
      evidence.decision,
    ),
  );
  if (problems.length > 0) return fail(problems);
  if (!evaluated)
    return skipped(
      "analysis and input re-derived, but the policy was not re-evaluated: it does not compile to the recorded bundle (see the policy check)",
    );
  return pass();
}

/** (d) The files the commit changed are exactly the transition of the decision on the parent's state. */
async function transitionProblems(ctx: AuditContext, facts: DecisionFacts): Promise<string[]> {
  const { evidence, atParent, message } = facts;
  const t = message.trailers;
  if (!atParent) return facts.missing;
  const problems: string[] = [];
  if (facts.entry.parents.length !== 1)
    problems.push(`a decision commit has one parent; this one has ${facts.entry.parents.length}`);
  problems.push(...(await decidedOnProblems(ctx, facts)));

  const env = t.environment;
  const service = t.service;
  const next = ctx.core.transition(
    { ...atParent, now: new Date(evidence.decidedAt) },
    // The evidence stores keys sorted; the status file holds each reason as the reconciler built it.
    {
      action: evidence.decision.action,
      reasons: evidence.decision.reasons.map((r) => ({
        rule: r.rule,
        message: r.message,
        ...(r.values !== undefined ? { values: r.values } : {}),
      })),
    },
    evidence.telemetry ? { telemetry: evidence.telemetry } : undefined,
  );
  const key = next.status.lastDecision!.idempotencyKey;
  const status: Status = {
    ...next.status,
    lastDecision: { ...next.status.lastDecision!, evidence: t.evidence, idempotencyKey: key },
  };
  const statusPath = statusFile(env, service);
  const releasePath = releaseFile(env, service);
  const expectedPaths = new Set([statusPath, evidencePath(t.evidence), ...(next.releaseChanged ? [releasePath] : [])]);

  const changes = await changedFiles(ctx.repo, facts.parent, facts.entry.oid);
  for (const change of changes) {
    // Files under clusters/ are the `rendered` check's.
    if (!expectedPaths.has(change.path) && !isRenderedPath(change.path))
      problems.push(
        `${change.path} was ${change.kind}, which a ${evidence.decision.action} of ${env}/${service} does not change`,
      );
  }
  const tree = ctx.repo.treeAt(facts.entry.oid);
  const parentTree = ctx.repo.treeAt(facts.parent);
  const actualStatus = (await tree.exists(statusPath)) ? await tree.read(statusPath) : undefined;
  const expectedStatus = serializeStatus(status);
  if (actualStatus === undefined) problems.push(`${statusPath} is missing after the decision`);
  else if (actualStatus !== expectedStatus) {
    problems.push(
      `${statusPath} is not what a ${evidence.decision.action} at ${evidence.decidedAt} makes of the parent's status: ${firstDifferentLine(expectedStatus, actualStatus)}`,
    );
  }
  if (next.releaseChanged) {
    const original = (await parentTree.exists(releasePath)) ? await parentTree.read(releasePath) : undefined;
    const expectedRelease = updateReleaseText(original, next.release);
    const actualRelease = (await tree.exists(releasePath)) ? await tree.read(releasePath) : undefined;
    if (actualRelease !== expectedRelease) {
      problems.push(
        `${releasePath} is not what a ${evidence.decision.action} makes of the parent's release: ${actualRelease === undefined ? "it is missing" : firstDifferentLine(expectedRelease, actualRelease)}`,
      );
    }
  }
  if (t.idempotencyKey !== key)
    problems.push(`Tollgate-Idempotency-Key is ${t.idempotencyKey}, but this decision's key is ${key}`);
  return problems;
}

/**
 * The decision was made on `decidedOn`: the parent itself, or an ancestor separated from it only by
 * decisions of the same tick about other services, which leave this service's files alone.
 */
async function decidedOnProblems(ctx: AuditContext, facts: DecisionFacts): Promise<string[]> {
  const { parent, decidedOn } = facts;
  if (decidedOn === parent) return [];
  const t = facts.message.trailers;
  let cursor = parent;
  for (let hops = 0; hops < 1000 && cursor !== decidedOn; hops++) {
    const commit = await ctx.repo.store.readCommit(cursor);
    const entry = parseDecisionMessage(commit.message);
    if (entry.kind !== "decision" || commit.parent.length !== 1) {
      return [
        `the evidence says it was decided on ${decidedOn.slice(0, 12)}, which is not the parent ${parent.slice(0, 12)} nor reached from it through decisions of the same tick`,
      ];
    }
    cursor = commit.parent[0]!;
  }
  if (cursor !== decidedOn)
    return [`the evidence says it was decided on ${decidedOn.slice(0, 12)}, which is not an ancestor of this commit`];
  const files = [
    environmentFile(t.environment),
    releaseFile(t.environment, t.service),
    statusFile(t.environment, t.service),
  ];
  const then = ctx.repo.treeAt(decidedOn);
  const now = ctx.repo.treeAt(parent);
  const moved = [];
  for (const file of files) if ((await then.blobId(file)) !== (await now.blobId(file))) moved.push(file);
  return moved.length > 0
    ? [
        `${moved.join(", ")} changed between the decided-on ${decidedOn.slice(0, 12)} and the parent ${parent.slice(0, 12)}: the decision was applied to another state than it was made on`,
      ]
    : [];
}

/** The commit message is exactly the one tollgate writes for this decision. */
function messageProblems(facts: DecisionFacts): string[] {
  const { evidence, atParent, message } = facts;
  const t = message.trailers;
  if (!atParent) return facts.missing;
  const problems: string[] = [];
  if (t.decision !== evidence.decision.action)
    problems.push(`Tollgate-Decision is ${t.decision}, but the evidence records ${evidence.decision.action}`);
  if (t.artifact !== atParent.release.artifact.digest)
    problems.push(
      `Tollgate-Artifact is ${t.artifact}, but the release being decided is ${atParent.release.artifact.digest}`,
    );
  const step = facts.situation?.kind === "rolling-out" ? facts.situation.step : undefined;
  if (t.step !== step)
    problems.push(
      `Tollgate-Step is ${t.step ?? "absent"}, but the decision was taken ${step === undefined ? "outside a rollout step" : `at step ${step}`}`,
    );
  if (problems.length > 0) return problems;

  // The subject names two of the service's artifacts (which two is wording: what ran and what is at
  // stake); each must be one of them, and the artifact diff must be the diff between those two.
  const known = [
    atParent.release.artifact,
    atParent.release.lastGood,
    servingArtifact(atParent.release, atParent.status),
  ].filter((a): a is Artifact => a !== undefined);
  const named = (short: string, side: string): Artifact | undefined | null => {
    if (short === shortDigest(undefined)) return undefined;
    const found = known.find((a) => shortDigest(a.digest) === short);
    if (!found)
      problems.push(
        `the subject's ${side} ${short} is none of ${atParent.release.service}'s artifacts (${[...new Set(known.map((a) => shortDigest(a.digest)))].join(", ")})`,
      );
    return found ?? null;
  };
  const from = named(message.fromShort, "from");
  const to = named(message.toShort, "to");
  if (from === null || to === null) return problems;
  if (to === undefined) return [...problems, "the subject names no artifact after the decision"];

  const reasons = evidence.decision.reasons;
  const expected = formatDecisionMessage({
    trailers: {
      decision: evidence.decision.action,
      environment: t.environment,
      service: t.service,
      artifact: atParent.release.artifact.digest,
      policy: evidence.policy.bundle,
      evidence: t.evidence,
      idempotencyKey: t.idempotencyKey,
      ...(step !== undefined ? { step } : {}),
    },
    from,
    to,
    // Without reasons the reconciler words the step itself; that one line is taken as written.
    why: reasons[0]?.message ?? message.why,
    // The stored report (JSON keeps NaN and ∞ as null, which these lines print the same way); whether
    // it is reproducible is the decision check's question.
    evidence: evidence.analysis ? evidenceLines(evidence.analysis.report) : [],
    reasons,
  });
  const actual = facts.entry.message.replace(/\s+$/, "");
  if (actual !== expected.replace(/\s+$/, ""))
    problems.push(
      `the message is not the one tollgate writes for this decision (edited by hand?): ${firstDifferentLine(expected.replace(/\s+$/, ""), actual)}`,
    );
  return problems;
}
