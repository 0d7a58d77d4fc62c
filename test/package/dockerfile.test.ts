/**
 * The container image, checked statically (no Docker engine here): it is built from the packed
 * package, the final image holds only the installed package (its files and run-time dependencies),
 * and it runs as a non-root user.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions by stage (comments dropped, continuation lines joined). */
function readStages(): Stage[] {
  const text = readFileSync(join(PROJECT_ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const [, op = "", args = ""] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === "FROM") {
      const [, from = "", name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, " ") });
    }
  }
  return stages;
}

describe("Dockerfile", () => {
  const stages = readStages();
  const final = stages.at(-1)!;
  const stage = (name: string) => stages.find((s) => s.name === name)!;

  it("packs the package with npm pack, from a clean npm ci of the sources", () => {
    const pack = stage("pack");
    const run = pack.instructions
      .filter((i) => i.op === "RUN")
      .map((i) => i.args)
      .join(" && ");
    assert.match(run, /npm ci .*&& npm pack --pack-destination \/pack .*&& npm prune --omit=dev/);
    const ignored = readFileSync(join(PROJECT_ROOT, ".dockerignore"), "utf8").split("\n");
    for (const built of ["node_modules", "dist", "build"]) {
      assert.ok(ignored.includes(built), `${built}/ is made in the image, never copied from the build context`);
    }
  });

  it("installs exactly the tarball's files and the run-time dependencies", () => {
    const install = stage("install");
    const filling = install.instructions.filter((i) => i.op === "COPY" || i.op === "RUN").map((i) => i.args);
    assert.deepEqual(filling, [
      "--from=pack /pack/ /pack/",
      "tar -xzf /pack/tollgate-*.tgz --strip-components=1 -C /opt/tollgate",
      "--from=pack /src/node_modules/ /opt/tollgate/node_modules/",
      "mkdir -p /var/lib/tollgate",
    ]);
  });

  it("the final image holds only the installed package and runs it as a non-root user", () => {
    assert.equal(final.from, stage("pack").from, "the same Node image throughout");
    assert.match(final.from, /^node:20[-.]/, "the oldest Node the package supports (engines >= 20)");
    const copies = final.instructions.filter((i) => i.op === "COPY" || i.op === "ADD" || i.op === "RUN");
    assert.deepEqual(
      copies.map((i) => i.args),
      [
        "--from=install /opt/tollgate/ /opt/tollgate/",
        "--from=install --chown=10001:10001 /var/lib/tollgate/ /var/lib/tollgate/",
      ],
    );
    const user = final.instructions.filter((i) => i.op === "USER").at(-1)?.args ?? "";
    assert.match(user, /^[1-9]\d*(:[1-9]\d*)?$/, "a numeric non-root user (runAsNonRoot can check it)");
    const entrypoint = JSON.parse(final.instructions.find((i) => i.op === "ENTRYPOINT")!.args) as string[];
    assert.deepEqual(entrypoint, ["node", "/opt/tollgate/bin/tollgate.js"]);
    const { files } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { files: string[] };
    assert.ok(files.includes("bin/") && files.includes("dist/"), "the entrypoint and what it runs are in the package");
  });

  it("is the image deploy/ runs, with the same user", () => {
    const deployment = readFileSync(join(PROJECT_ROOT, "deploy/deployment.yaml"), "utf8");
    const user = final.instructions
      .filter((i) => i.op === "USER")
      .at(-1)!
      .args.split(":")[0];
    assert.match(deployment, new RegExp(`runAsUser: ${user}\\b`));
    assert.match(deployment, /mountPath: \/var\/lib\/tollgate\n/);
  });
});
