/**
 * net.cidr_*: CIDR arithmetic with Go's net package semantics (IPv4 or IPv6, addresses as
 * bigints). DNS (net.lookup_ip_addr) is out of scope: it needs the network.
 */
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, makeSet, RegoObject, RegoSet, type Value } from "../value.ts";

interface Ip {
  readonly v6: boolean;
  readonly value: bigint;
}

interface Cidr {
  readonly v6: boolean;
  /** The network address (host bits cleared). */
  readonly base: bigint;
  readonly bits: number;
}

const width = (v6: boolean): number => (v6 ? 128 : 32);

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseIPv4(item);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(Number.parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let v = 0n;
  for (const g of [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail])
    v = (v << 16n) | BigInt(g);
  return v;
}

const V4_MAPPED = 0xffffn << 32n;

/** Go's net.ParseIP: IPv4, IPv6; IPv4-mapped IPv6 addresses are IPv4. */
export function parseIp(s: string): Ip | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v6: false, value: v6 & 0xffffffffn };
  return { v6: true, value: v6 };
}

/** Go's net.ParseCIDR. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(len)) return undefined;
  // an IPv4-mapped address written as IPv6 keeps the IPv6 prefix length
  const v6Text = s.slice(0, slash).includes(":");
  let bits = Number(len);
  if (bits > (v6Text ? 128 : 32)) return undefined;
  if (!ip.v6 && v6Text) {
    if (bits < 96) return { v6: true, base: mask(V4_MAPPED | ip.value, bits, 128), bits };
    bits -= 96;
  }
  return { v6: ip.v6, base: mask(ip.value, bits, width(ip.v6)), bits };
}

function mask(v: bigint, bits: number, w: number): bigint {
  const host = BigInt(w - bits);
  return (v >> host) << host;
}

function contains(net: Cidr, ip: Ip): boolean {
  return net.v6 === ip.v6 && mask(ip.value, net.bits, width(net.v6)) === net.base;
}

/** An address as Go writes it: dotted IPv4, or IPv6 with the longest zero run as "::". */
export function formatIp(v6: boolean, v: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 255n).toString()).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // the longest run of two or more zero groups becomes "::" (the first of equal runs)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function formatCidr(c: Cidr): string {
  return `${formatIp(c.v6, c.base)}/${c.bits}`;
}

function cidrOperand(name: string, ops: Operands, pos: number): Cidr {
  const s = ops.string(pos);
  const c = parseCidr(s);
  if (!c) throw builtinError(name, `invalid CIDR address: ${s}`);
  return c;
}

/** `a` contains `x`, an IP or a CIDR (OPA's cidr_contains). */
function containsIpOrCidr(name: string, a: Cidr, x: string): boolean {
  const ip = parseIp(x);
  if (ip) return contains(a, ip);
  const b = parseCidr(x);
  if (!b) throw builtinError(name, `invalid CIDR address: ${x}`);
  return a.bits <= b.bits && contains(a, { v6: b.v6, value: b.base });
}

const MAX_EXPAND = 1 << 20;

/** Merges CIDRs into the fewest covering CIDRs (exact cover). */
function merge(nets: Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  for (const v6 of [false, true]) {
    const w = width(v6);
    // intervals [start, end) sorted, overlapping ones joined
    const ranges = nets
      .filter((n) => n.v6 === v6)
      .map((n) => [n.base, n.base + (1n << BigInt(w - n.bits))] as [bigint, bigint])
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const joined: [bigint, bigint][] = [];
    for (const r of ranges) {
      const last = joined[joined.length - 1];
      if (last && r[0] <= last[1]) {
        if (r[1] > last[1]) last[1] = r[1];
      } else joined.push([r[0], r[1]]);
    }
    for (let [start, end] of joined) {
      while (start < end) {
        let bits = w;
        // the largest aligned block starting at `start` that fits
        while (bits > 0) {
          const size = 1n << BigInt(w - bits + 1);
          if (start % size !== 0n || start + size > end) break;
          bits--;
        }
        out.push({ v6, base: start, bits });
        start += 1n << BigInt(w - bits);
      }
    }
  }
  return out;
}

/** (key, cidr-or-ip string) items of a cidr_contains_matches operand. */
function matchItems(name: string, pos: number, v: Value): [Value, string][] {
  const item = (key: Value, x: Value): [Value, string] => {
    if (typeof x === "string") return [key, x];
    if (Array.isArray(x) && x.length > 0 && typeof x[0] === "string") return [key, x[0]];
    throw builtinError(name, `operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === "string") return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => item(i, x));
  if (v instanceof RegoSet) return v.items.map((x) => item(x, x));
  if (isObject(v)) return Object.entries(v).map(([k, x]) => item(k, x));
  if (v instanceof RegoObject) return v.entries.map(([k, x]) => item(k, x));
  throw operandTypeError(name, pos, "one of {string, array, set, object}", v);
}

export const NET: Record<string, BuiltinImpl> = {
  "net.cidr_contains": (args) => {
    const name = "net.cidr_contains";
    const ops = new Operands(name, args);
    const a = cidrOperand(name, ops, 1);
    return containsIpOrCidr(name, a, ops.string(2));
  },
  "net.cidr_overlap": (args) => {
    const name = "net.cidr_overlap";
    const ops = new Operands(name, args);
    const a = cidrOperand(name, ops, 1);
    const ip = parseIp(ops.string(2));
    if (!ip) throw builtinError(name, `invalid IP address: ${ops.string(2)}`);
    return contains(a, ip);
  },
  "net.cidr_intersects": (args) => {
    const name = "net.cidr_intersects";
    const ops = new Operands(name, args);
    const a = cidrOperand(name, ops, 1);
    const b = cidrOperand(name, ops, 2);
    return contains(a, { v6: b.v6, value: b.base }) || contains(b, { v6: a.v6, value: a.base });
  },
  "net.cidr_is_valid": ([s]) => typeof s === "string" && parseCidr(s) !== undefined,
  "net.cidr_expand": (args) => {
    const name = "net.cidr_expand";
    const ops = new Operands(name, args);
    const c = cidrOperand(name, ops, 1);
    const count = 1n << BigInt(width(c.v6) - c.bits);
    if (count > BigInt(MAX_EXPAND))
      throw builtinError(name, `${ops.string(1)} has ${count} addresses, more than ${MAX_EXPAND}`);
    const out: Value[] = [];
    for (let i = 0n; i < count; i++) out.push(formatIp(c.v6, c.base + i));
    return makeSet(out);
  },
  "net.cidr_merge": (args) => {
    const name = "net.cidr_merge";
    const ops = new Operands(name, args);
    const items = ops.collection(1, "one of {array, set}");
    const nets = items.map((x) => {
      if (typeof x !== "string") throw operandTypeError(name, 1, "string", x);
      const c = parseCidr(x);
      if (c) return c;
      const ip = parseIp(x);
      // a bare IPv4 address stands for its classful network, as Go's IP.DefaultMask
      const first = ip && !ip.v6 ? Number(ip.value >> 24n) : 256;
      const classful = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : undefined;
      if (ip && !ip.v6 && classful !== undefined)
        return { v6: false, base: mask(ip.value, classful, 32), bits: classful };
      if (ip) throw builtinError(name, "IPv6 invalid: needs prefix length");
      throw builtinError(name, `invalid IP address: ${x}`);
    });
    return makeSet(merge(nets).map(formatCidr));
  },
  "net.cidr_contains_matches": (args) => {
    const name = "net.cidr_contains_matches";
    const ops = new Operands(name, args);
    const nets = matchItems(name, 1, ops.any(1));
    const targets = matchItems(name, 2, ops.any(2));
    const out: Value[] = [];
    for (const [k1, cidr] of nets) {
      const a = parseCidr(cidr);
      if (!a) throw builtinError(name, `invalid CIDR address: ${cidr}`);
      for (const [k2, x] of targets) if (containsIpOrCidr(name, a, x)) out.push([k1, k2]);
    }
    return makeSet(out);
  },
};
