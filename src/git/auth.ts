import type { AuthCallback, AuthFailureCallback } from "isomorphic-git";
import { GitRepositoryError } from "./errors.ts";

/** HTTP credentials for a git remote. They come from the environment and are never written to git. */
export interface GitAuth {
  username: string;
  password: string;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export const DEFAULT_IDENTITY: GitIdentity = { name: "tollgate", email: "tollgate@localhost" };

/**
 * Reads remote credentials from the environment:
 * `TOLLGATE_GIT_TOKEN` (sent as the password, user `TOLLGATE_GIT_USERNAME` or `x-access-token`), or
 * `TOLLGATE_GIT_USERNAME` with `TOLLGATE_GIT_PASSWORD`. Returns undefined when none are set.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): GitAuth | undefined {
  const token = env.TOLLGATE_GIT_TOKEN;
  const username = env.TOLLGATE_GIT_USERNAME;
  const password = env.TOLLGATE_GIT_PASSWORD;
  if (token) return { username: username || "x-access-token", password: token };
  if (username && password !== undefined) return { username, password };
  if (username || password)
    throw new GitRepositoryError(
      "TOLLGATE_GIT_USERNAME and TOLLGATE_GIT_PASSWORD must be set together (or set TOLLGATE_GIT_TOKEN)",
    );
  return undefined;
}

/** Commit author and committer from `TOLLGATE_GIT_AUTHOR_NAME` / `TOLLGATE_GIT_AUTHOR_EMAIL`, else tollgate's default. */
export function identityFromEnv(env: NodeJS.ProcessEnv = process.env): GitIdentity {
  return {
    name: env.TOLLGATE_GIT_AUTHOR_NAME || DEFAULT_IDENTITY.name,
    email: env.TOLLGATE_GIT_AUTHOR_EMAIL || DEFAULT_IDENTITY.email,
  };
}

/** Refuses URLs with credentials in them: they would end up in .git/config and in logs. */
export function checkRemoteUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GitRepositoryError(`not a remote URL: "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new GitRepositoryError(`remote ${redactUrl(url)}: only http(s) remotes are supported`);
  }
  if (parsed.username || parsed.password) {
    throw new GitRepositoryError(
      `remote ${redactUrl(url)}: credentials in the URL are refused; set TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`,
    );
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

/** isomorphic-git callbacks: answer a 401 once with the credentials, then give up instead of looping. */
export function authCallbacks(auth: GitAuth | undefined): { onAuth: AuthCallback; onAuthFailure: AuthFailureCallback } {
  return {
    onAuth: () => (auth ? { username: auth.username, password: auth.password } : { cancel: true }),
    onAuthFailure: () => ({ cancel: true }),
  };
}
