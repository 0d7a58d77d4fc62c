/** crypto.* hashes and HMACs (node:crypto): lowercase hex of the digest. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";

const hash =
  (algorithm: string): BuiltinImpl =>
  (args) =>
    createHash(algorithm)
      .update(new Operands(`crypto.${algorithm}`, args).string(1), "utf8")
      .digest("hex");

const hmac =
  (algorithm: string): BuiltinImpl =>
  (args) => {
    const ops = new Operands(`crypto.hmac.${algorithm}`, args);
    const message = ops.string(1);
    return createHmac(algorithm, ops.string(2)).update(message, "utf8").digest("hex");
  };

export const CRYPTO: Record<string, BuiltinImpl> = {
  "crypto.md5": hash("md5"),
  "crypto.sha1": hash("sha1"),
  "crypto.sha256": hash("sha256"),
  "crypto.hmac.md5": hmac("md5"),
  "crypto.hmac.sha1": hmac("sha1"),
  "crypto.hmac.sha256": hmac("sha256"),
  "crypto.hmac.sha512": hmac("sha512"),
  /** Constant-time comparison of two MACs. */
  "crypto.hmac.equal": (args) => {
    const ops = new Operands("crypto.hmac.equal", args);
    const a = Buffer.from(ops.string(1), "utf8");
    const b = Buffer.from(ops.string(2), "utf8");
    return a.length === b.length && timingSafeEqual(a, b);
  },
};
