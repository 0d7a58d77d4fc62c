import { type TreeReader, UserError } from "../model/index.ts";
import { isTestFile, type PolicySource } from "./sources.ts";

/** The folder of a tollgate repository that holds its guardrails. */
export const POLICY_DIR = "policies";
/** File names in policy messages read `policies/<file>`, wherever the bundle is built. */
export const POLICY_PATH_PREFIX = `${POLICY_DIR}/`;

/**
 * The Rego sources (tests left out) of `policies/` in a repository tree, sorted by path relative to
 * `policies/`: the same list `tollgate policy build policies` reads from a checkout, so both give
 * the same bundle digest.
 */
export async function policySourcesIn(tree: TreeReader): Promise<PolicySource[]> {
  const paths: string[] = [];
  await collect(tree, POLICY_DIR, "", paths);
  const chosen = paths.filter((p) => !isTestFile(p)).sort();
  if (chosen.length === 0)
    throw new UserError(`${tree.display(POLICY_DIR)} holds no .rego files: a tollgate repository needs its guardrails`);
  return Promise.all(chosen.map(async (path) => ({ path, text: await tree.read(`${POLICY_DIR}/${path}`) })));
}

async function collect(tree: TreeReader, dir: string, relative: string, out: string[]): Promise<void> {
  for (const entry of (await tree.list(dir)) ?? []) {
    if (entry.name.startsWith(".")) continue;
    const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.kind === "dir") await collect(tree, `${dir}/${entry.name}`, rel, out);
    else if (entry.kind === "file" && entry.name.endsWith(".rego")) out.push(rel);
  }
}
