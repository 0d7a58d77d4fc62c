import { type Digest, UserError } from "../../model/index.ts";
import { type PolicyApproval, utcTime } from "../../policy/index.ts";

/** Environment variable a pull-request platform fills with the approvers' names, comma-separated. */
export const APPROVERS_ENV = "TOLLGATE_APPROVERS";

/** Someone who approved the pull request on its platform, with the teams the platform knows them in. */
export interface PlatformApprover {
  by: string;
  teams: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

/**
 * Approvers from `--approver` flags and TOLLGATE_APPROVERS. Each is `NAME` or `NAME:TEAM+TEAM`
 * (teams without the `team:` prefix), e.g. `carol:ml-platform+support-eng`.
 */
export function parseApprovers(flags: readonly string[], env: NodeJS.ProcessEnv): PlatformApprover[] {
  const fromEnv = (env[APPROVERS_ENV] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const byName = new Map<string, PlatformApprover>();
  const take = (text: string, where: string) => {
    const [by = "", teamText, ...rest] = text.trim().split(":");
    const teams = teamText === undefined ? [] : teamText.split("+");
    if (!NAME.test(by) || rest.length > 0 || teams.some((t) => !NAME.test(t))) {
      throw new UserError(
        `${where}: "${text}" is not an approver; expected NAME or NAME:TEAM+TEAM (letters, digits, . _ @ -)`,
      );
    }
    const known = byName.get(by);
    byName.set(by, { by, teams: [...new Set([...(known?.teams ?? []), ...teams])].sort() });
  };
  for (const f of flags) take(f, "--approver");
  for (const e of fromEnv) take(e, APPROVERS_ENV);
  return [...byName.values()].sort((a, b) => (a.by < b.by ? -1 : a.by > b.by ? 1 : 0));
}

/** A platform approval is an approval of the exact artifact the pull request proposes, given now. */
export function platformApprovals(approvers: readonly PlatformApprover[], digest: Digest, now: Date): PolicyApproval[] {
  return approvers.map((a) => ({
    by: a.by,
    ...(a.teams.length > 0 ? { teams: a.teams } : {}),
    at: utcTime(now),
    digest,
  }));
}
