import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { GitHttpRequest, HttpClient } from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";

/**
 * How long a git server may stay silent on an open request. Without a timeout of its own, a request
 * on a reused keep-alive socket inherits the server's keep-alive hint (5 s from many servers) and
 * fails with "Request timed out" while a busy server runs its receive hooks or indexes a pack.
 */
export const GIT_SERVER_SILENCE_LIMIT_MS = 120_000;

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** isomorphic-git's Node HTTP client, waiting up to GIT_SERVER_SILENCE_LIMIT_MS for a slow git server. */
export const gitHttp: HttpClient = {
  request: (request) =>
    nodeHttp.request({
      ...request,
      agent: request.agent ?? (request.url.startsWith("https:") ? agents.https : agents.http),
      fetchOptions: { ...fetchOptionsOf(request), timeout: GIT_SERVER_SILENCE_LIMIT_MS },
    } as GitHttpRequest),
};

function fetchOptionsOf(request: GitHttpRequest): Record<string, unknown> {
  return (request as { fetchOptions?: Record<string, unknown> }).fetchOptions ?? {};
}
