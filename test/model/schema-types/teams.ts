// Generated from schemas/teams.schema.json by test/support/schema-types.ts: do not edit.

/**
 * teams.yaml at the repository root: who belongs to which team (and which team owns which service), so `team:<name>` entries of an environment's approvers admit approvals recorded in release files (a pull-request platform can also name an approver's teams to `tollgate check`).
 */
export interface Teams {
/**
 * Format version.
 */
apiVersion: "tollgate.dev/v1"
/**
 * File kind.
 */
kind: "Teams"
/**
 * Members by team name (the name without `team:`).
 */
teams: {
/**
 * The team's members, as they approve (the names `--approver` and release files use).
 * 
 * Items: A member.
 */
[k: string]: string[]
}
/**
 * Which team owns which service (by service name), for the dashboard's team filter; each must name a team of `teams`.
 */
owners?: {
/**
 * The owning team's name (without `team:`).
 */
[k: string]: string
}
}
