/**
 * uuid.parse, and the non-deterministic rand.intn and uuid.rfc4122: their results are fixed per
 * evaluation and arguments (as OPA caches them per query) and recorded, so that a decision can be
 * re-derived with the same values (HostContext.nondeterministic).
 */
import { randomInt, randomUUID } from "node:crypto";
import { Operands } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import type { Obj } from "../value.ts";

/**
 * The 32 hex digits of a UUID in one of the forms google/uuid's Parse accepts (OPA uses it):
 * 36 bytes with dashes, `urn:uuid:` (any case) before them, any one byte either side of them
 * (`{...}`, but google/uuid does not look at which), or 32 bare hex digits.
 */
function uuidHex(s: string): string | undefined {
  const bytes = Buffer.from(s, "utf8").toString("latin1");
  let body: string;
  if (bytes.length === 32) return /^[0-9a-f]{32}$/i.test(bytes) ? bytes : undefined;
  if (bytes.length === 36) body = bytes;
  else if (bytes.length === 45 && bytes.slice(0, 9).toLowerCase() === "urn:uuid:") body = bytes.slice(9);
  else if (bytes.length === 38) body = bytes.slice(1, 37);
  else return undefined;
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(body);
  return m ? m.slice(1).join("") : undefined;
}

const VARIANTS = [
  "Reserved, NCS backward compatibility",
  "RFC4122",
  "Reserved, Microsoft Corporation backward compatibility",
  "Reserved, reserved for future definition",
];

function parseUuid(s: string): Obj | undefined {
  const hex = uuidHex(s)?.toLowerCase();
  if (hex === undefined) return undefined;
  const bytes = Buffer.from(hex, "hex");
  const version = bytes[6]! >> 4;
  const v = bytes[8]!;
  const variant = v >> 7 === 0 ? 0 : v >> 6 === 2 ? 1 : v >> 5 === 6 ? 2 : 3;
  const out: Obj = { version, variant: VARIANTS[variant]! };
  if (version === 1 || version === 2) {
    const timeHi = BigInt(bytes.readUInt16BE(6) & 0x0fff);
    const timeMid = BigInt(bytes.readUInt16BE(4));
    const timeLow = BigInt(bytes.readUInt32BE(0));
    const ticks = (timeHi << 48n) | (timeMid << 32n) | timeLow; // 100 ns since 1582-10-15
    const ns = (ticks - 122192928000000000n) * 100n;
    out.time = ns >= BigInt(Number.MIN_SAFE_INTEGER) && ns <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ns) : ns;
    out.clocksequence = bytes.readUInt16BE(8) & 0x3fff;
    out.nodeid = [...bytes.subarray(10)].map((b) => b.toString(16).padStart(2, "0")).join("-");
    out.macvariables = `${bytes[10]! & 2 ? "local" : "global"}:${bytes[10]! & 1 ? "multicast" : "unicast"}`;
    if (version === 2) {
      out.id = bytes.readUInt32BE(0);
      out.domain = ["Person", "Group", "Org"][bytes[9]!] ?? `Domain${bytes[9]}`;
    }
  }
  return out;
}

export const IDS: Record<string, BuiltinImpl> = {
  "uuid.parse": ([s]) => (typeof s === "string" ? parseUuid(s) : undefined),
  "uuid.rfc4122": (args, ctx) => {
    new Operands("uuid.rfc4122", args).string(1);
    return ctx.nondeterministic("uuid.rfc4122", args, () => randomUUID());
  },
  "rand.intn": (args, ctx) => {
    const ops = new Operands("rand.intn", args);
    ops.string(1);
    const n = ops.integer(2);
    if (n === 0n) return 0;
    const bound = n < 0n ? -n : n;
    return ctx.nondeterministic("rand.intn", args, () =>
      bound > 2n ** 47n ? Number(bound - 1n) : randomInt(Number(bound)),
    );
  },
};
