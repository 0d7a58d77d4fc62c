import { changedFiles, type GitRepo, type PathChange } from "../../gitops/index.ts";
import { ENVIRONMENTS_DIR } from "../../model/index.ts";

export type FileChange = PathChange["kind"];

/** A changed file of a pull request, by what it is in the repository layout. */
export type ChangedFile =
  | { kind: "release"; environment: string; service: string; path: string; change: FileChange }
  | { kind: "environment"; environment: string; path: string; change: FileChange }
  /** Status files are written by the reconciler only. */
  | { kind: "status"; environment: string; service: string; path: string; change: FileChange }
  | { kind: "policy"; path: string; change: FileChange }
  /** Anything else under environments/ (validation says what is wrong with it). */
  | { kind: "layout"; path: string; change: FileChange };

/** The folder of guardrails in a tollgate repository. */
export const POLICIES_DIR = "policies";

const RELEASE = /^environments\/([^/]+)\/releases\/([^/]+)\.yaml$/;
const STATUS = /^environments\/([^/]+)\/status\/([^/]+)\.yaml$/;
const ENVIRONMENT = /^environments\/([^/]+)\/environment\.yaml$/;

export function classifyChange(change: PathChange): ChangedFile | undefined {
  const { path, kind } = change;
  let m = RELEASE.exec(path);
  if (m) return { kind: "release", environment: m[1]!, service: m[2]!, path, change: kind };
  m = STATUS.exec(path);
  if (m) return { kind: "status", environment: m[1]!, service: m[2]!, path, change: kind };
  m = ENVIRONMENT.exec(path);
  if (m) return { kind: "environment", environment: m[1]!, path, change: kind };
  if (path.startsWith(`${POLICIES_DIR}/`)) return { kind: "policy", path, change: kind };
  if (path.startsWith(`${ENVIRONMENTS_DIR}/`)) return { kind: "layout", path, change: kind };
  return undefined;
}

/** The layout files and policies a pull request changes (from the merge base to its head). */
export async function changedLayoutFiles(repo: GitRepo, from: string, to: string): Promise<ChangedFile[]> {
  const changes = [
    ...(await changedFiles(repo, from, to, ENVIRONMENTS_DIR)),
    ...(await changedFiles(repo, from, to, POLICIES_DIR)),
  ];
  return changes.map(classifyChange).filter((c): c is ChangedFile => c !== undefined);
}
