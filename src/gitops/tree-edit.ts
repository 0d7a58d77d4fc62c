import type { ObjectStore, TreeEntry } from "./objects.ts";

/** New content for a path (`a/b/file`), or null to delete it. */
export type TreeEdits = ReadonlyMap<string, string | Uint8Array | null>;

/**
 * Writes the blobs and trees for `edits` on top of `baseTree` (null for an empty tree) and returns
 * the new root tree id. Only the trees along edited paths are read and rewritten, so the cost does
 * not grow with the size of the repository. Folders left empty are dropped, as git does.
 */
export async function editTree(store: ObjectStore, baseTree: string | null, edits: TreeEdits): Promise<string> {
  for (const path of edits.keys()) {
    if (path === "" || path.startsWith("/") || path.endsWith("/") || path.split("/").some((s) => s === "" || s === "." || s === ".." || s === ".git")) {
      throw new Error(`invalid path in tree edit: "${path}"`);
    }
  }
  const oid = await editLevel(store, baseTree, [...edits], "");
  return oid ?? (await store.writeTree([]));
}

async function editLevel(store: ObjectStore, tree: string | null, edits: [string, string | Uint8Array | null][], prefix: string): Promise<string | null> {
  const entries = new Map<string, TreeEntry>();
  if (tree) for (const e of await store.readTree(tree)) entries.set(e.path, { ...e });

  const nested = new Map<string, [string, string | Uint8Array | null][]>();
  for (const [path, content] of edits) {
    const slash = path.indexOf("/");
    if (slash === -1) {
      const existing = entries.get(path);
      if (existing?.type === "tree") throw new Error(`cannot write file ${prefix}${path}: it is a folder`);
      if (content === null) entries.delete(path);
      else entries.set(path, { mode: existing?.mode === "100755" ? "100755" : "100644", path, oid: await store.writeBlob(content), type: "blob" });
    } else {
      const head = path.slice(0, slash);
      const list = nested.get(head) ?? [];
      list.push([path.slice(slash + 1), content]);
      nested.set(head, list);
    }
  }
  for (const [name, subEdits] of nested) {
    const existing = entries.get(name);
    if (existing && existing.type !== "tree") throw new Error(`cannot write under ${prefix}${name}/: it is a file`);
    const oid = await editLevel(store, existing?.oid ?? null, subEdits, `${prefix}${name}/`);
    if (oid === null) entries.delete(name);
    else entries.set(name, { mode: "040000", path: name, oid, type: "tree" });
  }
  if (entries.size === 0) return null;
  return store.writeTree([...entries.values()]);
}
