/**
 * Parsed files by git blob id. A file's blob id names its exact bytes, so a file parsed and validated
 * once never needs it again: the reconciler reads the whole desired state at least twice a tick
 * (to decide, then to apply) and again every tick, while a tick changes a handful of files out of
 * thousands. Only trees that know their blob ids (GitTree) are cached; a folder on disk is read
 * afresh every time.
 *
 * Cached values are shared between loads, so they must be treated as read-only (every caller does:
 * a transition builds new objects). Only successful parses are kept: a problem names the file as
 * the tree displays it, which differs from commit to commit.
 */
import { LRUCache } from "lru-cache";
import type { TreeReader } from "./tree.ts";

/** A tree that can name the content of a file without reading it. */
export interface ContentAddressedTree extends TreeReader {
  blobId(path: string): Promise<string | undefined>;
}

export function isContentAddressed(tree: TreeReader): tree is ContentAddressedTree {
  return typeof (tree as Partial<ContentAddressedTree>).blobId === "function";
}

/** The least bound: three environments of a few thousand services each, with room for a tick's changes. */
export const DEFAULT_PARSE_CACHE_ENTRIES = 20_000;

/**
 * A bounded map (least recently used goes first) from (parser, blob id) to the parsed value. The
 * bound grows with the largest repository loaded (`makeRoom`): a least-recently-used cache read in
 * the same order every tick misses every time once the files outnumber it.
 */
export class ParseCache {
  #entries: LRUCache<string, NonNullable<unknown>>;
  readonly #kinds = new Map<(text: string, file: string) => unknown, number>();

  constructor(readonly maxEntries = DEFAULT_PARSE_CACHE_ENTRIES) {
    this.#entries = new LRUCache({ max: maxEntries });
  }

  /**
   * Room for a repository of `files` files twice over: its files, and a new version of each that a
   * tick writes, so the next load still finds every file it reads. Memory stays linear in the
   * largest repository loaded.
   */
  makeRoom(files: number): void {
    if (2 * files <= this.#entries.max) return;
    const grown = new LRUCache<string, NonNullable<unknown>>({ max: 2 * files });
    // Least recently used first, so the order of use carries over.
    for (const key of this.#entries.rkeys()) grown.set(key, this.#entries.peek(key)!);
    this.#entries = grown;
  }

  get bound(): number {
    return this.#entries.max;
  }

  /** `parse(text, file)` of the file at `path`, from the cache when the tree names its blob and it was parsed before. */
  async parse<T>(tree: TreeReader, path: string, parse: (text: string, file: string) => T): Promise<T> {
    const id = isContentAddressed(tree) ? await tree.blobId(path) : undefined;
    if (id === undefined) return parse(await tree.read(path), tree.display(path));
    const key = `${this.kindOf(parse)}:${id}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined) return cached as T;
    const value = parse(await tree.read(path), tree.display(path));
    if (value !== undefined && value !== null) this.#entries.set(key, value);
    return value;
  }

  /**
   * Records `value` as what `parse` gives for blob `id`: for a file tollgate wrote itself from a
   * value it validated, so that reading it back costs nothing.
   */
  seed<T>(id: string, parse: (text: string, file: string) => T, value: T): void {
    if (value !== undefined && value !== null) this.#entries.set(`${this.kindOf(parse)}:${id}`, value);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Each parser gets a number: the same bytes may be read as different kinds of file. */
  private kindOf(parse: (text: string, file: string) => unknown): number {
    let kind = this.#kinds.get(parse);
    if (kind === undefined) {
      kind = this.#kinds.size;
      this.#kinds.set(parse, kind);
    }
    return kind;
  }
}

/** The process-wide cache loadRepository uses by default. */
export const parseCache = new ParseCache();
