import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of this project checkout. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A fresh temporary folder; remove it with the returned cleanup. */
export async function tempDir(prefix = "tollgate-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A temporary copy of this repository's environments/ and teams.yaml. */
export async function copyExampleRepository(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir("tollgate-repo-");
  await cp(join(PROJECT_ROOT, "environments"), join(temp.dir, "environments"), { recursive: true });
  await cp(join(PROJECT_ROOT, "teams.yaml"), join(temp.dir, "teams.yaml"));
  return temp;
}
