import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "./errors.ts";
import { MAX_YAML_BYTES } from "./yaml-source.ts";

export interface TreeEntry {
  name: string;
  kind: "file" | "dir" | "other";
}

/**
 * Read access to a repository tree: a folder on disk, or a git tree at some ref.
 * Paths are relative, `/`-separated, '' for the root.
 */
export interface TreeReader {
  /** The folder's entries sorted by name, or undefined when it does not exist. */
  list(path: string): Promise<TreeEntry[] | undefined>;
  /** A file's text; throws InvalidInputError for files over `MAX_YAML_BYTES`. */
  read(path: string): Promise<string>;
  /** How errors name the file, e.g. the path itself or `<ref>:<path>`. */
  display(path: string): string;
}

/** A TreeReader over a folder on disk. Symlinks are reported as "other" and never followed. */
export class DirectoryTree implements TreeReader {
  constructor(readonly root: string) {}

  async list(path: string): Promise<TreeEntry[] | undefined> {
    let names: string[];
    try {
      names = await readdir(join(this.root, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR")
        return undefined;
      throw error;
    }
    const entries: TreeEntry[] = [];
    for (const name of names.sort()) {
      const stat = await lstat(join(this.root, path, name));
      entries.push({ name, kind: stat.isFile() ? "file" : stat.isDirectory() ? "dir" : "other" });
    }
    return entries;
  }

  async read(path: string): Promise<string> {
    const full = join(this.root, path);
    const stat = await lstat(full);
    if (stat.size > MAX_YAML_BYTES) {
      throw new InvalidInputError([
        { file: this.display(path), message: `file is ${stat.size} bytes, over the ${MAX_YAML_BYTES}-byte limit` },
      ]);
    }
    return readFile(full, "utf8");
  }

  display(path: string): string {
    return path;
  }
}
