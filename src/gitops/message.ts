import {
  ARTIFACT_PARTS,
  type Artifact,
  type ArtifactPartName,
  type DecisionAction,
  type DecisionReason,
  type Digest,
  describeChange,
  diffArtifacts,
  type EvidenceLine,
  shortDigest,
} from "../model/index.ts";

/**
 * Decision commit messages: what `git log` shows an auditor, and what tollgate parses back.
 *
 *   rollback(prod/support-agent): 3a2b1c0d9e8f → f806ccf0be4b
 *
 *   error_rate regressed at step 1 (10%)
 *
 *   Evidence:
 *   - error_rate: baseline 1.2%, canary 3.1%, effect +1.9 pp, statistic e=42.1 ≥ 20 → regression
 *
 *   Reasons:
 *   - canary.regression: error_rate is worse than baseline beyond tolerance
 *
 *   Artifact diff 3a2b1c0d9e8f → f806ccf0be4b (1 of 5 parts changed):
 *   - code: unchanged
 *   - model: claude-sonnet-4-5 snapshot 20251101 → 20250929
 *   - prompts: unchanged
 *   - tools: unchanged
 *   - index: unchanged
 *
 *   Tollgate-Decision: rollback
 *   Tollgate-Environment: prod
 *   ...
 */

export const DECISION_ACTIONS: readonly DecisionAction[] = ["advance", "promote", "hold", "rollback", "block"];

export interface DecisionTrailers {
  decision: DecisionAction;
  environment: string;
  service: string;
  /** The artifact the decision is about: the canary being judged. */
  artifact: Digest;
  /** Digest of the policy bundle that decided. */
  policy: Digest;
  /** Digest of the evidence document stored in the commit. */
  evidence: Digest;
  idempotencyKey: string;
  /** Rollout step index the decision was taken at, when there is one. */
  step?: number;
}

export interface DecisionMessageInput {
  trailers: DecisionTrailers;
  /** What ran before the decision (none for a first deploy). */
  from: Artifact | undefined;
  /** What runs after it. */
  to: Artifact;
  /** One line: why. */
  why: string;
  evidence: EvidenceLine[];
  reasons?: DecisionReason[];
}

export interface ArtifactDiffLine {
  part: ArtifactPartName;
  /** `unchanged`, or what changed, e.g. `+refund, manifest 1234 → 5678`. */
  text: string;
}

export interface ParsedDecisionMessage {
  subject: string;
  fromShort: string;
  toShort: string;
  why: string;
  evidence: EvidenceLine[];
  reasons: { rule: string; message: string }[];
  artifactDiff: ArtifactDiffLine[];
  trailers: DecisionTrailers;
  /** Trailers other than tollgate's, in order. */
  otherTrailers: [string, string][];
}

export type DecisionMessageParse =
  | { kind: "not-a-decision" }
  | { kind: "decision"; message: ParsedDecisionMessage }
  /** Says it is a decision (has `Tollgate-Decision`) but does not follow the format. */
  | { kind: "malformed"; problems: string[] };

const TRAILER_KEYS = {
  decision: "Tollgate-Decision",
  environment: "Tollgate-Environment",
  service: "Tollgate-Service",
  artifact: "Tollgate-Artifact",
  policy: "Tollgate-Policy",
  evidence: "Tollgate-Evidence",
  step: "Tollgate-Step",
  idempotencyKey: "Tollgate-Idempotency-Key",
} as const;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NO_EVIDENCE = "Evidence: none (no metric was compared)";

/** `env/service/digest/step/action`: the same decision on the same rollout step always has the same key. */
export function idempotencyKey(parts: {
  environment: string;
  service: string;
  artifact: Digest;
  step?: number | undefined;
  action: DecisionAction;
}): string {
  return `${parts.environment}/${parts.service}/${parts.artifact}/${parts.step ?? "-"}/${parts.action}`;
}

export function decisionSubject(
  action: DecisionAction,
  environment: string,
  service: string,
  from: Digest | undefined,
  to: Digest,
): string {
  return `${action}(${environment}/${service}): ${shortDigest(from)} → ${shortDigest(to)}`;
}

export function formatDecisionMessage(input: DecisionMessageInput): string {
  const t = input.trailers;
  const problems = trailerProblems(t);
  if (input.to.digest === undefined) problems.push("the artifact after the decision has no digest");
  for (const [what, text] of singleLineFields(input)) {
    if (/[\r\n]/.test(text)) problems.push(`${what} must be one line`);
  }
  if (input.why.trim() === "") problems.push("why must not be empty");
  if (problems.length > 0) throw new Error(`cannot write decision message: ${problems.join("; ")}`);

  const lines = [
    decisionSubject(t.decision, t.environment, t.service, input.from?.digest, input.to.digest),
    "",
    input.why.trim(),
    "",
  ];
  if (input.evidence.length === 0) lines.push(NO_EVIDENCE);
  else lines.push("Evidence:", ...input.evidence.map(formatEvidenceLine));
  if (input.reasons && input.reasons.length > 0) {
    lines.push("", "Reasons:", ...input.reasons.map((r) => `- ${r.rule}: ${r.message}`));
  }
  lines.push("", ...formatArtifactDiff(input.from, input.to), "");
  lines.push(`${TRAILER_KEYS.decision}: ${t.decision}`);
  lines.push(`${TRAILER_KEYS.environment}: ${t.environment}`);
  lines.push(`${TRAILER_KEYS.service}: ${t.service}`);
  lines.push(`${TRAILER_KEYS.artifact}: ${t.artifact}`);
  lines.push(`${TRAILER_KEYS.policy}: ${t.policy}`);
  lines.push(`${TRAILER_KEYS.evidence}: ${t.evidence}`);
  if (t.step !== undefined) lines.push(`${TRAILER_KEYS.step}: ${t.step}`);
  lines.push(`${TRAILER_KEYS.idempotencyKey}: ${t.idempotencyKey}`);
  const message = `${lines.join("\n")}\n`;
  assertReadsBack(message, input);
  return message;
}

/** A message tollgate writes must parse back to what it was given; text that would not is refused. */
function assertReadsBack(message: string, input: DecisionMessageInput): void {
  const parsed = parseDecisionMessage(message);
  if (parsed.kind !== "decision") {
    throw new Error(
      `cannot write decision message: it would not read back (${parsed.kind === "malformed" ? parsed.problems.join("; ") : "not a decision"})`,
    );
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const expectedEvidence = input.evidence.map((e) => ({
    metric: e.metric,
    baseline: e.baseline,
    canary: e.canary,
    effect: e.effect,
    statistic: e.statistic,
    ...(e.verdict ? { verdict: e.verdict } : {}),
  }));
  const expectedReasons = (input.reasons ?? []).map((r) => ({ rule: r.rule, message: r.message }));
  if (parsed.message.why !== input.why.trim())
    throw new Error("cannot write decision message: the line of why would not read back");
  if (!same(parsed.message.evidence, expectedEvidence))
    throw new Error(
      "cannot write decision message: an evidence line would not read back (avoid ', canary ', ', effect ', ', statistic ' and '→' inside values)",
    );
  if (!same(parsed.message.reasons, expectedReasons))
    throw new Error(
      "cannot write decision message: a reason would not read back (rule names are one word without ':')",
    );
}

function formatEvidenceLine(e: EvidenceLine): string {
  const verdict = e.verdict ? ` → ${e.verdict}` : "";
  return `- ${e.metric}: baseline ${e.baseline}, canary ${e.canary}, effect ${e.effect}, statistic ${e.statistic}${verdict}`;
}

/** The five parts, each `unchanged` or what changed, under a header naming both digests. */
export function formatArtifactDiff(from: Artifact | undefined, to: Artifact): string[] {
  if (!from) {
    return [
      `Artifact diff none → ${shortDigest(to.digest)} (first deploy, 5 of 5 parts new):`,
      ...ARTIFACT_PARTS.map((part) => `- ${part}: new ${describePart(to, part)}`),
    ];
  }
  const diff = diffArtifacts(from, to);
  const header = `Artifact diff ${shortDigest(from.digest)} → ${shortDigest(to.digest)} (${diff.changed.length} of 5 parts changed):`;
  return [
    header,
    ...ARTIFACT_PARTS.map((part) => {
      const change = diff.changes.find((c) => c.part === part);
      return `- ${part}: ${change ? describeChange(change).slice(part.length + 1) : "unchanged"}`;
    }),
  ];
}

function describePart(a: Artifact, part: ArtifactPartName): string {
  switch (part) {
    case "code":
      return `${a.code.image} (source ${a.code.sourceCommit.slice(0, 7)})`;
    case "model":
      return `${a.model.provider}/${a.model.name}@${a.model.snapshot}`;
    case "prompts":
      return shortDigest(a.prompts.digest);
    case "tools":
      return `${[...a.tools.allowed].sort().join(", ") || "(no tools)"} (manifest ${shortDigest(a.tools.manifestDigest)})`;
    case "index":
      return `${a.index.buildId} (${shortDigest(a.index.digest)})`;
  }
}

function singleLineFields(input: DecisionMessageInput): [string, string][] {
  const fields: [string, string][] = [["why", input.why]];
  for (const e of input.evidence) {
    for (const [k, v] of Object.entries(e)) fields.push([`evidence ${e.metric} ${k}`, String(v)]);
  }
  for (const r of input.reasons ?? []) fields.push([`reason ${r.rule}`, `${r.rule} ${r.message}`]);
  return fields;
}

function trailerProblems(t: Partial<DecisionTrailers>): string[] {
  const problems: string[] = [];
  if (!t.decision || !DECISION_ACTIONS.includes(t.decision))
    problems.push(`${TRAILER_KEYS.decision} must be one of ${DECISION_ACTIONS.join(", ")}`);
  if (!t.environment || !NAME.test(t.environment))
    problems.push(`${TRAILER_KEYS.environment} must be an environment name`);
  if (!t.service || !NAME.test(t.service)) problems.push(`${TRAILER_KEYS.service} must be a service name`);
  for (const key of ["artifact", "policy", "evidence"] as const) {
    if (!t[key] || !DIGEST.test(t[key])) problems.push(`${TRAILER_KEYS[key]} must be sha256:<64 hex>`);
  }
  if (t.step !== undefined && !(Number.isInteger(t.step) && t.step >= 0))
    problems.push(`${TRAILER_KEYS.step} must be a step index`);
  if (!t.idempotencyKey || /\s/.test(t.idempotencyKey))
    problems.push(`${TRAILER_KEYS.idempotencyKey} must be one word`);
  return problems;
}

/** Reads a commit message back; see DecisionMessageParse for the three outcomes. */
export function parseDecisionMessage(text: string): DecisionMessageParse {
  const lines = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  const trailerStart = lastParagraphStart(lines);
  const trailerLines = lines.slice(trailerStart);
  const raw: [string, string][] = [];
  for (const line of trailerLines) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (m) raw.push([m[1]!, m[2]!.trim()]);
  }
  if (
    trailerLines.length !== raw.length ||
    !raw.some(([k]) => k.toLowerCase() === TRAILER_KEYS.decision.toLowerCase())
  ) {
    return text.includes(`${TRAILER_KEYS.decision}:`)
      ? { kind: "malformed", problems: [`${TRAILER_KEYS.decision} is not in the closing trailer block`] }
      : { kind: "not-a-decision" };
  }
  const problems: string[] = [];
  const byKey = new Map<string, string>();
  const otherTrailers: [string, string][] = [];
  const known = new Map(Object.values(TRAILER_KEYS).map((k) => [k.toLowerCase(), k]));
  for (const [key, value] of raw) {
    const canonical = known.get(key.toLowerCase());
    if (!canonical) {
      otherTrailers.push([key, value]);
      continue;
    }
    if (byKey.has(canonical)) problems.push(`${canonical} appears more than once`);
    byKey.set(canonical, value);
  }
  const stepText = byKey.get(TRAILER_KEYS.step);
  const trailers: Partial<DecisionTrailers> = {
    decision: byKey.get(TRAILER_KEYS.decision) as DecisionAction | undefined,
    environment: byKey.get(TRAILER_KEYS.environment),
    service: byKey.get(TRAILER_KEYS.service),
    artifact: byKey.get(TRAILER_KEYS.artifact),
    policy: byKey.get(TRAILER_KEYS.policy),
    evidence: byKey.get(TRAILER_KEYS.evidence),
    idempotencyKey: byKey.get(TRAILER_KEYS.idempotencyKey),
    ...(stepText !== undefined ? { step: /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN } : {}),
  };
  problems.push(...trailerProblems(trailers));

  const subject = lines[0] ?? "";
  const s = /^([a-z]+)\(([^/()\s]+)\/([^/()\s]+)\): (\S+) → (\S+)$/.exec(subject);
  let fromShort = "";
  let toShort = "";
  if (!s) {
    problems.push(`subject "${subject}" is not "<action>(<env>/<service>): <from> → <to>"`);
  } else {
    fromShort = s[4]!;
    toShort = s[5]!;
    if (s[1] !== trailers.decision)
      problems.push(`subject action "${s[1]}" differs from ${TRAILER_KEYS.decision} "${trailers.decision}"`);
    if (s[2] !== trailers.environment)
      problems.push(`subject environment "${s[2]}" differs from ${TRAILER_KEYS.environment} "${trailers.environment}"`);
    if (s[3] !== trailers.service)
      problems.push(`subject service "${s[3]}" differs from ${TRAILER_KEYS.service} "${trailers.service}"`);
  }

  const body = parseBody(lines.slice(1, trailerStart), problems);
  if (problems.length > 0) return { kind: "malformed", problems };
  return {
    kind: "decision",
    message: { subject, fromShort, toShort, ...body, trailers: trailers as DecisionTrailers, otherTrailers },
  };
}

function lastParagraphStart(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() === "") return i + 1;
  return lines.length;
}

function parseBody(
  lines: string[],
  problems: string[],
): Pick<ParsedDecisionMessage, "why" | "evidence" | "reasons" | "artifactDiff"> {
  const paragraphs: string[][] = [];
  for (const line of lines) {
    if (line.trim() === "") {
      if (paragraphs.at(-1)?.length !== 0) paragraphs.push([]);
    } else {
      if (paragraphs.length === 0) paragraphs.push([]);
      paragraphs.at(-1)!.push(line);
    }
  }
  const filled = paragraphs.filter((p) => p.length > 0);
  const why = filled[0]?.length === 1 && !isSectionHeader(filled[0][0]!) ? filled.shift()![0]! : "";
  if (!why) problems.push("the line of why after the subject is missing");
  const evidence: EvidenceLine[] = [];
  const reasons: { rule: string; message: string }[] = [];
  const artifactDiff: ArtifactDiffLine[] = [];
  let sawEvidence = false;
  let sawDiff = false;
  for (const paragraph of filled) {
    const [header, ...items] = paragraph;
    if (header === NO_EVIDENCE && items.length === 0) {
      sawEvidence = true;
    } else if (header === "Evidence:") {
      sawEvidence = true;
      for (const item of items) {
        const e = parseEvidenceLine(item);
        if (e) evidence.push(e);
        else problems.push(`evidence line not understood: "${item}"`);
      }
    } else if (header === "Reasons:") {
      for (const item of items) {
        const m = /^- ([^:\s]+): (.*)$/.exec(item);
        if (m) reasons.push({ rule: m[1]!, message: m[2]! });
        else problems.push(`reason line not understood: "${item}"`);
      }
    } else if (header?.startsWith("Artifact diff ")) {
      sawDiff = true;
      for (const item of items) {
        const m = /^- ([a-z]+): (.*)$/.exec(item);
        if (m && (ARTIFACT_PARTS as readonly string[]).includes(m[1]!))
          artifactDiff.push({ part: m[1] as ArtifactPartName, text: m[2]! });
        else problems.push(`artifact diff line not understood: "${item}"`);
      }
      if (artifactDiff.map((d) => d.part).join() !== ARTIFACT_PARTS.join())
        problems.push(`the artifact diff must list the five parts ${ARTIFACT_PARTS.join(", ")} in order`);
    } else {
      problems.push(`unexpected paragraph: "${header}"`);
    }
  }
  if (!sawEvidence) problems.push("the Evidence section is missing");
  if (!sawDiff) problems.push("the Artifact diff section is missing");
  return { why, evidence, reasons, artifactDiff };
}

function isSectionHeader(line: string): boolean {
  return line === "Evidence:" || line === NO_EVIDENCE || line === "Reasons:" || line.startsWith("Artifact diff ");
}

function parseEvidenceLine(line: string): EvidenceLine | undefined {
  const m = /^- ([^:]+): baseline (.*), canary (.*), effect (.*), statistic (.*?)(?: → ([^→]*))?$/.exec(line);
  if (!m) return undefined;
  const e: EvidenceLine = { metric: m[1]!, baseline: m[2]!, canary: m[3]!, effect: m[4]!, statistic: m[5]! };
  if (m[6] !== undefined) e.verdict = m[6];
  return e;
}
