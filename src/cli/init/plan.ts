/**
 * What `tollgate init` writes: the templates of templates/init (a path segment `dot-x` is written
 * as `.x`, because npm leaves some dot files out of packages; `{{version}}` becomes tollgate's
 * version), the standard guardrails of policies/ with their tests, and the manifests of deploy/.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package (or clone) root: templates/, policies/ and deploy/ ship beside dist/. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ScaffoldFile {
  /** Relative to the new repository's root, with `/` separators. */
  readonly path: string;
  readonly content: Buffer;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await filesUnder(join(dir, entry.name))).map((p) => `${entry.name}/${p}`));
    else if (entry.isFile()) out.push(entry.name);
  }
  return out;
}

function undot(path: string): string {
  return path
    .split("/")
    .map((segment) => (segment.startsWith("dot-") ? `.${segment.slice("dot-".length)}` : segment))
    .join("/");
}

export async function scaffoldFiles(version: string, root: string = PACKAGE_ROOT): Promise<ScaffoldFile[]> {
  const files: ScaffoldFile[] = [];
  const templates = join(root, "templates", "init");
  for (const path of await filesUnder(templates)) {
    const text = (await readFile(join(templates, path), "utf8")).replaceAll("{{version}}", version);
    files.push({ path: undot(path), content: Buffer.from(text, "utf8") });
  }
  for (const folder of ["policies", "deploy"]) {
    for (const path of await filesUnder(join(root, folder))) {
      files.push({ path: `${folder}/${path}`, content: await readFile(join(root, folder, path)) });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
