/**
 * Records what reaches the disk in which order: every file opened (by path), every fsync of a file
 * or folder, every rename. From the record it tells which files would survive a power loss at a
 * given moment: a file survives when its content was synced before it was renamed into place and
 * its folder was synced after that (the rules of POSIX file systems such as ext4 and xfs).
 */
import { promises as fsp } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TestContext } from "node:test";

export type JournalEvent =
  | { op: "sync"; path: string }
  | { op: "rename"; from: string; to: string; contentSynced: boolean };

export interface FsyncJournal {
  events: JournalEvent[];
  /** Index of the first rename onto `path` (or onto a path `test` matches), or -1. */
  renameOnto(test: (path: string) => boolean, from?: number): number;
  /** Whether `path`, as last renamed into place before event `at`, survives a power loss at `at`. */
  survives(path: string, at: number): boolean;
}

export async function recordFsyncs(t: TestContext): Promise<FsyncJournal> {
  const events: JournalEvent[] = [];
  const pathOf = new WeakMap<object, string>();
  const syncedContent = new Set<string>();
  const open = fsp.open;
  const rename = fsp.rename;
  t.mock.method(fsp, "open", async (...args: Parameters<typeof open>) => {
    const handle = await open(...args);
    pathOf.set(handle, resolve(String(args[0])));
    return handle;
  });
  t.mock.method(fsp, "rename", async (from: string, to: string) => {
    await rename(from, to);
    const source = resolve(from);
    events.push({ op: "rename", from: source, to: resolve(to), contentSynced: syncedContent.has(source) });
  });
  const probe = await open(process.execPath, "r");
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const sync = proto.sync;
  t.mock.method(proto, "sync", async function (this: object) {
    await sync.call(this);
    const path = pathOf.get(this);
    if (path) {
      syncedContent.add(path);
      events.push({ op: "sync", path });
    }
  });
  return {
    events,
    renameOnto(test, from = 0) {
      return events.findIndex((e, i) => i >= from && e.op === "rename" && test(e.to));
    },
    survives(path, at) {
      const target = resolve(path);
      let renamed = -1;
      for (let i = 0; i < at; i++) {
        const e = events[i]!;
        if (e.op === "rename" && e.to === target) renamed = i;
      }
      if (renamed === -1) return false;
      const entry = events[renamed] as Extract<JournalEvent, { op: "rename" }>;
      if (!entry.contentSynced) return false;
      return events.slice(renamed + 1, at).some((e) => e.op === "sync" && e.path === dirname(target));
    },
  };
}
