/**
 * Everything about one decision commit the audit, `explain` and `replay` read: its parsed message,
 * its evidence, and the repository state it was decided on and applied to.
 */

import { type EvidenceDocument, type Situation, situationOf } from "../decision/index.ts";
import { type GitRepo, type HistoryEntry, type ParsedDecisionMessage, walkHistory } from "../gitops/index.ts";
import { type Environment, type LoadedRepository, type Release, type Status, UserError } from "../model/index.ts";
import { EvidenceProblem, readEvidenceDocument } from "./evidence-document.ts";
import type { StateCache } from "./states.ts";

/** The service as one state holds it. */
export interface ServiceState {
  environment: Environment;
  release: Release;
  status: Status | undefined;
}

export interface DecisionFacts {
  entry: HistoryEntry;
  message: ParsedDecisionMessage;
  evidence: EvidenceDocument;
  evidencePath: string;
  parent: string;
  /** The commit the decision was made on (evidence.decidedOn, else the parent). */
  decidedOn: string;
  decided: LoadedRepository;
  applied: LoadedRepository;
  /** The service in the decided-on state (undefined: not there, see `missing`). */
  before?: ServiceState;
  /** The service in the parent's state, which the commit changes. */
  atParent?: ServiceState;
  /** Why `before` or `atParent` is missing. */
  missing: string[];
  situation?: Situation;
}

/**
 * Loads a decision commit's facts. Throws EvidenceProblem when the evidence is missing, altered or
 * not an evidence document, and UserError when the commit is not a readable decision.
 */
export async function loadDecisionFacts(
  repo: GitRepo,
  states: StateCache,
  entry: HistoryEntry,
): Promise<DecisionFacts> {
  if (!entry.decision)
    throw new UserError(
      `${entry.oid.slice(0, 12)} is not a tollgate decision commit${entry.problems.length > 0 ? `: ${entry.problems.join("; ")}` : ""}`,
    );
  const message = entry.decision;
  const t = message.trailers;
  const { document: evidence, path: evidencePath } = await readEvidenceDocument(repo, entry.oid, t.evidence);
  const parent = entry.parents[0];
  if (parent === undefined)
    throw new EvidenceProblem(`${entry.oid.slice(0, 12)} has no parent: a decision is always made on an earlier state`);
  const decidedOn = evidence.decidedOn ?? parent;
  const decided = await states.at(decidedOn).catch((error: unknown) => {
    throw new EvidenceProblem(
      `the evidence says it was decided on ${decidedOn.slice(0, 12)}, which cannot be read: ${(error as Error).message}`,
    );
  });
  const applied = await states.at(parent);
  const missing: string[] = [];
  const before = serviceIn(
    decided,
    t.environment,
    t.service,
    `the decided-on state ${decidedOn.slice(0, 12)}`,
    missing,
  );
  const atParent = serviceIn(applied, t.environment, t.service, `the parent ${parent.slice(0, 12)}`, missing);
  return {
    entry,
    message,
    evidence,
    evidencePath,
    parent,
    decidedOn,
    decided,
    applied,
    ...(before ? { before, situation: situationOf(before.release, before.status) } : {}),
    ...(atParent ? { atParent } : {}),
    missing,
  };
}

function serviceIn(
  loaded: LoadedRepository,
  env: string,
  service: string,
  where: string,
  missing: string[],
): ServiceState | undefined {
  const envState = loaded.state.environments.get(env);
  const release = envState?.releases.get(service);
  if (!envState || !release) {
    const related = loaded.problems
      .filter((p) => p.file.includes(`environments/${env}/`))
      .map((p) => `${p.file}: ${p.message}`);
    missing.push(
      `${where} has no valid release of ${env}/${service}${related.length > 0 ? ` (${related.slice(0, 2).join("; ")})` : ""}`,
    );
    return undefined;
  }
  return { environment: envState.environment, release, status: envState.statuses.get(service) };
}

/** The history entry of one commit (any ref or id), with its decision parsed. */
export async function entryOf(repo: GitRepo, ref: string): Promise<HistoryEntry> {
  const oid = await repo.resolve(ref);
  for await (const entry of walkHistory(repo, { from: oid })) return entry;
  throw new UserError(`${ref}: no such commit`);
}
