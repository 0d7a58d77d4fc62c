import { Command } from "commander";
import {
  type Artifact,
  artifactDigest,
  definitionProblems,
  InvalidInputError,
  parseYamlSource,
  UserError,
} from "../model/index.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";
import { readNamedFile } from "./files.ts";

const RELEASE_FILE = "a release file (environments/<env>/releases/<service>.yaml)";

/** `tollgate digest FILE`: the digest a release file's artifact parts hash to. */
export function digestCommand(ctx: CommandContext): Command {
  return new Command("digest")
    .description("print the artifact digest that a release file's five parts hash to, to fill in or check `digest`")
    .argument("<file>", "a release file (environments/<env>/releases/<service>.yaml)")
    .action(async (file: string) => {
      const source = parseYamlSource(await readNamedFile(ctx.cwd, file, RELEASE_FILE), file);
      const doc = source.value as Record<string, Partial<Artifact> | undefined>;
      if (!doc || typeof doc !== "object" || (doc.artifact === undefined && doc.lastGood === undefined))
        throw new UserError(`${file} has neither artifact nor lastGood: expected ${RELEASE_FILE}`);
      for (const key of ["artifact", "lastGood"]) {
        const artifact = doc[key];
        if (artifact === undefined) continue;
        const stated = artifact.digest;
        // The digest may be missing or stale: check the parts with a placeholder in its place.
        const problems = definitionProblems(
          "common.schema.json#/$defs/artifact",
          { ...source, value: { ...doc, [key]: { ...artifact, digest: `sha256:${"0".repeat(64)}` } } },
          [key],
        );
        if (problems.length > 0) throw new InvalidInputError(problems);
        const digest = artifactDigest(artifact as Artifact);
        const note =
          stated === undefined ? "(no digest stated)" : stated === digest ? "(matches)" : `(file says ${stated})`;
        ctx.out(`${key}: ${digest} ${note}`);
      }
      ctx.exitCode = EXIT_OK;
    });
}
