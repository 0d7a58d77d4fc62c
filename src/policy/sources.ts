import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { UserError } from "../model/index.ts";
import type { RegoVersion } from "../rego/index.ts";
import { readRegoVersions, regoVersionOf } from "./rego-version.ts";

/** One Rego file: its path relative to the policy folder (with `/`), its text and Rego version. */
export interface PolicySource {
  path: string;
  text: string;
  /** Default v1 (see rego-version.ts for how a file gets v0). */
  regoVersion?: RegoVersion;
}

export interface ReadSourcesOptions {
  /** Include `*_test.rego`. */
  tests: boolean;
  /** Read files as Rego v0 unless the folder's `.manifest` says otherwise (OPA's `--v0-compatible`). */
  v0Compatible?: boolean;
}

/** `*_test.rego` files hold unit tests; they are compiled for `policy test`, never into a bundle. */
export function isTestFile(path: string): boolean {
  return path.endsWith("_test.rego");
}

/**
 * Every `.rego` file under `dir` (recursively), sorted by path so that builds are reproducible.
 * `tests: false` leaves out `*_test.rego`.
 */
export async function readPolicySources(dir: string, options: ReadSourcesOptions): Promise<PolicySource[]> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UserError(`${dir} is not a folder of Rego policies`);
  const paths: string[] = [];
  await collect(dir, dir, paths);
  const chosen = paths.filter((p) => options.tests || !isTestFile(p)).sort();
  if (chosen.length === 0) throw new UserError(`${dir} holds no .rego files`);
  const versions = await readRegoVersions(dir, options.v0Compatible === true);
  return Promise.all(
    chosen.map(async (path) => ({
      path,
      text: await readFile(join(dir, path), "utf8"),
      regoVersion: regoVersionOf(versions, path),
    })),
  );
}

async function collect(root: string, dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await collect(root, full, out);
    else if (entry.isFile() && entry.name.endsWith(".rego")) out.push(relative(root, full).split(sep).join("/"));
  }
}

/** The policy folder as the user named it, with a trailing `/`, to prefix file names in messages. */
export function displayPrefix(cwd: string, dir: string): string {
  const rel = relative(cwd, resolve(cwd, dir)).split(sep).join("/");
  return rel === "" ? "" : `${rel}/`;
}
