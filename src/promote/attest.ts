/**
 * `tollgate attest`: an eval tool's result file, normalised (src/evals), signed by an eval runner's
 * key as an in-toto Statement in a DSSE envelope, and written into the release file's attestations
 * as one commit on a new branch, as `promote` and `confirm` write theirs.
 */
import { readFile } from "node:fs/promises";
import { evalAttestation, readPromptfooResults } from "../evals/index.ts";
import { GitRepo } from "../gitops/index.ts";
import {
  type Attestation,
  parseRelease,
  type Release,
  releaseFile,
  shortDigest,
  UserError,
  updateReleaseText,
} from "../model/index.ts";
import { utcTime } from "../policy/index.ts";
import {
  type AttestationVerification,
  allowedKeys,
  configuredSigner,
  signAttestation,
  verifyAttestation,
} from "../signing/index.ts";
import { promotionIdentity, promotionSigner, type WrittenPromotion, writeReleaseBranch } from "./branch.ts";

export interface AttestOptions {
  repoDir: string;
  service: string;
  environment: string;
  /** promptfoo's JSON output. */
  results: string;
  suite: string;
  /** The eval runner's private key (default TOLLGATE_EVAL_KEY, then TOLLGATE_SIGNING_KEY). */
  key?: string;
  /** Who ran the eval; default the principals of the eval runner's line in signers.yaml. */
  by?: string;
  /** The digest the eval ran against; default the release's artifact. */
  digest?: string;
  minPassRate?: number;
  base?: string;
  branch?: string;
  env: NodeJS.ProcessEnv;
  now: Date;
}

export interface AttestResult {
  attestation: Attestation;
  environment: string;
  service: string;
  base: string;
  written: WrittenPromotion;
  /** What the governance gate will make of it, by signers.yaml at the base. */
  verification: AttestationVerification;
}

export async function attestRelease(options: AttestOptions): Promise<AttestResult> {
  const repo = await GitRepo.open(options.repoDir);
  const baseRef = options.base ?? "HEAD";
  const base = await repo.resolve(baseRef);
  const { state } = await repo.stateAt(base, baseRef);
  const where = `${options.environment}/${options.service}`;
  const release = state.environments.get(options.environment)?.releases.get(options.service);
  if (!release) throw new UserError(`${where} has no (valid) release file at ${baseRef}`);
  const digest = options.digest ?? release.artifact.digest;
  if (digest !== release.artifact.digest && digest !== release.lastGood?.digest)
    throw new UserError(
      `${where} is neither at ${digest} nor keeps it as lastGood: an attestation there would be about nothing it runs`,
    );
  const keyPath = options.key ?? options.env.TOLLGATE_EVAL_KEY;
  const signer = await configuredSigner(options.env, keyPath);
  if (!signer)
    throw new UserError(
      "attest signs what it writes: pass --key (the eval runner's Ed25519 key) or set TOLLGATE_EVAL_KEY",
    );
  if (!signer.signRaw)
    throw new UserError(
      `the key ${signer.fingerprint} is an OpenPGP key; eval attestations are signed with Ed25519 SSH keys`,
    );
  const run = readPromptfooResults(await readResults(options.results), options.results);
  const runners = state.signers ? allowedKeys(state.signers, "evalRunners") : [];
  const runner = runners.find(
    (r) => r.key.format === "ssh" && signer.publicKey.includes(r.key.blob.toString("base64")),
  );
  const facts = {
    digest,
    suite: options.suite,
    by: options.by ?? runner?.who ?? signer.fingerprint,
    at: utcTime(options.now),
    ...(options.minPassRate !== undefined ? { minPassRate: options.minPassRate } : {}),
  };
  const attestation = signAttestation(evalAttestation(run, facts), options.service, signer);
  const verification = state.signers
    ? verifyAttestation(attestation, runners)
    : { verified: false, problem: "there is no signers.yaml to say which eval runners may sign" };

  const path = releaseFile(options.environment, options.service);
  const kept = (release.attestations ?? []).filter((a) => !(a.digest === digest && a.suite === options.suite));
  const updated: Release = { ...release, attestations: [...kept, attestation] };
  const text = updateReleaseText(await repo.treeAt(base).read(path), updated);
  parseRelease(text, path);
  const message = [
    `Attest ${options.suite} for ${options.service} in ${options.environment}: ${shortDigest(digest)}`,
    "",
    `${attestation.by} ran ${options.suite} against ${shortDigest(digest)}: ${run.passed} of ${run.sampleSize} cases passed (score ${attestation.score}, ${attestation.pass ? "pass" : "fail"}); signed with ${signer.fingerprint}.`,
    "",
    `Tollgate-Attestation: ${options.service} ${options.environment} ${options.suite}`,
    `Tollgate-Attestation-Artifact: ${digest}`,
    "",
  ].join("\n");
  const branch = options.branch ?? `attest/${options.service}/${options.environment}/${shortDigest(digest)}`;
  const identity = await promotionIdentity(repo, options.env);
  const sign = await promotionSigner(repo, options.env);
  const written = await writeReleaseBranch(
    repo,
    base,
    { path, text, message },
    { branch, identity, now: options.now, ...(sign ? { sign } : {}) },
  );
  return { attestation, environment: options.environment, service: options.service, base, written, verification };
}

async function readResults(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new UserError(
      `${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
}
