/**
 * `tollgate demo` (and `npm run demo`): tollgate's whole loop on embedded defaults, in accelerated
 * time. It creates a temporary GitOps repository, runs the story (see story.ts), then shows the
 * history as an auditor reads it, re-verifies every decision with `tollgate audit`, writes an HTML
 * report, and says how to open the live dashboard on the repository.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { type GitRepo, listDecisionCommits } from "../gitops/index.ts";
import { Dashboard, startDashboardServer } from "../serve/index.ts";
import { GITOPS_CLUSTER } from "./demo-repo.ts";
import { manifestDiff } from "./manifest-diff.ts";
import { bold, dim, Printer } from "./printer.ts";
import { type RunCli, runStory } from "./story.ts";

export type { RunCli } from "./story.ts";

/** Runs the demo, writing its story line by line; returns the exit code (1 if audit or report failed). */
export async function runDemo(cli: RunCli, write?: (line: string) => void): Promise<number> {
  const started = performance.now();
  const printer = new Printer(write);
  printer.say(bold("tollgate demo: policy-as-code releases for AI agents, decided in git"));
  const { repo, decisions } = await runStory(printer, cli);

  printer.section("The history an auditor reads (git log)");
  const history = await listDecisionCommits(repo.repo, {});
  for (const entry of history.slice().reverse()) {
    const d = entry.decision!;
    printer.say(`${dim(entry.oid.slice(0, 10))} ${d.subject}`);
    printer.say(`           ${d.why}`);
    printer.say(
      dim(
        `           Tollgate-Decision: ${d.trailers.decision}  Tollgate-Policy: ${d.trailers.policy.slice(0, 19)}…  Tollgate-Evidence: ${d.trailers.evidence.slice(0, 19)}…`,
      ),
    );
  }
  printer.say(
    `${history.length} decision commits (${decisions} made in this run). Explore with: git -C ${repo.dir} log`,
  );
  const rollback = history.find(
    (e) => e.decision?.trailers.decision === "rollback" && e.decision.trailers.environment === "prod",
  );
  if (rollback) {
    printer.say("");
    printer.say(`The whole message of the prod rollback, as \`git log -1 ${rollback.oid.slice(0, 10)}\` shows it:`);
    printer.block(
      `commit ${rollback.oid}\nAuthor: ${rollback.author.name} <${rollback.author.email}>\n\n${rollback.message.trimEnd()}`,
    );
    const diff = await manifestDiff(repo.repo, rollback.oid);
    if (diff) {
      printer.say("");
      printer.say(
        `What ${GITOPS_CLUSTER} (applied through its GitOps engine) was told, as \`git show ${rollback.oid.slice(0, 10)} -- clusters/\` shows it:`,
      );
      printer.block(diff.trimEnd());
    }
  }

  let code = 0;
  if (rollback) {
    const command = `git -c gpg.ssh.allowedSignersFile=${repo.keys.allowedSignersFile} verify-commit ${rollback.oid.slice(0, 10)}`;
    printer.section("The rollback is signed: git verifies it");
    printer.say(
      `tollgate signed every decision with its key (SSH, ${repo.keys.tollgate.fingerprint}); \`${command}\`:`,
    );
    const verified = gitVerifyCommit(repo.dir, repo.keys.allowedSignersFile, rollback.oid);
    printer.block(verified.out);
    if (verified.code !== 0) code = 1;
  }

  const capture = async (args: string[]) => {
    let out = "";
    const code = await cli(args, {
      out: (s) => (out += `${s.replace(/\n$/, "")}\n`),
      err: (s) => (out += `${s.replace(/\n$/, "")}\n`),
      cwd: repo.dir,
      env: process.env,
    });
    return { code, out };
  };
  const registered = await capture(["--help"]);
  if (/\baudit\b/.test(registered.out)) {
    printer.section("tollgate audit: every decision re-verified from the history");
    const audit = await capture(["audit", "--repo", repo.dir]);
    printer.block(audit.out);
    if (audit.code !== 0) code = 1;
  }
  if (/\breport\b/.test(registered.out)) {
    const out = join(dirname(repo.dir), "report-prod-support-agent.html");
    const report = await capture([
      "report",
      "--repo",
      repo.dir,
      "--env",
      "prod",
      "--service",
      "support-agent",
      "--out",
      out,
    ]);
    printer.section("An evidence report for the prod rollout of support-agent");
    printer.block(report.out || `written to ${out}`);
    if (report.code !== 0) code = 1;
  }
  if (/\bserve\b/.test(registered.out)) {
    printer.section("The live dashboard of this history");
    const overview = await dashboardOverview(repo.repo);
    printer.say(`Every environment, rollout and decision in the browser (${overview}):`);
    printer.say(`  ${bold(`npx tollgate serve --repo ${repo.dir}`)}`);
    printer.say(
      `  then open ${bold("http://127.0.0.1:8080/")} (the prod rollback: Overview → support-agent → rollout 1)`,
    );
  }
  printer.section("Done");
  printer.say(
    `${((performance.now() - started) / 1000).toFixed(1)} s of wall time. The demo repository stays at ${repo.dir}.`,
  );
  return code;
}

/** What the dashboard's overview says of the demo repository, asked of it for real on a loopback port. */
async function dashboardOverview(repo: GitRepo): Promise<string> {
  const dashboard = new Dashboard({ repo });
  const server = await startDashboardServer(dashboard, { host: "127.0.0.1", port: 0 });
  try {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    return /(\d+ service\(s\) in \d+ environment\(s\))/.exec(page)?.[1] ?? "its overview did not render";
  } finally {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
}

/**
 * `git verify-commit` on a commit, as an auditor with the allowed-signers file would run it (the
 * demo's one use of the git CLI: showing that plain git checks tollgate's signatures).
 */
function gitVerifyCommit(dir: string, allowedSigners: string, oid: string): { code: number; out: string } {
  const run = spawnSync("git", ["-c", `gpg.ssh.allowedSignersFile=${allowedSigners}`, "verify-commit", oid], {
    cwd: dir,
    encoding: "utf8",
  });
  if (run.error) return { code: 0, out: `(git is not installed here: ${run.error.message})` };
  return { code: run.status ?? 1, out: `${run.stdout}${run.stderr}`.trimEnd() };
}
