/**
 * `tollgate attest` and the governance gate: an eval run signed by an eval runner of signers.yaml
 * clears a model change in an environment with requireSignedEvals; tamper tests — the attestation
 * unsigned, its payload edited, its clear fields edited, signed by a key signers.yaml does not list,
 * about another digest — each leave the gate blocked, naming why.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { Release } from "../../src/model/types.ts";
import { runCli } from "../support/run-cli.ts";
import { signerLine, sshKeygen, type TestKey } from "../support/signing.ts";
import { tempDir } from "../support/tmp-repo.ts";
import { exampleRepo, releasePath, type TestRepo, withParts } from "./fixtures.ts";

const NOW = "2026-11-24T10:15:00Z";
const RESULTS = fileURLToPath(new URL("../evals/fixtures/promptfoo-results.json", import.meta.url));
const DEV_RELEASE = releasePath("dev", "support-agent");

let repo: TestRepo;
let runner: TestKey;
let mallory: TestKey;
let swapped: string;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  const keys = await tempDir("tollgate-attest-keys-");
  cleanups.push(keys.cleanup);
  runner = sshKeygen(keys.dir, "eval-runner");
  mallory = sshKeygen(keys.dir, "mallory");
  repo = await exampleRepo();
  cleanups.push(repo.cleanup);
  await repo.editYaml("environments/dev/environment.yaml", (e) => {
    (e.governance as Record<string, unknown>).requireSignedEvals = true;
  });
  await writeFile(
    join(repo.dir, "signers.yaml"),
    stringify({ apiVersion: "tollgate.dev/v1", kind: "Signers", evalRunners: [signerLine(runner)] }, { lineWidth: 0 }),
  );
  repo.commitAll("dev counts signed evals only; the CI eval runner's key");
  repo.git("checkout", "-q", "-b", "model-swap");
  await repo.editYaml(DEV_RELEASE, (r) => {
    const artifact = withParts((r as unknown as Release).artifact, (p) => {
      p.model.snapshot = "20251101";
    });
    swapped = artifact.digest;
    r.artifact = artifact;
  });
  repo.commitAll("dev: support-agent on the new model snapshot");
  repo.git("checkout", "-q", "main");
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function check(head: string) {
  return runCli(["check", "--repo", repo.dir, "--head", head], { env: { TOLLGATE_NOW: NOW } });
}

function attest(key: TestKey, branch: string, ...args: string[]) {
  return runCli(
    [
      "attest",
      "support-agent",
      ...["--env", "dev", "--promptfoo", RESULTS, "--suite", "support-golden-v8", "--min-pass-rate", "0.9"],
      ...["--key", key.path, "--base", "model-swap", "--branch", branch, "--repo", repo.dir, "--now", NOW],
      ...args,
    ],
    { env: {} },
  );
}

function evalGate(stdout: string): string {
  const line = stdout.split("\n").find((l) => /^\s*[✓✗] eval attestation:/.test(l));
  assert.ok(line, stdout);
  return line.trim();
}

/** A branch from `from` whose dev release attestations `edit` rewrites. */
async function tampered(name: string, from: string, edit: (a: Record<string, unknown>) => void): Promise<string> {
  repo.git("checkout", "-q", "-b", name, from);
  await repo.editYaml(DEV_RELEASE, (r) => {
    for (const a of r.attestations as Record<string, unknown>[]) if (a.suite === "support-golden-v8") edit(a);
  });
  repo.commitAll(`tamper: ${name}`);
  repo.git("checkout", "-q", "main");
  return name;
}

describe("signed eval attestations and the governance gate", () => {
  it("blocks the model change until an eval runner of signers.yaml attests it with tollgate attest", async () => {
    const before = await check("model-swap");
    assert.equal(before.code, 1, before.stdout);
    assert.match(
      evalGate(before.stdout),
      new RegExp(
        `needs a signed eval attestation for ${swapped.slice(0, 19)} with pass=true and score >= 0\\.80; found none`,
      ),
    );
    assert.match(before.stdout, /have an eval runner of signers\.yaml attest [0-9a-f]{12} \(`tollgate attest`/);

    const made = await attest(runner, "attested");
    assert.equal(made.code, 0, made.stderr);
    assert.match(
      made.stdout,
      /^eval-runner@example\.com attests support-golden-v8 for [0-9a-f]{12} \(support-agent in dev\): score 0\.9, pass, 10 cases, signed with SHA256:/,
    );
    assert.match(made.stdout, /the governance gate counts it: signed by eval-runner@example\.com/);
    const release = parse(await repo.read(DEV_RELEASE)) as Release;
    assert.ok(!release.attestations?.some((a) => a.envelope), "the checkout is not touched");
    const written = parse(repo.git("show", `attested:${DEV_RELEASE}`)) as Release;
    const attestation = written.attestations!.find((a) => a.envelope);
    assert.equal(attestation?.digest, swapped);
    assert.equal(attestation?.judgeModel, "openai:gpt-4.1-2025-04-14");
    const statement = JSON.parse(Buffer.from(attestation!.envelope!.payload, "base64").toString("utf8"));
    assert.equal(statement._type, "https://in-toto.io/Statement/v1");
    assert.deepEqual(statement.subject, [{ name: "support-agent", digest: { sha256: swapped.slice(7) } }]);
    assert.equal(statement.predicate.sampleSize, 10);

    const cleared = await check("attested");
    assert.equal(cleared.code, 0, cleared.stdout);
    assert.match(
      evalGate(cleared.stdout),
      /^✓ eval attestation: model changed; support-golden-v8 score 0\.9 ≥ 0\.8 \(signed by eval-runner@example\.com\)/,
    );
  });

  const blockedBecause = async (branch: string, why: RegExp) => {
    const result = await check(branch);
    assert.equal(result.code, 1, result.stdout);
    const gate = evalGate(result.stdout);
    assert.match(gate, /^✗ eval attestation: .* needs a signed eval attestation .*; found support-golden-v8 score /);
    assert.match(gate, why);
  };

  it("tamper: a signature stripped", async () => {
    await blockedBecause(
      await tampered("stripped", "attested", (a) => delete a.envelope),
      /pass=true \(not counted: not signed\)$/,
    );
  });

  it("tamper: the signed payload edited", async () => {
    const branch = await tampered("payload-edited", "attested", (a) => {
      const envelope = a.envelope as { payload: string };
      const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
      statement.predicate.score = 0.97;
      envelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    });
    await blockedBecause(
      branch,
      /\(not counted: the signature by key SHA256:\S+ does not match the envelope's payload \(changed after it was signed\)\)$/,
    );
  });

  it("tamper: the clear fields edited beside an intact envelope", async () => {
    const branch = await tampered("clear-edited", "attested", (a) => {
      a.score = 0.97;
    });
    await blockedBecause(
      branch,
      /score 0\.97 pass=true \(not counted: signed by eval-runner@example\.com, but the release file says score 0\.97 where the signed statement says score 0\.9\)$/,
    );
  });

  it("tamper: signed by a key signers.yaml does not list", async () => {
    const made = await attest(mallory, "attested-by-mallory");
    assert.equal(made.code, 0, made.stderr);
    assert.match(
      made.stdout,
      /the governance gate will not count it as signed: signed by key SHA256:\S+, which is not an allowed key/,
    );
    await blockedBecause(
      "attested-by-mallory",
      /\(not counted: signed by key SHA256:\S+, which is not an allowed key\)$/,
    );
  });

  it("tamper: an attestation moved to another digest", async () => {
    const base = repo.git("rev-parse", "model-swap").trim();
    repo.git("checkout", "-q", "-b", "other-digest", "attested");
    await repo.editYaml(DEV_RELEASE, (r) => {
      const artifact = withParts((r as unknown as Release).artifact, (p) => {
        p.model.snapshot = "20251201";
      });
      for (const a of r.attestations as Record<string, unknown>[]) if (a.envelope) a.digest = artifact.digest;
      r.artifact = artifact;
    });
    repo.commitAll("tamper: the attestation carried to another artifact");
    repo.git("checkout", "-q", "main");
    assert.ok(base);
    await blockedBecause(
      "other-digest",
      new RegExp(
        `\\(not counted: signed by eval-runner@example\\.com, but the signed statement is about ${swapped}, not sha256:[0-9a-f]{64}\\)$`,
      ),
    );
  });

  it("refuses a key file others can read, and a results file that is not promptfoo's", async () => {
    const { chmodSync } = await import("node:fs");
    chmodSync(mallory.path, 0o644);
    const open = await attest(mallory, "never");
    chmodSync(mallory.path, 0o600);
    assert.equal(open.code, 1);
    assert.match(
      open.stderr,
      /signing key .*mallory-key: permissions 0644 let others than its owner read or change it/,
    );
    const notPromptfoo = await runCli([
      ...["attest", "support-agent", "--env", "dev", "--promptfoo", join(repo.dir, "signers.yaml")],
      ...["--suite", "s", "--key", runner.path, "--repo", repo.dir],
    ]);
    assert.equal(notPromptfoo.code, 1);
    assert.match(notPromptfoo.stderr, /signers\.yaml: not JSON/);
  });
});
