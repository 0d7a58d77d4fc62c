/**
 * Loading a signing key from a file, or from a Kubernetes Secret mounted as a folder (the key
 * `ssh-privatekey` of a `kubernetes.io/ssh-auth` Secret, or `openpgp-privatekey`).
 *
 * A key file anyone else can read is refused, as OpenSSH refuses one: a file of the user running
 * tollgate must give nothing to its group or others (0600 or 0400). A file owned by another user
 * (root, as kubelet mounts Secrets) may be readable by its group — with `fsGroup` that is how the
 * pod reads it — but never by others.
 */
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../model/index.ts";
import { isOpenpgpPrivateKey, readOpenpgpSigningKey } from "./openpgp.ts";
import { openpgpSigner, type Signer, sshSigner } from "./signer.ts";
import {
  isOpensshPrivateKey,
  isPkcs8PrivateKey,
  parseOpensshPrivateKey,
  parsePkcs8PrivateKey,
} from "./ssh-private-key.ts";

/** The file names looked for in a mounted Secret folder. */
export const SECRET_KEY_NAMES = ["ssh-privatekey", "openpgp-privatekey"] as const;

export interface KeyFileOptions {
  /** For a passphrase-protected OpenPGP key. */
  passphrase?: string;
  /** The user id of the process (tests pass another); default process.getuid(). */
  uid?: number;
}

export async function loadSigningKey(path: string, options: KeyFileOptions = {}): Promise<Signer> {
  const file = keyFileIn(path);
  checkPermissions(file, options.uid ?? process.getuid?.() ?? 0);
  const text = await readFile(file, "utf8");
  try {
    if (isOpensshPrivateKey(text)) return sshSigner(parseOpensshPrivateKey(text));
    if (isPkcs8PrivateKey(text)) return sshSigner(parsePkcs8PrivateKey(text));
    if (isOpenpgpPrivateKey(text)) return openpgpSigner(await readOpenpgpSigningKey(text, options.passphrase));
  } catch (error) {
    throw new UserError(`signing key ${file}: ${(error as Error).message}`);
  }
  const first = text.trimStart().split("\n")[0]?.slice(0, 60) ?? "";
  throw new UserError(
    `signing key ${file}: not a private key tollgate reads (an OpenSSH Ed25519 key from ssh-keygen -t ed25519, a PKCS#8 Ed25519 key, or an OpenPGP private key); it starts with "${first}"`,
  );
}

function keyFileIn(path: string): string {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new UserError(
      `signing key ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  if (!stat.isDirectory()) return path;
  for (const name of SECRET_KEY_NAMES) {
    const candidate = join(path, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  throw new UserError(
    `signing key ${path}: a folder (a mounted Secret?) without ${SECRET_KEY_NAMES.join(" or ")} in it`,
  );
}

function checkPermissions(file: string, uid: number): void {
  const stat = statSync(file); // follows symlinks: a mounted Secret's files are links into ..data/
  const mode = stat.mode & 0o777;
  const own = stat.uid === uid;
  const wider = own ? mode & 0o077 : mode & 0o027;
  if (wider === 0) return;
  const octal = mode.toString(8).padStart(4, "0");
  throw new UserError(
    own
      ? `signing key ${file}: permissions ${octal} let others than its owner read or change it; chmod 600 ${file}`
      : `signing key ${file}: permissions ${octal} let others read or change it (a key owned by another user may be readable by its group only); chmod o-rwx,g-wx ${file}`,
  );
}

/**
 * The signing key the environment configures: `path` (a command's `--signing-key`), else
 * TOLLGATE_SIGNING_KEY; TOLLGATE_SIGNING_KEY_PASSPHRASE unlocks an OpenPGP key. None: undefined.
 */
export async function configuredSigner(env: NodeJS.ProcessEnv, path?: string): Promise<Signer | undefined> {
  const file = path ?? env.TOLLGATE_SIGNING_KEY;
  if (!file) return undefined;
  const passphrase = env.TOLLGATE_SIGNING_KEY_PASSPHRASE;
  return loadSigningKey(file, passphrase !== undefined ? { passphrase } : {});
}
