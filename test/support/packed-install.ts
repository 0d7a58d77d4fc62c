/**
 * tollgate as a user gets it: `npm pack` of this checkout (which builds dist/ and the Rego runtime),
 * then `npm install --omit=dev` of the tarball into an empty folder, offline from the npm cache.
 *
 * The folder gets a package-lock.json derived from this project's (the tarball plus the run-time
 * entries): npm then installs exactly the pinned versions from the cache, without asking the
 * registry for package metadata, which `npm ci` never caches.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "./tmp-repo.ts";

export interface PackedInstall {
  /** The folder tollgate was installed into (node_modules/tollgate, node_modules/.bin/tollgate). */
  readonly dir: string;
  /** node_modules/.bin/tollgate */
  readonly bin: string;
  /** node_modules/tollgate */
  readonly packageDir: string;
  /** Every path in the tarball, relative to the package root. */
  readonly packedFiles: readonly string[];
  /** Seconds spent packing and installing. */
  readonly packSeconds: number;
  readonly installSeconds: number;
  cleanup(): Promise<void>;
}

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 15 * 60_000, maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

export async function packAndInstall(): Promise<PackedInstall> {
  const root = await mkdtemp(join(tmpdir(), "tollgate-packed-"));
  try {
    const packDir = join(root, "pack");
    await mkdir(packDir);
    let started = performance.now();
    run("npm", ["pack", "--pack-destination", packDir, "--no-audit", "--no-fund"], PROJECT_ROOT);
    const packSeconds = (performance.now() - started) / 1000;
    const [tarballName] = (await readdir(packDir)).filter((f) => f.endsWith(".tgz"));
    if (!tarballName) throw new Error(`npm pack wrote no tarball to ${packDir}`);
    const packedFiles = run("tar", ["-tzf", join(packDir, tarballName)], root)
      .split("\n")
      .filter((line) => line.startsWith("package/") && !line.endsWith("/"))
      .map((line) => line.slice("package/".length))
      .sort();

    const dir = join(root, "app");
    await mkdir(dir);
    await copyFile(join(packDir, tarballName), join(dir, tarballName));
    const manifest = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    const lock = JSON.parse(await readFile(join(PROJECT_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockEntry>;
    };
    const spec = `file:${tarballName}`;
    const integrity = `sha512-${createHash("sha512")
      .update(await readFile(join(dir, tarballName)))
      .digest("base64")}`;
    const packages: Record<string, unknown> = {
      "": { dependencies: { tollgate: spec } },
      "node_modules/tollgate": {
        version: manifest.version,
        resolved: spec,
        integrity,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      },
    };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path.startsWith("node_modules/") && !entry.dev) packages[path] = entry;
    }
    const name = "tollgate-install-test";
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({ name, private: true, dependencies: { tollgate: spec } }),
    );
    await writeFile(
      join(dir, "package-lock.json"),
      JSON.stringify({ name, lockfileVersion: 3, requires: true, packages }),
    );
    started = performance.now();
    run("npm", ["install", "--omit=dev", "--offline", "--no-audit", "--no-fund"], dir);
    const installSeconds = (performance.now() - started) / 1000;

    return {
      dir,
      bin: join(dir, "node_modules", ".bin", "tollgate"),
      packageDir: join(dir, "node_modules", "tollgate"),
      packedFiles,
      packSeconds,
      installSeconds,
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
