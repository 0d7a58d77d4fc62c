/**
 * A commit's signature as git stores it: a `gpgsig` header whose continuation lines start with a
 * space. What was signed is the commit object without that header (as `git verify-commit` reads it).
 */

export interface CommitSignature {
  /** The commit's bytes without the signature header: what the signature signs. */
  payload: Buffer;
  /** The armoured signature; undefined for an unsigned commit. */
  signature: string | undefined;
}

export function splitCommitSignature(raw: Buffer): CommitSignature {
  const text = raw.toString("latin1"); // byte for byte: the payload must be the exact bytes signed
  const headerEnd = text.indexOf("\n\n");
  const header = headerEnd === -1 ? text : text.slice(0, headerEnd + 1);
  const at = header.indexOf("\ngpgsig "); // a commit starts with its tree, never with a signature
  if (at === -1) return { payload: raw, signature: undefined };
  const start = at + 1;
  let end = header.indexOf("\n", start) + 1;
  while (end < header.length && header[end] === " ") end = header.indexOf("\n", end) + 1;
  const lines = header.slice(start + "gpgsig ".length, end).split("\n");
  const signature = Buffer.from(lines.map((l, i) => (i === 0 ? l : l.slice(1))).join("\n"), "latin1").toString("utf8");
  return { payload: Buffer.concat([raw.subarray(0, start), raw.subarray(end)]), signature };
}
