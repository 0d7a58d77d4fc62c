/**
 * Publishes a batch of commits by sending the pack tollgate already wrote for them, over git's
 * smart HTTP receive-pack protocol (gitprotocol-http, gitprotocol-pack): a GET of the ref
 * advertisement, then one POST with the update command `<old> <new> <ref>` and the pack, answered by
 * a report-status. The server applies the update only if the ref still has the old value, so this
 * is the same compare-and-swap as pushWithLease, without isomorphic-git walking every tree of the
 * repository and re-encoding every object (ten seconds for a tick of 1,000 decisions).
 *
 * The pack must hold every object the new commits need that the remote lacks: a batch's pack does,
 * when its commits sit on the remote's head (all else they name comes from the head's trees).
 */
import git from "isomorphic-git";
import { redactUrl } from "./auth.ts";
import { GitRepositoryError, RemoteMovedError } from "./errors.ts";
import { gitHttp as http } from "./http-client.ts";
import { ZERO_OID } from "./refs.ts";
import { type GitRepository, remoteError } from "./repository.ts";

export type SendPackResult = "sent" | "unsupported";

/**
 * Moves the remote branch from `expectedRemote` (null: it must not exist) to `tip`, sending `pack`.
 * Throws RemoteMovedError when the remote is elsewhere, GitRepositoryError when the server refuses
 * for another reason. Returns "unsupported" (nothing sent) when the server lacks a capability this
 * needs; the caller then pushes another way.
 */
export async function sendPackWithLease(
  repo: GitRepository,
  expectedRemote: string | null,
  tip: string,
  pack: Uint8Array,
): Promise<SendPackResult> {
  const remote = repo.requireRemote();
  const ref = repo.branchRef;
  const base = remote.url.replace(/\/+$/, "");
  let headers: Record<string, string> = { "user-agent": "git/tollgate", ...(remote.headers ?? {}) };

  let advertised = await request(`${base}/info/refs?service=git-receive-pack`, "GET", headers);
  if (advertised.statusCode === 401 && remote.auth) {
    headers = {
      ...headers,
      authorization: `Basic ${Buffer.from(`${remote.auth.username}:${remote.auth.password}`).toString("base64")}`,
    };
    advertised = await request(`${base}/info/refs?service=git-receive-pack`, "GET", headers);
  }
  checkStatus(advertised.statusCode, remote.url, remote.auth !== undefined);
  const { refs, capabilities } = parseAdvertisement(advertised.body, remote.url);
  if (!capabilities.has("report-status") || !capabilities.has("ofs-delta")) return "unsupported";
  const current = refs.get(ref) ?? null;
  if (current !== expectedRemote) throw new RemoteMovedError(ref, expectedRemote, current);

  const command = pktLine(`${expectedRemote ?? ZERO_OID} ${tip} ${ref}\0report-status\n`);
  const response = await request(
    `${base}/git-receive-pack`,
    "POST",
    {
      ...headers,
      "content-type": "application/x-git-receive-pack-request",
      accept: "application/x-git-receive-pack-result",
    },
    [command, Buffer.from("0000"), pack],
  );
  checkStatus(response.statusCode, remote.url, remote.auth !== undefined);
  const report = parseReport(response.body, remote.url);
  if (report.unpack !== "ok")
    throw new GitRepositoryError(
      `push to ${redactUrl(remote.url)}: the server could not store the pack: ${report.unpack}`,
    );
  const status = report.refs.get(ref);
  if (status === undefined)
    throw new GitRepositoryError(`push to ${redactUrl(remote.url)}: the server did not report on ${ref}`);
  // A pack the server finds incomplete is a fault here, not a race: deciding again would not help.
  if (/missing necessary objects|unpacker error/.test(status))
    throw new GitRepositoryError(`push to ${redactUrl(remote.url)} refused: ${status}`);
  if (status !== "ok") throw new RemoteMovedError(ref, expectedRemote, null, status);
  await git.writeRef({ fs: repo.fs, gitdir: repo.gitdir, ref: repo.trackingRef!, value: tip, force: true });
  return "sent";
}

async function request(
  url: string,
  method: "GET" | "POST",
  headers: Record<string, string>,
  body?: Uint8Array[],
): Promise<{ statusCode: number; body: Buffer }> {
  try {
    const response = await http.request({
      url,
      method,
      headers,
      ...(body ? { body: body as unknown as AsyncIterableIterator<Uint8Array> } : {}),
    });
    const chunks: Uint8Array[] = [];
    if (response.body) for await (const chunk of response.body) chunks.push(chunk);
    return { statusCode: response.statusCode, body: Buffer.concat(chunks) };
  } catch (error) {
    throw remoteError(error, url, "push to", false);
  }
}

function checkStatus(statusCode: number, url: string, hadCredentials: boolean): void {
  if (statusCode === 200) return;
  if (statusCode === 401 || statusCode === 403) {
    throw new GitRepositoryError(
      hadCredentials
        ? `cannot push to ${redactUrl(url)}: authentication failed (HTTP ${statusCode}); check TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`
        : `cannot push to ${redactUrl(url)}: authentication required; set TOLLGATE_GIT_TOKEN or TOLLGATE_GIT_USERNAME/TOLLGATE_GIT_PASSWORD`,
    );
  }
  throw new GitRepositoryError(`cannot push to ${redactUrl(url)}: HTTP ${statusCode}`);
}

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, "0")), payload]);
}

/** The payloads of a run of pkt-lines (a flush-pkt reads as null). */
function* pktLines(data: Buffer, url: string): Generator<Buffer | null> {
  let at = 0;
  while (at < data.length) {
    const length = Number.parseInt(data.toString("latin1", at, at + 4), 16);
    if (Number.isNaN(length) || (length !== 0 && length < 4) || at + Math.max(length, 4) > data.length) {
      throw new GitRepositoryError(`push to ${redactUrl(url)}: the server's answer is not in git's pkt-line format`);
    }
    yield length === 0 ? null : data.subarray(at + 4, at + length);
    at += length === 0 ? 4 : length;
  }
}

/** `# service=git-receive-pack`, a flush, then `<oid> <ref>` lines, the first with `\0<capabilities>`. */
function parseAdvertisement(data: Buffer, url: string): { refs: Map<string, string>; capabilities: Set<string> } {
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  let first = true;
  for (const line of pktLines(data, url)) {
    if (line === null) continue;
    const text = line.toString("utf8").replace(/\n$/, "");
    if (text.startsWith("# service=")) continue;
    const nul = text.indexOf("\0");
    const head = nul === -1 ? text : text.slice(0, nul);
    if (first && nul !== -1)
      capabilities = new Set(
        text
          .slice(nul + 1)
          .split(" ")
          .filter(Boolean),
      );
    first = false;
    const [oid, name] = head.split(" ");
    if (oid && name && name !== "capabilities^{}") refs.set(name, oid);
  }
  return { refs, capabilities };
}

/** report-status: `unpack ok` (or the error), then `ok <ref>` or `ng <ref> <reason>` per ref. */
function parseReport(data: Buffer, url: string): { unpack: string; refs: Map<string, string> } {
  let unpack = "no report";
  const refs = new Map<string, string>();
  for (const line of pktLines(data, url)) {
    if (line === null) continue;
    const text = line.toString("utf8").replace(/\n$/, "");
    if (text.startsWith("unpack ")) unpack = text.slice("unpack ".length);
    else if (text.startsWith("ok ")) refs.set(text.slice(3), "ok");
    else if (text.startsWith("ng ")) {
      const [ref, ...reason] = text.slice(3).split(" ");
      refs.set(ref!, reason.join(" ") || "rejected");
    }
  }
  return { unpack, refs };
}
