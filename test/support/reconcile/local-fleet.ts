/** A fleet repository on disk with no remote: for reconciler tests that need no network. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gitCli } from "../git-http/repos.ts";
import { tempDir } from "../tmp-repo.ts";
import { FLEET_ENV, type FleetOptions, writeFleet, writeReleases } from "./fleet.ts";

export interface LocalFleet {
  /** A git work tree on branch main. */
  dir: string;
  /** A person proposes `version` of these services (commit on main). */
  propose(services: readonly string[], version: number, environment?: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** The fleet committed to a fresh repository; `extraFiles` (path → text) are committed with it. */
export async function localFleet(options: FleetOptions, extraFiles: Record<string, string> = {}): Promise<LocalFleet> {
  const temp = await tempDir("tollgate-fleet-");
  await writeFleet(temp.dir, options);
  for (const [path, text] of Object.entries(extraFiles)) await writeFile(join(temp.dir, path), text);
  gitCli(temp.dir, "init", "-q", "-b", "main");
  gitCli(temp.dir, "add", "-A");
  gitCli(temp.dir, "commit", "-q", "-m", "Seed the desired state");
  return {
    dir: temp.dir,
    propose: async (services, version, environment = FLEET_ENV) => {
      await writeReleases(temp.dir, services, version, environment);
      gitCli(
        temp.dir,
        "commit",
        "-q",
        "-a",
        "-m",
        `Release version ${version} of ${services.join(", ")} to ${environment}`,
      );
    },
    cleanup: temp.cleanup,
  };
}
