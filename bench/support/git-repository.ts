/**
 * Large generated GitOps repositories for benchmarks, written with `git fast-import` (benchmarks
 * may use the git CLI; src/ never does): the example environments, `services` copies of
 * support-agent's release and status in each of dev, staging and prod, and evidence documents
 * until the tree holds `files` files.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "../../test/support/tmp-repo.ts";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/** `svc-0000`, `svc-0001`, ... */
export function serviceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(4, "0")}`);
}

export async function buildRepository(bare: string, options: { files: number; services: number }): Promise<void> {
  const entries: [string, string][] = [];
  for (const path of await filesUnder(join(PROJECT_ROOT, "environments"))) {
    entries.push([relative(PROJECT_ROOT, path), await readFile(path, "utf8")]);
  }
  const text = (path: string) => entries.find(([p]) => p === path)![1];
  for (const env of ENVIRONMENTS) {
    // staging's support-agent has a canary and a last good artifact: a rollout in progress.
    const release = text("environments/staging/releases/support-agent.yaml");
    const status = text(`environments/${env}/status/support-agent.yaml`).replace(
      /liveDigest: \S+/,
      "liveDigest: sha256:f806ccf0be4b72d1a649ad5387d2d47f76da41ed10603c96dc51b74277bee900",
    );
    for (const service of serviceNames(options.services)) {
      entries.push([
        `environments/${env}/releases/${service}.yaml`,
        release.replace("service: support-agent", `service: ${service}`),
      ]);
      entries.push([
        `environments/${env}/status/${service}.yaml`,
        status.replace("service: support-agent", `service: ${service}`),
      ]);
    }
  }
  for (let i = 0; entries.length < options.files; i++) {
    const hex = createHash("sha256").update(`evidence-${i}`).digest("hex");
    entries.push([
      `evidence/sha256/${hex.slice(0, 2)}/${hex}.json`,
      JSON.stringify({ i, intervals: [{ errors: i % 7, requests: 1000 + i }] }),
    ]);
  }
  const chunks: Buffer[] = [];
  entries.forEach(([, content], i) => {
    const bytes = Buffer.from(content);
    chunks.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${bytes.length}\n`), bytes, Buffer.from("\n"));
  });
  const message = Buffer.from("Generated desired state\n");
  chunks.push(
    Buffer.from(
      `commit refs/heads/main\ncommitter Bench <bench@example.test> 1763630000 +0000\ndata ${message.length}\n`,
    ),
    message,
  );
  entries.forEach(([path], i) => {
    chunks.push(Buffer.from(`M 100644 :${i + 1} ${path}\n`));
  });
  chunks.push(Buffer.from("\n"));
  run(["init", "-q", "--bare", "-b", "main", bare]);
  run(["-C", bare, "fast-import", "--quiet"], Buffer.concat(chunks));
}

function run(args: string[], input?: Buffer): void {
  const result = spawnSync("git", args, { input, maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
