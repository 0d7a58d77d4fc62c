/**
 * Which Rego version each policy file is written in, as OPA decides it for a bundle: the
 * `--v0-compatible` default, overridden by the policy folder's OPA bundle `.manifest`
 * (`rego_version` for the folder, `file_rego_versions` globs for single files). A module that
 * imports `rego.v1` is v1 whatever this says (the compiler sees to that).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError, type InputProblem, parseYamlSource } from "../model/index.ts";
import type { RegoVersion } from "../rego/index.ts";

export const OPA_MANIFEST_FILE = ".manifest";

export interface RegoVersions {
  /** The version of files no glob names. */
  readonly default: RegoVersion;
  /** `file_rego_versions`, sorted by pattern (OPA's order): the first that matches wins. */
  readonly files: readonly { readonly pattern: string; readonly match: RegExp; readonly version: RegoVersion }[];
}

/** The version of a file (path relative to the policy folder, with `/`). */
export function regoVersionOf(versions: RegoVersions, path: string): RegoVersion {
  const rooted = `/${path}`;
  for (const f of versions.files) if (f.match.test(rooted) || f.match.test(path)) return f.version;
  return versions.default;
}

/** Reads `dir/.manifest` if there is one; `v0Compatible` is the default without it (OPA's flag). */
export async function readRegoVersions(dir: string, v0Compatible: boolean): Promise<RegoVersions> {
  const fallback: RegoVersion = v0Compatible ? "v0" : "v1";
  const file = join(dir, OPA_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { default: fallback, files: [] };
    throw error;
  }
  return parseRegoVersions(text, file, fallback);
}

export function parseRegoVersions(text: string, file: string, fallback: RegoVersion): RegoVersions {
  const source = parseYamlSource(text, file);
  const manifest = source.value;
  const problem = (path: (string | number)[], message: string): InputProblem => ({
    file,
    ...source.locate(path, "value"),
    field: `/${path.join("/")}`,
    message,
  });
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new InvalidInputError([{ file, line: 1, column: 1, message: "a bundle manifest must be a JSON object" }]);
  }
  const m = manifest as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const version = (value: unknown, path: (string | number)[]): RegoVersion | undefined => {
    if (value === 0) return "v0";
    if (value === 1) return "v1";
    problems.push(problem(path, `unknown Rego version ${JSON.stringify(value)}: must be 0 or 1`));
    return undefined;
  };
  let def = fallback;
  if (m.rego_version !== undefined) def = version(m.rego_version, ["rego_version"]) ?? fallback;
  const files: { pattern: string; match: RegExp; version: RegoVersion }[] = [];
  const globs = m.file_rego_versions;
  if (globs !== undefined) {
    if (typeof globs !== "object" || globs === null || Array.isArray(globs)) {
      problems.push(problem(["file_rego_versions"], "must be an object mapping file globs to 0 or 1"));
    } else {
      for (const pattern of Object.keys(globs).sort()) {
        const v = version((globs as Record<string, unknown>)[pattern], ["file_rego_versions", pattern]);
        if (v) files.push({ pattern, match: globToRegExp(pattern), version: v });
      }
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { default: def, files };
}

/**
 * OPA matches these globs without path separators: `*` and `**` match any characters, `/`
 * included; `?` one character; `[...]` a class (`[!...]` negated); `{a,b}` alternatives.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  let inAlternatives = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "\\" && i + 1 < pattern.length) out += escapeChar(pattern[++i]!);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        const body = pattern.slice(i + 1, end);
        out += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === "{") {
      inAlternatives = true;
      out += "(?:";
    } else if (c === "}" && inAlternatives) {
      inAlternatives = false;
      out += ")";
    } else if (c === "," && inAlternatives) out += "|";
    else out += escapeChar(c);
  }
  return new RegExp(`^${out}$`, "s");
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
