/**
 * signing: keys, signatures and envelopes, and verifying them against a repository's signers file.
 *
 * - Keys: loadSigningKey (an OpenSSH or PKCS#8 Ed25519 key, or an OpenPGP key, from a file or a
 *   mounted Kubernetes Secret; refused when others can read it) gives a Signer.
 * - SSH signatures (PROTOCOL.sshsig, namespace `git` for commits): signSshsig, parseSshsig,
 *   verifySshsig; public keys of type ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa.
 * - OpenPGP (openpgp.js): the alternative format for commits.
 * - DSSE envelopes (Ed25519) for in-toto attestations; signAttestation / verifyAttestation for the
 *   eval attestations of release files (an in-toto Statement signed by an eval runner).
 */
export {
  type AttestationVerification,
  EVAL_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  signAttestation,
  verifyAttestation,
} from "./attestation.ts";
export { type AllowedKey, allowedKeys, ROLE_NAMES, type SignerRole } from "./allowed.ts";
export { type DsseEnvelope, type EnvelopeVerdict, pae, signEnvelope, verifyEnvelope } from "./dsse.ts";
export { configuredSigner, type KeyFileOptions, loadSigningKey, SECRET_KEY_NAMES } from "./key-file.ts";
export { isOpenpgpSignature, readOpenpgpPublicKey, verifyOpenpgp } from "./openpgp.ts";
export { openpgpSigner, type Signer, sshSigner } from "./signer.ts";
export { fingerprintOf, parsePublicKeyBlob, type SshPublicKey } from "./ssh-keys.ts";
export { isSshSignature, parseSshsig, signSshsig, type SshSignature, verifySshsig } from "./sshsig.ts";
export { SshFormatError } from "./ssh-wire.ts";
export {
  describeKey,
  type SignatureState,
  type SignatureVerdict,
  sshKeyOf,
  verifyCommitSignature,
} from "./verify-commit.ts";
