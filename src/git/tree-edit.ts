import type { ObjectStore, ObjectWriter, TreeEntry } from "./objects.ts";
import { TreeObject } from "./tree-object.ts";

/** New content for a path (`a/b/file`), or null to delete it. */
export type TreeEdits = ReadonlyMap<string, string | Uint8Array | null>;

/**
 * Writes the blobs and trees for `edits` on top of `baseTree` (null for an empty tree) and returns
 * the new root tree id. Only the trees along edited paths are read and rewritten, each by splicing
 * the changed entries into its encoding, so the cost does not grow with the size of the repository
 * (beyond copying the bytes of the edited folders). Folders left empty are dropped, as git does.
 * New objects go to `writer`: the store itself (stored at once) or a batch of it.
 */
export async function editTree(
  store: ObjectStore,
  baseTree: string | null,
  edits: TreeEdits,
  writer: ObjectWriter = store,
): Promise<string> {
  for (const path of edits.keys()) {
    if (
      path === "" ||
      path.startsWith("/") ||
      path.endsWith("/") ||
      path.split("/").some((s) => s === "" || s === "." || s === ".." || s === ".git")
    ) {
      throw new Error(`invalid path in tree edit: "${path}"`);
    }
  }
  const oid = await editLevel(store, writer, baseTree, [...edits], "");
  return oid ?? (await writer.writeTree([]));
}

async function editLevel(
  store: ObjectStore,
  writer: ObjectWriter,
  tree: string | null,
  edits: [string, string | Uint8Array | null][],
  prefix: string,
): Promise<string | null> {
  const original = tree ? (await store.readTreeObject(tree)).editFrom(tree) : TreeObject.empty;
  let current = original;

  const nested = new Map<string, [string, string | Uint8Array | null][]>();
  for (const [path, content] of edits) {
    const slash = path.indexOf("/");
    if (slash === -1) {
      const existing = current.get(path);
      if (existing?.type === "tree") throw new Error(`cannot write file ${prefix}${path}: it is a folder`);
      const entry: TreeEntry | null =
        content === null
          ? null
          : {
              mode: existing?.mode === "100755" ? "100755" : "100644",
              path,
              oid: await writer.writeBlob(content),
              type: "blob",
            };
      current = current.with(path, entry);
    } else {
      const head = path.slice(0, slash);
      const list = nested.get(head) ?? [];
      list.push([path.slice(slash + 1), content]);
      nested.set(head, list);
    }
  }
  for (const [name, subEdits] of nested) {
    const existing = current.get(name);
    if (existing && existing.type !== "tree") throw new Error(`cannot write under ${prefix}${name}/: it is a file`);
    const oid = await editLevel(store, writer, existing?.oid ?? null, subEdits, `${prefix}${name}/`);
    current = current.with(name, oid === null ? null : { mode: "040000", path: name, oid, type: "tree" });
  }
  if (current.size === 0) return null;
  if (current === original && tree) return tree;
  return writer.writeTreeObject(current, tree ?? undefined);
}
