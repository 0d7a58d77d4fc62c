import assert from "node:assert/strict";
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { copyExampleRepository, PROJECT_ROOT } from "../support/tmp-repo.ts";
import { runCli } from "../support/run-cli.ts";

/** Validates a copy of the example repository after `mutate` changed it. */
async function validateAfter(mutate: (root: string) => Promise<void>) {
  const repo = await copyExampleRepository();
  try {
    await mutate(repo.dir);
    return await runCli(["validate", repo.dir]);
  } finally {
    await repo.cleanup();
  }
}

async function editFile(root: string, path: string, edit: (text: string) => string) {
  const full = join(root, path);
  await writeFile(full, edit(await readFile(full, "utf8")));
}

const PROD_RELEASE = "environments/prod/releases/support-agent.yaml";
const PROD_ENV = "environments/prod/environment.yaml";

describe("tollgate validate", () => {
  it("accepts the repository's own environments", async () => {
    const result = await runCli(["validate", PROJECT_ROOT]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^valid: \d+ files, 3 environments \(dev, prod, staging\), 6 releases/);
  });

  it("prints JSON with --json", async () => {
    const result = await runCli(["validate", PROJECT_ROOT, "--json"]);
    const parsed = JSON.parse(result.stdout) as { valid: boolean; environments: { name: string }[] };
    assert.equal(parsed.valid, true);
    assert.deepEqual(
      parsed.environments.map((e) => e.name),
      ["dev", "prod", "staging"],
    );
  });

  it("names file, line and column of malformed YAML", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("protected: true", "protected: [true")),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /environments\/prod\/environment\.yaml:\d+:\d+: invalid YAML/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, "no stack trace");
  });

  it("names file, line and field path of a schema violation", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("- { weight: 25,", "- { weight: 250,")),
    );
    assert.equal(result.code, 1);
    const line =
      (await readFile(join(PROJECT_ROOT, PROD_ENV), "utf8")).split("\n").findIndex((l) => l.includes("weight: 25,")) +
      1;
    assert.match(
      result.stdout,
      new RegExp(
        `environments/prod/environment\\.yaml:${line}:\\d+: must be <= 100 \\(field rollout\\.steps\\[1\\]\\.weight\\)`,
      ),
    );
  });

  it("rejects an unknown time zone, naming file, line and field", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("timeZone: Europe/Berlin", "timeZone: Europe/Atlantis")),
    );
    assert.equal(result.code, 1);
    const line =
      (await readFile(join(PROJECT_ROOT, PROD_ENV), "utf8")).split("\n").findIndex((l) => l.includes("timeZone:")) + 1;
    assert.match(
      result.stdout,
      new RegExp(
        `environments/prod/environment\\.yaml:${line}:\\d+: unknown time zone "Europe/Atlantis" \\(field windows\\.timeZone\\)`,
      ),
    );
  });

  it("rejects an unknown field, naming it and its line", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("budgets:\n", "budgets:\n  maxSpendUsd: 10\n")),
    );
    assert.equal(result.code, 1);
    const line = (await readFile(join(PROJECT_ROOT, PROD_ENV), "utf8")).split("\n").indexOf("budgets:") + 2;
    assert.match(
      result.stdout,
      new RegExp(`prod/environment\\.yaml:${line}:3: unknown field "maxSpendUsd" \\(field budgets\\.maxSpendUsd\\)`),
    );
  });

  it("names the line and field of a bad carried telemetry point in a status file", async () => {
    const status = "environments/prod/status/support-agent.yaml";
    const result = await validateAfter((root) =>
      editFile(root, status, (t) => t.replace("weight: 0\n", "weight: 0\nearlierTelemetry:\n  through: -30\n")),
    );
    assert.equal(result.code, 1);
    const line = (await readFile(join(PROJECT_ROOT, status), "utf8")).split("\n").indexOf("weight: 0") + 3;
    assert.match(
      result.stdout,
      new RegExp(`prod/status/support-agent\\.yaml:${line}:\\d+: must be >= 0 \\(field earlierTelemetry\\.through\\)`),
    );
  });

  it("rejects a step longer than its evidence can hold, naming the field", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) =>
        t.replace(
          "- { weight: 25, minDuration: 10m, maxDuration: 30m }",
          "- { weight: 25, minDuration: 10m, maxDuration: 8h }",
        ),
      ),
    );
    assert.equal(result.code, 1);
    const line =
      (await readFile(join(PROJECT_ROOT, PROD_ENV), "utf8")).split("\n").findIndex((l) => l.includes("weight: 25,")) +
      1;
    assert.match(
      result.stdout,
      new RegExp(
        `prod/environment\\.yaml:${line}:\\d+: maxDuration 8h is 2880 telemetry intervals of 10s; a step may last at most 2000 .*\\(field rollout\\.steps\\[1\\]\\.maxDuration\\)`,
      ),
    );
  });

  it("reads teams.yaml: a bad member is named by line and field, an unknown team:<name> approver and an unknown owner too", async () => {
    const bad = await validateAfter((root) =>
      writeFile(
        join(root, "teams.yaml"),
        "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n  support-eng: [dave, 7]\n",
      ),
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /teams\.yaml:5:\d+: must be string \(field teams\.support-eng\[1\]\)/);
    const unknown = await validateAfter((root) =>
      writeFile(join(root, "teams.yaml"), "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n"),
    );
    assert.equal(unknown.code, 1);
    const line =
      (await readFile(join(PROJECT_ROOT, PROD_ENV), "utf8")).split("\n").findIndex((l) => l.includes("approvers:")) + 1;
    assert.match(
      unknown.stdout,
      new RegExp(
        `prod/environment\\.yaml:${line}:\\d+: approvers names "team:support-eng", which is not a team of teams\\.yaml \\(ml-platform\\) \\(field approvals\\.approvers\\[1\\]\\)`,
      ),
    );
    const owner = await validateAfter((root) =>
      writeFile(
        join(root, "teams.yaml"),
        "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n  support-eng: [dave]\nowners:\n  support-agent: support-eng\n  retrieval-api: search\n",
      ),
    );
    assert.equal(owner.code, 1);
    assert.match(
      owner.stdout,
      /teams\.yaml:8:\d+: owner of retrieval-api is "search", which is not one of its teams \(ml-platform, support-eng\) \(field owners\.retrieval-api\)/,
    );
    const good = await validateAfter((root) =>
      writeFile(
        join(root, "teams.yaml"),
        "apiVersion: tollgate.dev/v1\nkind: Teams\nteams:\n  ml-platform: [carol]\n  support-eng: [dave]\nowners:\n  support-agent: support-eng\n",
      ),
    );
    assert.equal(good.code, 0, good.stdout);
  });

  it("names the line and field of a bad confirmation, confirm flag, latencyUnit, prune and lowTraffic", async () => {
    const confirmation = await validateAfter((root) =>
      editFile(
        root,
        PROD_RELEASE,
        (t) =>
          `${t}confirmations:\n  - { by: alice, at: 2026-11-24T10:20:00Z, digest: "sha256:${"a".repeat(64)}", step: 0 }\n`,
      ),
    );
    assert.equal(confirmation.code, 1);
    const releaseLines = (await readFile(join(PROJECT_ROOT, PROD_RELEASE), "utf8")).split("\n").length;
    assert.match(
      confirmation.stdout,
      new RegExp(
        `prod/releases/support-agent\\.yaml:${releaseLines + 1}:\\d+: must be >= 1 \\(field confirmations\\[0\\]\\.step\\)`,
      ),
    );
    const settings = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) =>
        t
          .replace("- { weight: 25,", "- { confirm: yes, weight: 25,")
          .replace(
            "    url: http://prometheus.monitoring.svc:9090\n",
            "    url: http://prometheus.monitoring.svc:9090\n    latencyUnit: minutes\n",
          )
          .replace("clusters:\n", "prune: always\nclusters:\n")
          .replace("  lowTraffic: hold", "  lowTraffic: wait"),
      ),
    );
    assert.equal(settings.code, 1);
    assert.match(
      settings.stdout,
      /prod\/environment\.yaml:\d+:\d+: must be boolean \(field rollout\.steps\[1\]\.confirm\)/,
    );
    assert.match(
      settings.stdout,
      /prod\/environment\.yaml:\d+:\d+: must be one of "milliseconds", "seconds" \(field telemetry\.prometheus\.latencyUnit\)/,
    );
    assert.match(settings.stdout, /prod\/environment\.yaml:\d+:\d+: must be boolean \(field prune\)/);
    assert.match(
      settings.stdout,
      /prod\/environment\.yaml:\d+:\d+: must be one of "advance", "hold" \(field analysis\.lowTraffic\)/,
    );
  });

  it("rejects duplicate keys", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("protected: true\n", "protected: true\nprotected: false\n")),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/environment\.yaml:7:1: duplicate key/);
  });

  it("rejects a YAML alias bomb quickly with bounded memory", async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(",")}]`);
    }
    const heapBefore = process.memoryUsage().heapUsed;
    const result = await validateAfter((root) => writeFile(join(root, PROD_RELEASE), `${levels.join("\n")}\n`));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/releases\/support-agent\.yaml:1:1: too many YAML alias expansions/);
    assert.ok(
      process.memoryUsage().heapUsed - heapBefore < 200 * 1024 * 1024,
      "expanding 10^9 nodes would need far more memory",
    );
  });

  it("rejects a file over the size limit without parsing it", async () => {
    const result = await validateAfter((root) =>
      writeFile(join(root, PROD_RELEASE), `# ${"x".repeat(1024 * 1024 + 10)}\n`),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/releases\/support-agent\.yaml: file is \d+ bytes, over the 1048576-byte limit/);
  });

  it("rejects an empty file", async () => {
    const result = await validateAfter((root) => writeFile(join(root, PROD_RELEASE), "\n# nothing here\n"));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/releases\/support-agent\.yaml:1:1: file is empty/);
  });

  it("rejects a service named ../../etc", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_RELEASE, (t) => t.replace("service: support-agent", "service: ../../etc")),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/releases\/support-agent\.yaml:4:10: has an invalid format .* \(field service\)/);
  });

  it("rejects a digest that does not match its parts", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_RELEASE, (t) => t.replace('snapshot: "20250929"', 'snapshot: "20251101"')),
    );
    assert.equal(result.code, 1);
    const line =
      (await readFile(join(PROJECT_ROOT, PROD_RELEASE), "utf8"))
        .split("\n")
        .findIndex((l) => l.startsWith("  digest: ")) + 1;
    assert.match(
      result.stdout,
      new RegExp(
        `prod/releases/support-agent\\.yaml:${line}:11: digest sha256:[0-9a-f]{64} does not match the artifact's parts \\(they hash to sha256:[0-9a-f]{64}\\) \\(field artifact\\.digest\\)`,
      ),
    );
  });

  it("rejects a promotesFrom cycle", async () => {
    const result = await validateAfter((root) =>
      editFile(root, "environments/dev/environment.yaml", (t) => t.replace("promotesFrom: null", "promotesFrom: prod")),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /environments\/(dev|prod|staging)\/environment\.yaml:\d+:\d+: promotesFrom forms a cycle: \w+ → \w+ → \w+ → \w+ \(field promotesFrom\)/,
    );
  });

  it("rejects promotesFrom naming a missing environment", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_ENV, (t) => t.replace("promotesFrom: staging", "promotesFrom: qa")),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /prod\/environment\.yaml:5:15: promotesFrom names "qa", which is not an environment/);
  });

  it("reports a usage error for a missing folder", async () => {
    const result = await runCli(["validate", "/nonexistent/tollgate"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is not a folder/);
  });
});

describe("validate writes nothing", () => {
  let snapshot: string[] = [];
  let repo: { dir: string; cleanup: () => Promise<void> };
  const listing = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for (const name of (await readdir(dir, { recursive: true })).sort()) {
      const s = await stat(join(dir, name));
      out.push(`${name}:${s.size}:${s.mtimeMs}`);
    }
    return out;
  };
  before(async () => {
    repo = await copyExampleRepository();
    await editFile(repo.dir, PROD_RELEASE, (t) => t.replace("kind: Release", "kind: Releas"));
    snapshot = await listing(repo.dir);
  });
  after(() => repo.cleanup());
  it("leaves every file as it was, valid or not", async () => {
    const result = await runCli(["validate", repo.dir]);
    assert.equal(result.code, 1);
    assert.deepEqual(await listing(repo.dir), snapshot);
  });
});

describe("dependsOn", () => {
  it("must name a service with a release in the same environment", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_RELEASE, (t) => t.replace("  - retrieval-api\n", "  - billing-api\n")),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /prod\/releases\/support-agent\.yaml:\d+:\d+: dependsOn names "billing-api", which has no release in prod \(field dependsOn\[0\]\)/,
    );
  });
  it("cannot name the service itself", async () => {
    const result = await validateAfter((root) =>
      editFile(root, PROD_RELEASE, (t) => t.replace("  - retrieval-api\n", "  - support-agent\n")),
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /a service cannot depend on itself \(field dependsOn\[0\]\)/);
  });
});
