/**
 * The demo's story, step by step: a model swap that needs an eval, a promotion through staging, a
 * bad canary in prod rolled back in git, a healthy release stepped up to 100%, and a runaway cost
 * stopped by the budget breaker. Every step uses tollgate's own commands and library, on a real git
 * repository; only the cluster and the telemetry are simulated.
 */
import { dirname, join } from "node:path";
import { type Status, shortDigest } from "../model/index.ts";
import type { TickResult } from "../reconcile/index.ts";
import type { BehaviourProfile } from "../telemetry/index.ts";
import { DemoRepo, PEOPLE } from "./demo-repo.ts";
import { writePromptfooRun } from "./eval-run.ts";
import { bold, type Printer } from "./printer.ts";

/** Tuesday 24 November 2026, 09:05 in Berlin: inside prod's deployment window. */
export const DEMO_START = new Date("2026-11-24T08:05:00Z");
/** The reconciler's interval in the accelerated world. */
const TICK_SECONDS = 30;

const ERROR_RATE_PLUS_2PP: BehaviourProfile = { errorRateAdd: 0.02 };
/** A third of tasks run away (the usual share is 1%): the mean cost explodes while the median barely moves. */
const RUNAWAY_COST: BehaviourProfile = { runawayMultiplier: 30 };

export interface StoryOutcome {
  repo: DemoRepo;
  decisions: number;
  reportPath?: string;
}

/**
 * Runs `tollgate` with these arguments and output, returning its exit code: given by the cli, which
 * runs the demo, so that the demo does not import the cli back.
 */
export type RunCli = (
  args: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string; env: NodeJS.ProcessEnv },
) => Promise<number>;

export async function runStory(printer: Printer, cli: RunCli): Promise<StoryOutcome> {
  const repo = await DemoRepo.create(DEMO_START);
  let decisions = 0;
  const run = async (
    env: string,
    service: string,
    settled: (status: Status | undefined) => boolean,
  ): Promise<Status | undefined> => {
    const reconciler = repo.reconciler({ environment: env, service }, (o) => printer.progress(o));
    let status: Status | undefined;
    await repo.reconcileUntil(
      reconciler,
      async (result: TickResult) => {
        for (const d of result.decisions) printer.decision(d, repo.now);
        decisions += result.decisions.length;
        status = (await repo.state()).environments.get(env)?.statuses.get(service);
        return result.decisions.length > 0 && settled(status);
      },
      { everySeconds: TICK_SECONDS, maxTicks: 400 },
    );
    return status;
  };
  const command = async (
    args: string[],
    who: { name: string; email: string } = PEOPLE.dana,
  ): Promise<{ code: number; out: string }> => {
    let out = "";
    const code = await cli([...args, "--repo", repo.dir, "--now", repo.now.toISOString()], {
      out: (s) => {
        out += `${s.replace(/\n$/, "")}\n`;
      },
      err: (s) => {
        out += `${s.replace(/\n$/, "")}\n`;
      },
      cwd: repo.dir,
      env: { ...process.env, TOLLGATE_GIT_AUTHOR_NAME: who.name, TOLLGATE_GIT_AUTHOR_EMAIL: who.email },
    });
    return { code, out };
  };
  /** The eval runner runs the suite on the branch's artifact and signs the result: a branch to merge. */
  const attest = async (base: string, passed: number): Promise<{ branch: string; out: string }> => {
    const results = join(dirname(repo.dir), `promptfoo-${base}.json`);
    await writePromptfooRun(results, 50, passed);
    const branch = `attest/${base}`;
    const made = await command(
      [
        ...["attest", "support-agent", "--env", "dev", "--promptfoo", results, "--suite", "support-golden-v8"],
        ...["--min-pass-rate", "0.9", "--key", repo.keys.evalRunnerFile, "--base", base, "--branch", branch],
      ],
      PEOPLE.evalBot,
    );
    if (made.code !== 0) throw new Error(`attest failed:\n${made.out}`);
    return { branch, out: made.out };
  };
  const settledAs =
    (...phases: Status["phase"][]) =>
    (s: Status | undefined) =>
      s !== undefined && phases.includes(s.phase);

  printer.section("A GitOps repository with three environments");
  printer.say(`Made ${repo.dir} from this project's environments/ and policies/.`);
  printer.say(
    `Simulated clock starts ${DEMO_START.toISOString()} (Tuesday, 09:05 in Berlin); the reconciler ticks every ${TICK_SECONDS}s.`,
  );

  // 1. support-agent v2 swaps its model snapshot; the PR check blocks it until an eval attests it.
  printer.section("support-agent v2 swaps its model snapshot");
  const v2Branch = "support-agent-v2";
  const v2 = await repo.proposeRelease(
    v2Branch,
    "dev",
    "support-agent",
    (p) => ({
      ...p,
      code: {
        image: p.code.image.replace(/@sha256:.*/, `@sha256:${"a2".repeat(32)}`),
        sourceCommit: "2f3c9a1b7d4e5f60718293a4b5c6d7e8f9012a3b",
      },
      model: { ...p.model, snapshot: "20251112" },
    }),
    "support-agent 2.0.0: move to the 20251112 model snapshot",
  );
  // Healthy on dev and staging traffic; prod's traffic brings out a regression.
  repo.world.behaviour.set(`prod/${v2.digest}`, ERROR_RATE_PLUS_2PP);
  printer.say(
    `Dana opens a pull request: dev/support-agent → ${shortDigest(v2.digest)} (model snapshot 20250929 → 20251112).`,
  );
  let check = await command(["check", "--base", "main", "--head", v2Branch]);
  printer.say(`${bold("tollgate check")} on the pull request exits ${check.code}:`);
  printer.block(check.out);
  if (check.code === 0) throw new Error("the check should block a model change without an eval attestation");

  const v2Eval = await attest(v2Branch, 47);
  printer.say(
    `CI runs the promptfoo suite on ${shortDigest(v2.digest)} and signs the result with the eval runner's key, ${bold(`tollgate attest support-agent --env dev --promptfoo results.json --suite support-golden-v8 --key eval-runner.pem`)}:`,
  );
  printer.block(v2Eval.out.trimEnd());
  check = await command(["check", "--base", "main", "--head", v2Eval.branch]);
  printer.say(
    `${bold("tollgate check")} on ${v2Eval.branch} exits ${check.code}: ${gateLine(check.out, "eval attestation")}`,
  );
  printer.say("Merged.");
  if (check.code !== 0) throw new Error(`the check should pass once attested:\n${check.out}`);
  await repo.merge(v2Eval.branch, "dev", "support-agent", "support-agent 2.0.0 to dev");

  printer.section("The reconciler rolls v2 out in dev, then staging");
  await run("dev", "support-agent", settledAs("promoted", "rolled-back"));
  for (const env of ["staging"] as const) {
    const promoted = await command(["promote", "support-agent", "--to", env]);
    const branch = /branch (\S+)/.exec(promoted.out)?.[1];
    printer.say(`${bold(`tollgate promote support-agent --to ${env}`)}: ${promoted.out.split("\n")[0]}`);
    if (promoted.code !== 0 || !branch) throw new Error(`promote failed:\n${promoted.out}`);
    check = await command(["check", "--base", "main", "--head", branch]);
    printer.say(`${bold("tollgate check")} exits ${check.code}; merged.`);
    if (check.code !== 0) throw new Error(`the promotion check should pass:\n${check.out}`);
    await repo.merge(branch, env, "support-agent", `Promote support-agent ${shortDigest(v2.digest)} to ${env}`);
    await run(env, "support-agent", settledAs("promoted", "rolled-back"));
  }

  // 2. In prod the canary's error rate is 2 points worse: rolled back as soon as the analysis can tell.
  printer.section("v2 reaches prod, where its error rate is 2 points worse");
  const toProd = await command(["promote", "support-agent", "--to", "prod"]);
  const prodBranch = /branch (\S+)/.exec(toProd.out)?.[1];
  if (toProd.code !== 0 || !prodBranch) throw new Error(`promote failed:\n${toProd.out}`);
  check = await command(["check", "--base", "main", "--head", prodBranch]);
  printer.say(`${bold("tollgate check")} without approvals exits ${check.code}: ${firstBlock(check.out)}`);
  check = await command(["check", "--base", "main", "--head", prodBranch, "--approver", "alice", "--approver", "bob"]);
  printer.say(
    `Alice and Bob approve; ${bold("tollgate check --approver alice --approver bob")} exits ${check.code}. Merged with the approvals recorded.`,
  );
  if (check.code !== 0) throw new Error(`the prod check should pass with approvals:\n${check.out}`);
  await repo.amendRelease(
    prodBranch,
    "prod",
    "support-agent",
    PEOPLE.dana,
    "Record approvals by alice and bob",
    (r) => ({
      ...r,
      approvals: ["alice", "bob"].map((by) => ({ by, at: repo.now.toISOString(), digest: v2.digest })),
    }),
  );
  await repo.merge(prodBranch, "prod", "support-agent", `Promote support-agent ${shortDigest(v2.digest)} to prod`);
  const afterV2 = await run("prod", "support-agent", settledAs("promoted", "rolled-back"));
  if (afterV2?.phase !== "rolled-back")
    throw new Error(`v2 should have been rolled back in prod, it is ${afterV2?.phase}`);
  printer.say(
    `Rolled back in git: prod/support-agent points at ${shortDigest(afterV2.liveDigest)} again, ${shortDigest(v2.digest)} is rejected, the service is frozen until ${afterV2.frozenUntil}.`,
  );
  const overview = await command(["status", "--env", "prod"]);
  printer.say(`${bold("tollgate status --env prod")} shows where prod stands:`);
  printer.block(overview.out.trimEnd());

  // 3. support-agent v3, healthy: 5% → 25% → 50% → 100%, promoted.
  printer.section("support-agent v3, healthy, from dev to prod");
  const v3Branch = "support-agent-v3";
  const v3 = await repo.proposeRelease(
    v3Branch,
    "dev",
    "support-agent",
    (p) => ({
      ...p,
      code: {
        image: p.code.image.replace(/@sha256:.*/, `@sha256:${"a3".repeat(32)}`),
        sourceCommit: "3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d",
      },
      model: { ...p.model, snapshot: "20250929" },
    }),
    "support-agent 2.0.1: back on the 20250929 snapshot, with the retry fix",
  );
  const v3Eval = await attest(v3Branch, 48);
  await repo.merge(v3Eval.branch, "dev", "support-agent", "support-agent 2.0.1 to dev");
  printer.say(`Dana merges ${shortDigest(v3.digest)} to dev with its signed eval attestation.`);
  await run("dev", "support-agent", settledAs("promoted", "rolled-back"));
  for (const env of ["staging", "prod"] as const) {
    if (env === "prod" && afterV2.frozenUntil) {
      repo.jumpTo(new Date(Date.parse(afterV2.frozenUntil) + 60_000));
      printer.say(`The clock moves on to ${repo.now.toISOString()}, after prod's freeze.`);
    }
    const promoted = await command(["promote", "support-agent", "--to", env]);
    const branch = /branch (\S+)/.exec(promoted.out)?.[1];
    if (promoted.code !== 0 || !branch) throw new Error(`promote failed:\n${promoted.out}`);
    const approvers = env === "prod" ? ["--approver", "alice", "--approver", "bob"] : [];
    check = await command(["check", "--base", "main", "--head", branch, ...approvers]);
    printer.say(
      `${bold(`tollgate promote support-agent --to ${env}`)}, ${bold("tollgate check")} exits ${check.code}; merged.`,
    );
    if (check.code !== 0) throw new Error(`the promotion check should pass:\n${check.out}`);
    if (env === "prod") {
      await repo.amendRelease(branch, env, "support-agent", PEOPLE.dana, "Record approvals by alice and bob", (r) => ({
        ...r,
        approvals: ["alice", "bob"].map((by) => ({ by, at: repo.now.toISOString(), digest: v3.digest })),
      }));
    }
    await repo.merge(branch, env, "support-agent", `Promote support-agent ${shortDigest(v3.digest)} to ${env}`);
    const status = await run(env, "support-agent", settledAs("promoted", "rolled-back"));
    if (status?.phase !== "promoted") throw new Error(`v3 should have been promoted in ${env}, it is ${status?.phase}`);
  }

  // 4. retrieval-api: the cost per task runs away; the budget breaker rolls it back.
  printer.section("retrieval-api 3.4.0: the cost per task runs away");
  const raBranch = "retrieval-api-3.4.0";
  const ra = await repo.proposeRelease(
    raBranch,
    "dev",
    "retrieval-api",
    (p) => ({
      ...p,
      code: {
        image: p.code.image.replace(/@sha256:.*/, `@sha256:${"b4".repeat(32)}`),
        sourceCommit: "4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e",
      },
      index: { buildId: "kb-2026-11-23.1", digest: `sha256:${"c4".repeat(32)}` },
    }),
    "retrieval-api 3.4.0: query expansion, new index build",
  );
  repo.world.behaviour.set(ra.digest, RUNAWAY_COST);
  await repo.merge(raBranch, "dev", "retrieval-api", "retrieval-api 3.4.0 to dev");
  printer.say(`Dana merges ${shortDigest(ra.digest)} to dev.`);
  const raStatus = await run("dev", "retrieval-api", settledAs("promoted", "rolled-back"));
  if (raStatus?.phase !== "rolled-back")
    throw new Error(`the runaway release should have been rolled back, it is ${raStatus?.phase}`);

  return { repo, decisions };
}

/** A gate's line of a text check report. */
function gateLine(report: string, title: string): string {
  const line = report.split("\n").find((l) => l.replace(/^\s*[✓✗…–]\s*/, "").startsWith(`${title}:`)) ?? "";
  return line.trim();
}

/** The first gate that blocked, from a text check report. */
function firstBlock(report: string): string {
  const line = report.split("\n").find((l) => l.includes("✗")) ?? report.split("\n")[0] ?? "";
  return line.replace(/^\s*✗\s*/, "").trim();
}
