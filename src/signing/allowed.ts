/**
 * Who signers.yaml allows to sign what: its keys by role, each with the person or principals it
 * belongs to and where the file lists it (for messages that name the line).
 */
import {
  locateField,
  parseSignerKey,
  SIGNERS_FILE,
  type SignerKey,
  type Signers,
  type Teams,
  teamsOf,
} from "../model/index.ts";

/**
 * - `decisions`: tollgate's keys, for decision commits.
 * - `evalRunners`: keys whose DSSE-signed eval attestations count.
 * - `protected`: people admitted by `protectedChanges` (by name or team), for release and
 *   environment changes in protected environments and changes to signers.yaml and teams.yaml.
 * - `people`: every person listed, admitted or not (to say who made a signature that does not count).
 */
export type SignerRole = "decisions" | "evalRunners" | "protected" | "people";

export interface AllowedKey {
  /** The person (people), or the line's principals (decisions, eval runners). */
  who: string;
  key: SignerKey;
  /** `signers.yaml:12 (field people.alice[0])`. */
  where: string;
}

export const ROLE_NAMES: Record<SignerRole, string> = {
  decisions: "tollgate's decision keys (decisions)",
  evalRunners: "eval runners (evalRunners)",
  protected: "people who may sign protected changes (protectedChanges)",
  people: "people (people)",
};

const cache = new WeakMap<Signers, Map<string, AllowedKey[]>>();

/** The keys signers.yaml allows for `role`; teams.yaml resolves `team:` entries of protectedChanges. */
export function allowedKeys(signers: Signers, role: SignerRole, teams?: Teams): AllowedKey[] {
  const byRole = cache.get(signers) ?? new Map<string, AllowedKey[]>();
  cache.set(signers, byRole);
  const cacheKey = role === "protected" ? `${role}\0${JSON.stringify(teams?.teams ?? {})}` : role;
  const known = byRole.get(cacheKey);
  if (known) return known;
  const keys: AllowedKey[] = [];
  const add = (list: string[] | undefined, path: (string | number)[], person?: string) =>
    (list ?? []).forEach((text, i) => {
      const key = parseSignerKey(text);
      if ("problem" in key) return; // the file was validated: it cannot happen
      const located = locateField(signers, [...path, i]);
      const where = `${SIGNERS_FILE}${located.line !== undefined ? `:${located.line}` : ""} (field ${located.field})`;
      keys.push({ who: person ?? (key.format === "ssh" ? key.principals.join(",") : "OpenPGP key"), key, where });
    });
  if (role === "decisions") add(signers.decisions, ["decisions"]);
  else if (role === "evalRunners") add(signers.evalRunners, ["evalRunners"]);
  else {
    const admitted = signers.protectedChanges;
    for (const [person, list] of Object.entries(signers.people ?? {})) {
      const allowed =
        role === "people" ||
        admitted === undefined ||
        admitted.includes(person) ||
        teamsOf(teams, person).some((team) => admitted.includes(`team:${team}`));
      if (allowed) add(list, ["people", person], person);
    }
  }
  byRole.set(cacheKey, keys);
  return keys;
}
