/**
 * The demo's GitOps repository and the people who work in it: a temporary repository made from
 * this project's environments/ and policies/, branches and merges written the way a PR platform
 * writes them (objects, then a compare-and-swap of the branch), and a reconciler that runs against
 * the simulated cluster and telemetry on an accelerated clock.
 */
import { generateKeyPairSync } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import git from "isomorphic-git";
import pino from "pino";
import { parse, parseDocument, stringify } from "yaml";
import { compareAndSwapRef, editTree, type GitIdentity, GitRepo, readRef } from "../gitops/index.ts";
import {
  type Artifact,
  type ArtifactParts,
  loadRepository,
  type Release,
  type RepositoryState,
  releaseFile,
  SIGNERS_FILE,
  sealArtifact,
} from "../model/index.ts";
import { PolicyAtHead, PolicyLoader } from "../policy/index.ts";
import { Reconciler, type ServiceObservation, SimulatedWorld, type TickResult } from "../reconcile/index.ts";
import { loadSigningKey, type Signer } from "../signing/index.ts";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const PEOPLE = {
  platform: { name: "Priya Platform", email: "priya@acme.dev" },
  dana: { name: "Dana Dev", email: "dana@acme.dev" },
  evalBot: { name: "eval-runner", email: "eval-runner@ci.acme.dev" },
} satisfies Record<string, GitIdentity>;

/** The prod cluster the demo hands to a GitOps engine: its decisions carry its rendered manifests. */
export const GITOPS_CLUSTER = "prod-eu-west-1";

async function applyThroughGitops(file: string, cluster: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const entry = `  - name: ${cluster}\n    context: ${cluster}\n    namespace: agents\n`;
  if (!text.includes(entry)) throw new Error(`${file}: no cluster ${cluster} to switch to the gitops apply mode`);
  await writeFile(file, text.replace(entry, `${entry}    apply:\n      mode: gitops\n`));
}

export class DemoRepo {
  readonly world = new SimulatedWorld({ seed: 2026 });
  readonly #policies = new PolicyAtHead(new PolicyLoader());
  #now: Date;
  #pullRequests = 0;

  private constructor(
    readonly dir: string,
    readonly repo: GitRepo,
    start: Date,
    readonly keys: DemoKeys,
  ) {
    this.#now = start;
  }

  /** A fresh repository holding this project's environments/, policies/ and teams.yaml in one commit on main. */
  static async create(start: Date): Promise<DemoRepo> {
    // The repository is a folder of its own, so what the demo writes beside it (the report) is not untracked in it.
    const dir = join(await mkdtemp(join(tmpdir(), "tollgate-demo-")), "repo");
    await mkdir(dir);
    await cp(join(PROJECT_ROOT, "environments"), join(dir, "environments"), { recursive: true });
    await cp(join(PROJECT_ROOT, "policies"), join(dir, "policies"), { recursive: true });
    await cp(join(PROJECT_ROOT, "teams.yaml"), join(dir, "teams.yaml"));
    await applyThroughGitops(join(dir, "environments", "prod", "environment.yaml"), GITOPS_CLUSTER);
    const keys = await demoKeys(join(dirname(dir), "keys"));
    let demo: DemoRepo | undefined;
    const repo = await GitRepo.init(dir, {
      bare: false,
      clock: () => demo!.now,
      identity: { name: "tollgate", email: "tollgate@acme.dev" },
      sign: (payload) => keys.tollgate.signGit(payload),
    });
    demo = new DemoRepo(dir, repo, start, keys);
    const files = await collectFiles(dir, ["environments", "policies"]);
    files.set("teams.yaml", await readFile(join(dir, "teams.yaml"), "utf8"));
    // Every environment counts only evals an eval runner of signers.yaml signed.
    for (const [path, text] of files)
      if (path.endsWith("/environment.yaml")) {
        const doc = parseDocument(text);
        doc.setIn(["governance", "requireSignedEvals"], true);
        files.set(path, doc.toString({ lineWidth: 0 }));
      }
    files.set(SIGNERS_FILE, keys.signersYaml);
    await demo.commit("main", PEOPLE.platform, "Desired state of dev, staging and prod, and the guardrails", files);
    // A checkout of main, as a clone would have: `git status` in the demo repository is clean, and
    // stays clean as tollgate and the merges below move main (they move its files too).
    await git.checkout({ fs: repo.fs, dir, ref: "main", force: true });
    return demo;
  }

  get now(): Date {
    return this.#now;
  }

  advance(seconds: number): void {
    this.#now = new Date(this.#now.getTime() + seconds * 1000);
  }

  jumpTo(moment: Date): void {
    if (moment > this.#now) this.#now = moment;
  }

  async state(ref = "main"): Promise<RepositoryState> {
    const commit = await this.repo.resolve(ref);
    return (await loadRepository(this.repo.treeAt(commit))).state;
  }

  async release(env: string, service: string, ref = "main"): Promise<Release> {
    const commit = await this.repo.resolve(ref);
    return parse(await this.repo.treeAt(commit).read(releaseFile(env, service))) as Release;
  }

  /**
   * A commit by `who` on `branch` (created from `from` when it does not exist yet) with the given
   * file contents, published with a compare-and-swap of the branch.
   */
  async commit(
    branch: string,
    who: GitIdentity,
    message: string,
    files: Map<string, string>,
    from = "main",
  ): Promise<string> {
    const ref = `refs/heads/${branch}`;
    const current = await readRef(this.repo.fs, this.repo.gitdir, ref);
    const parent = current ?? (await readRef(this.repo.fs, this.repo.gitdir, `refs/heads/${from}`));
    const baseTree = parent ? (await this.repo.store.readCommit(parent)).tree : null;
    const tree = await editTree(this.repo.store, baseTree, files);
    const person = {
      name: who.name,
      email: who.email,
      timestamp: Math.floor(this.#now.getTime() / 1000),
      timezoneOffset: 0,
    };
    const commit = await this.repo.store.writeCommit({
      message,
      tree,
      parent: parent ? [parent] : [],
      author: person,
      committer: person,
    });
    await this.moveBranch(ref, current, commit);
    return commit;
  }

  /** Proposes a new artifact for `service` in `env` on a branch: the current one becomes lastGood. */
  async proposeRelease(
    branch: string,
    env: string,
    service: string,
    change: (parts: ArtifactParts) => ArtifactParts,
    message: string,
  ): Promise<Artifact> {
    const current = await this.release(env, service);
    const { digest: _digest, ...parts } = current.artifact;
    const artifact = sealArtifact(change(parts));
    const next: Release = { ...current, artifact, lastGood: current.artifact, attestations: [], approvals: [] };
    await this.commit(
      branch,
      PEOPLE.dana,
      message,
      new Map([[releaseFile(env, service), stringify(next, { lineWidth: 0 })]]),
    );
    return artifact;
  }

  /** Edits the release file on a branch (an attestation or approvals arriving). */
  async amendRelease(
    branch: string,
    env: string,
    service: string,
    who: GitIdentity,
    message: string,
    edit: (r: Release) => Release,
  ): Promise<void> {
    const release = await this.release(env, service, branch);
    await this.commit(
      branch,
      who,
      message,
      new Map([[releaseFile(env, service), stringify(edit(release), { lineWidth: 0 })]]),
    );
  }

  /**
   * Merges a pull request into main the way a hosting platform does: a merge commit whose second
   * parent is the branch, carrying the branch's release file onto main's current tree (main has
   * moved since the branch was cut: tollgate committed decisions meanwhile).
   */
  async merge(branch: string, env: string, service: string, title: string): Promise<void> {
    const path = releaseFile(env, service);
    const head = await readRef(this.repo.fs, this.repo.gitdir, "refs/heads/main");
    const tip = await readRef(this.repo.fs, this.repo.gitdir, `refs/heads/${branch}`);
    if (!head || !tip) throw new Error(`cannot merge ${branch} into main: a branch is missing`);
    const text = await this.repo.treeAt(tip).read(path);
    const tree = await editTree(
      this.repo.store,
      (await this.repo.store.readCommit(head)).tree,
      new Map([[path, text]]),
    );
    const person = {
      name: PEOPLE.dana.name,
      email: PEOPLE.dana.email,
      timestamp: Math.floor(this.#now.getTime() / 1000),
      timezoneOffset: 0,
    };
    this.#pullRequests += 1;
    const message = `Merge pull request #${this.#pullRequests} from ${branch}\n\n${title}`;
    const commit = await this.repo.store.writeCommit({
      message,
      tree,
      parent: [head, tip],
      author: person,
      committer: person,
    });
    await this.moveBranch("refs/heads/main", head, commit);
  }

  /** Main moves with its checked-out files (as a pull would bring them); other branches are refs only. */
  private async moveBranch(ref: string, expected: string | null, value: string): Promise<void> {
    if (ref === this.repo.branchRef) return this.repo.updateBranch(expected, value);
    await compareAndSwapRef({ fs: this.repo.fs, gitdir: this.repo.gitdir, ref, expected, value, durable: false });
  }

  reconciler(
    only: { environment?: string; service?: string },
    onObservation: (o: ServiceObservation) => void,
  ): Reconciler {
    return new Reconciler({
      repo: this.repo,
      policies: this.#policies,
      telemetry: async (environment) => this.world.telemetry(environment),
      clusters: () => this.world.cluster,
      clock: () => this.#now,
      logger: pino({ level: "silent" }),
      ...only,
      onObservation,
    });
  }

  /** Ticks every `everySeconds` of simulated time until `done` says so (or the cap). */
  async reconcileUntil(
    reconciler: Reconciler,
    done: (result: TickResult) => boolean | Promise<boolean>,
    options: { everySeconds: number; maxTicks: number },
  ): Promise<TickResult[]> {
    const results: TickResult[] = [];
    for (let i = 0; i < options.maxTicks; i++) {
      const result = await reconciler.tick();
      results.push(result);
      if (result.errors.length > 0)
        throw new Error(
          `reconcile failed: ${result.errors.map((e) => `${e.environment}/${e.service}: ${e.message}`).join("; ")}`,
        );
      if (await done(result)) return results;
      this.advance(options.everySeconds);
    }
    throw new Error(`the rollout did not settle within ${options.maxTicks} ticks`);
  }
}

/** The demo's keys: tollgate's (decision commits) and the eval runner's (attestations), outside the repository. */
export interface DemoKeys {
  tollgate: Signer;
  evalRunner: Signer;
  /** The eval runner's private key file, for `tollgate attest --key`. */
  evalRunnerFile: string;
  /** signers.yaml naming both. */
  signersYaml: string;
  /** git's gpg.ssh.allowedSignersFile with tollgate's key: `git verify-commit` on a decision. */
  allowedSignersFile: string;
}

async function demoKeys(dir: string): Promise<DemoKeys> {
  await mkdir(dir, { mode: 0o700 });
  const make = async (name: string) => {
    const file = join(dir, `${name}.pem`);
    const { privateKey } = generateKeyPairSync("ed25519");
    await writeFile(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    return { file, signer: await loadSigningKey(file) };
  };
  const tollgate = await make("tollgate");
  const evalRunner = await make("eval-runner");
  const tollgateLine = `tollgate@acme.dev ${tollgate.signer.publicKey}`;
  const allowedSignersFile = join(dir, "allowed_signers");
  await writeFile(allowedSignersFile, `${tollgateLine}\n`);
  const signersYaml = stringify(
    {
      apiVersion: "tollgate.dev/v1",
      kind: "Signers",
      decisions: [tollgateLine],
      evalRunners: [`${PEOPLE.evalBot.email} ${evalRunner.signer.publicKey}`],
    },
    { lineWidth: 0 },
  );
  return {
    tollgate: tollgate.signer,
    evalRunner: evalRunner.signer,
    evalRunnerFile: evalRunner.file,
    signersYaml: `# Whose signatures count: tollgate's decision key, the CI eval runner's key.\n${signersYaml}`,
    allowedSignersFile,
  };
}

async function collectFiles(root: string, dirs: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = join(entry.parentPath, entry.name);
      files.set(
        full
          .slice(root.length + 1)
          .split("\\")
          .join("/"),
        await readFile(full, "utf8"),
      );
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
