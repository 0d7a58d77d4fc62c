import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeScenarioFile } from "../../src/telemetry/scenario-file.ts";
import { simulateStage } from "../../src/telemetry/simulated/generator.ts";
import { PROFILES } from "../../src/telemetry/simulated/profiles.ts";
import { runCli } from "../support/run-cli.ts";

describe("tollgate analyze", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-analyze-"));
    await mkdir(join(dir, "set"));
    const write = (id: string, canary: object) =>
      writeScenarioFile(
        join(dir, "set", `${id}.ndjson`),
        { scenario: id, interval: 10, analysisStart: 60, horizon: 1200 },
        [...simulateStage({ seed: 21, scenario: id, canary, horizon: 1200 })].flatMap((s) => s.records),
      );
    await write("bad-cost", PROFILES["cost+20%"]);
    await write("good", PROFILES.healthy);
    await writeFile(join(dir, "set", "notes.txt"), "not a scenario");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints one JSON line per scenario of a folder, in name order", async () => {
    const { code, stdout, stderr } = await runCli(["analyze", join(dir, "set")]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.scenario, l.action, l.trigger]),
      [
        ["bad-cost", "rollback", "cost_logmean"],
        ["good", "promote", null],
      ],
    );
    assert.deepEqual(Object.keys(lines[0]!), ["scenario", "action", "at", "trigger", "evidence"]);
    assert.equal((lines[1]!.evidence as { judge: string }).judge, "sequential");
  });

  it("runs the judge of a config file: an analysis config or an environment.yaml", async () => {
    const mw = join(dir, "mw.yaml");
    await writeFile(mw, "judge: mann-whitney\nmannWhitney:\n  pValue: 0.001\n  bake: null\n");
    const viaConfig = await runCli(["analyze", "--config", mw, join(dir, "set", "good.ndjson")]);
    assert.equal(viaConfig.code, 0, viaConfig.stderr);
    const line = JSON.parse(viaConfig.stdout) as { evidence: { judge: string } };
    assert.equal(line.evidence.judge, "mann-whitney");
    const env = join(dir, "environment.yaml");
    await copyFile(new URL("../../environments/prod/environment.yaml", import.meta.url), env);
    const viaEnv = await runCli(["analyze", "--config", env, join(dir, "set", "bad-cost.ndjson")]);
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal((JSON.parse(viaEnv.stdout) as { evidence: { judge: string } }).evidence.judge, "sequential");
  });

  it("names the file, line and field of a bad config", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "judge: sequential\nalpha: 0.05\nsequential:\n  leanLimit: -1\n");
    const { code, stderr } = await runCli(["analyze", "--config", bad, join(dir, "set")]);
    assert.equal(code, 1);
    assert.match(stderr, /bad\.yaml:4:\d+: .*\(field sequential\.leanLimit\)/);
  });

  it("reports a damaged scenario file with its line, judges the others, and exits 1", async () => {
    const broken = join(dir, "broken");
    await mkdir(broken);
    const good = await readFile(join(dir, "set", "good.ndjson"), "utf8");
    const lines = good.split("\n");
    lines[5] = lines[5]!.replace('"arm":"canary"', '"arm":"stable"').replace('"arm":"baseline"', '"arm":"stable"');
    await writeFile(join(broken, "a.ndjson"), lines.join("\n"));
    await copyFile(join(dir, "set", "bad-cost.ndjson"), join(broken, "b.ndjson"));
    const { code, stdout, stderr } = await runCli(["analyze", broken]);
    assert.equal(code, 1);
    assert.match(stderr, /a\.ndjson:6: arm must be "canary" or "baseline", got "stable" \(field \/arm\)/);
    assert.equal(stdout.trim().split("\n").length, 1);
  });

  it("exits 2 without scenario files", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty);
    assert.equal((await runCli(["analyze", empty])).code, 2);
    assert.equal((await runCli(["analyze"])).code, 2);
    assert.equal((await runCli(["analyze", join(dir, "nothing-here")])).code, 2);
  });
  it("no judge promotes a scenario without data: a header only, or every interval missing (issue 21, item 7)", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty, { recursive: true });
    const header = { scenario: "header-only", interval: 10, analysisStart: 60, horizon: 600 };
    await writeScenarioFile(join(empty, "a-header-only.ndjson"), header, []);
    const records = [...simulateStage({ seed: 3, scenario: "gaps", horizon: 600 })].flatMap((s) => s.records);
    // Every interval of the canary is missing; the baseline reports.
    await writeScenarioFile(
      join(empty, "b-canary-missing.ndjson"),
      { ...header, scenario: "canary-missing" },
      records.filter((r) => r.arm === "baseline"),
    );
    for (const config of [undefined, "mw", "fixed"]) {
      const args = config ? ["--config", join(dir, `no-data-${config}.yaml`)] : [];
      if (config)
        await writeFile(
          join(dir, `no-data-${config}.yaml`),
          config === "mw" ? "judge: mann-whitney\n" : "judge: fixed-threshold\n",
        );
      const { code, stdout, stderr } = await runCli(["analyze", ...args, empty]);
      assert.equal(code, 0, stderr);
      const lines = stdout
        .trim()
        .split("\n")
        .map(
          (l) =>
            JSON.parse(l) as {
              scenario: string;
              action: string;
              evidence: { hold?: string };
            },
        );
      assert.deepEqual(
        lines.map((l) => [l.scenario, l.action, l.evidence.hold]),
        [
          ["header-only", "hold", "no-data"],
          ["canary-missing", "hold", "no-data"],
        ],
        `judge ${config ?? "sequential"}`,
      );
    }
  });
});
