/**
 * time.*: the evaluation's clock, Go's layouts (time.Parse / time.Format), durations, calendar
 * arithmetic, and time zones by IANA name (luxon over Node's ICU). Instants are nanoseconds since
 * the epoch within int64, as OPA's: outside that range is "time outside of valid range".
 */
import { IANAZone } from "luxon";
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { NumberText, type Value } from "../value.ts";

const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;
const NS_PER_SEC = 1_000_000_000n;

// ---------------------------------------------------------------- civil calendar (proleptic Gregorian)

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z0: number): [number, number, number] {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

// ---------------------------------------------------------------- zones

interface Zone {
  readonly name: string;
  /** Offset from UTC in seconds at the instant (unix seconds). */
  offset(unixSec: number): number;
  /** Abbreviation as Go prints it for MST. */
  abbreviation(unixSec: number): string;
}

const UTC: Zone = { name: "UTC", offset: () => 0, abbreviation: () => "UTC" };

function fixedZone(offset: number, name = ""): Zone {
  return { name, offset: () => offset, abbreviation: () => name || formatOffset(offset, "-0700", false) };
}

function zoneByName(name: string, builtin: string): Zone {
  if (name === "" || name === "UTC") return UTC;
  const iana = name === "Local" ? (Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC") : name;
  const zone = IANAZone.create(iana);
  if (!zone.isValid) throw builtinError(builtin, `unknown time zone ${name}`);
  return {
    name,
    offset: (s) => Math.round(zone.offset(s * 1000) * 60),
    abbreviation: (s) => {
      const short = zone.offsetName(s * 1000, { format: "short", locale: "en-US" }) ?? "";
      if (/^[A-Z]{3,5}$/.test(short)) return short;
      // zones without a common abbreviation: Go prints the offset, +04 or +0530
      const offset = Math.round(zone.offset(s * 1000) * 60);
      return formatOffset(offset, offset % 3600 === 0 ? "-07" : "-0700", false);
    },
  };
}

// ---------------------------------------------------------------- instants

/** An instant: whole seconds since the epoch and nanoseconds, in a zone. */
interface Instant {
  readonly sec: bigint;
  readonly nsec: number;
  readonly zone: Zone;
}

function fromNs(ns: bigint, zone: Zone): Instant {
  const sec = floorDiv(ns, NS_PER_SEC);
  return { sec, nsec: Number(ns - sec * NS_PER_SEC), zone };
}

function toNs(builtin: string, sec: bigint, nsec: number): bigint {
  const ns = sec * NS_PER_SEC + BigInt(nsec);
  if (ns < MIN_NS || ns > MAX_NS) throw builtinError(builtin, "time outside of valid range");
  return ns;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nsec: number;
  /** Day of week, 0 = Sunday. */
  weekday: number;
  yday: number;
  offset: number;
}

function civil(t: Instant): Civil {
  const offset = t.zone.offset(Number(t.sec));
  const local = t.sec + BigInt(offset);
  const days = Number(floorDiv(local, 86400n));
  const secOfDay = Number(local - BigInt(days) * 86400n);
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor(secOfDay / 60) % 60,
    second: secOfDay % 60,
    nsec: t.nsec,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    offset,
  };
}

/** Unix seconds of a local civil time in a zone (Go's time.Date, normalising overflowing fields). */
function unixOf(y: number, mo: number, d: number, h: number, mi: number, s: number, zone: Zone): bigint {
  const ym = y * 12 + (mo - 1);
  const year = Math.floor(ym / 12);
  const month = ym - year * 12 + 1;
  const local = BigInt(daysFromCivil(year, month, 1) + d - 1) * 86400n + BigInt(h * 3600 + mi * 60 + s);
  // the offset in force at that local time (checked once more, as Go does around transitions)
  let offset = zone.offset(Number(local));
  const adjusted = zone.offset(Number(local) - offset);
  if (adjusted !== offset) offset = adjusted;
  return local - BigInt(offset);
}

/** The instant argument of date/clock/weekday/format/diff: ns, or [ns, zone] / [ns, zone, layout]. */
function instantArg(builtin: string, v: Value, pos: number): { t: Instant; layout?: string } {
  let ns: Value = v;
  let zone = UTC;
  let layout: string | undefined;
  if (Array.isArray(v)) {
    if (v.length < 2 || v.length > 3) throw builtinError(builtin, "time must be an array of 2 or 3 elements");
    ns = v[0]!;
    if (typeof v[1] !== "string") throw operandTypeError(builtin, pos, "string", v[1]!);
    zone = zoneByName(v[1], builtin);
    if (v.length === 3) {
      if (typeof v[2] !== "string") throw operandTypeError(builtin, pos, "string", v[2]!);
      layout = v[2];
    }
  }
  return { t: fromNs(nsOf(builtin, ns, pos), zone), ...(layout !== undefined ? { layout } : {}) };
}

function nsOf(builtin: string, v: Value, pos: number): bigint {
  if (typeof v === "bigint") {
    if (v < MIN_NS || v > MAX_NS) throw builtinError(builtin, "timestamp too big");
    return v;
  }
  if (typeof v === "number") {
    if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 63) throw builtinError(builtin, "timestamp too big");
    return BigInt(Math.trunc(v));
  }
  if (v instanceof NumberText) throw builtinError(builtin, "timestamp too big");
  throw operandTypeError(builtin, pos, "number", v);
}

// ---------------------------------------------------------------- Go layouts

const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  Kitchen: "3:04PM",
  Stamp: "Jan _2 15:04:05",
  StampMilli: "Jan _2 15:04:05.000",
  StampMicro: "Jan _2 15:04:05.000000",
  StampNano: "Jan _2 15:04:05.000000000",
  DateTime: "2006-01-02 15:04:05",
  DateOnly: "2006-01-02",
  TimeOnly: "15:04:05",
  Layout: "01/02 03:04:05PM '06 -0700",
};

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Layout chunks, longest first where one is a prefix of another (as Go's nextStdChunk). */
const CHUNKS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "2006",
  "002",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "__2",
  "_2",
  "15",
  "1",
  "2",
  "3",
  "4",
  "5",
  "PM",
  "pm",
];

type Chunk = { lit: string } | { std: string } | { frac: number; trim: boolean };

export function layoutChunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = "";
  for (let i = 0; i < layout.length; ) {
    const c = layout[i]!;
    // fractional seconds: .000 / ,000 (fixed) or .999 (trimmed), after a digit chunk
    if ((c === "." || c === ",") && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
      const d = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === d) j++;
      if (!/\d/.test(layout[j] ?? "")) {
        if (lit) out.push({ lit });
        lit = "";
        out.push({ frac: j - i - 1, trim: d === "9" });
        i = j;
        continue;
      }
    }
    const chunk = CHUNKS.find((k) => layout.startsWith(k, i) && !(k === "Jan" && layout.startsWith("January", i)));
    // "Mon" must not be the start of "Monday" handled by order; "2006" before "2"; "01" etc.
    if (chunk) {
      if (lit) out.push({ lit });
      lit = "";
      out.push({ std: chunk });
      i += chunk.length;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

function pad(n: number, width: number, fill = "0"): string {
  const s = String(Math.abs(n));
  return (n < 0 ? "-" : "") + s.padStart(width, fill);
}

function formatOffset(offset: number, style: string, z: boolean): string {
  if (z && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = pad(Math.floor(a / 3600), 2);
  const m = pad(Math.floor(a / 60) % 60, 2);
  const s = pad(a % 60, 2);
  switch (style.replace(/^Z/, "-")) {
    case "-07":
      return sign + h;
    case "-0700":
      return sign + h + m;
    case "-07:00":
      return `${sign}${h}:${m}`;
    case "-070000":
      return sign + h + m + s;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

export function formatTime(t: Instant, layout: string): string {
  const c = civil(t);
  let out = "";
  for (const chunk of layoutChunks(NAMED_LAYOUTS[layout] ?? layout)) {
    if ("lit" in chunk) {
      out += chunk.lit;
      continue;
    }
    if ("frac" in chunk) {
      let digits = pad(c.nsec, 9).slice(0, chunk.frac);
      if (chunk.trim) digits = digits.replace(/0+$/, "");
      if (digits) out += `.${digits}`;
      continue;
    }
    const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
    switch (chunk.std) {
      case "January":
        out += MONTHS[c.month - 1];
        break;
      case "Jan":
        out += MONTHS[c.month - 1]!.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[c.weekday];
        break;
      case "Mon":
        out += DAYS[c.weekday]!.slice(0, 3);
        break;
      case "MST":
        out += t.zone.abbreviation(Number(t.sec));
        break;
      case "2006":
        out += pad(c.year, 4);
        break;
      case "06":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "002":
        out += pad(c.yday, 3);
        break;
      case "01":
        out += pad(c.month, 2);
        break;
      case "1":
        out += String(c.month);
        break;
      case "02":
        out += pad(c.day, 2);
        break;
      case "2":
        out += String(c.day);
        break;
      case "_2":
        out += pad(c.day, 2, " ");
        break;
      case "__2":
        out += pad(c.yday, 3, " ");
        break;
      case "15":
        out += pad(c.hour, 2);
        break;
      case "03":
        out += pad(h12, 2);
        break;
      case "3":
        out += String(h12);
        break;
      case "04":
        out += pad(c.minute, 2);
        break;
      case "4":
        out += String(c.minute);
        break;
      case "05":
        out += pad(c.second, 2);
        break;
      case "5":
        out += String(c.second);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      default:
        out += formatOffset(c.offset, chunk.std, chunk.std.startsWith("Z"));
    }
  }
  return out;
}

class ParseError extends Error {}

/** Go's time.Parse (zone offsets given in the value are kept; abbreviations are taken as UTC). */
export function parseTime(layoutName: string, value: string): { sec: bigint; nsec: number } {
  const layout = NAMED_LAYOUTS[layoutName] ?? layoutName;
  const fail = (what: string): never => {
    throw new ParseError(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(what)}`,
    );
  };
  let rest = value;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nsec = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  const num = (min: number, max: number, std: string): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) fail(std);
    rest = rest.slice(m![0].length);
    return Number(m![0]);
  };
  const chunks = layoutChunks(layout);
  for (let k = 0; k < chunks.length; k++) {
    const chunk = chunks[k]!;
    if ("lit" in chunk) {
      if (!rest.startsWith(chunk.lit)) fail(chunk.lit);
      rest = rest.slice(chunk.lit.length);
      continue;
    }
    if ("frac" in chunk) {
      const m = /^[.,](\d+)/.exec(rest);
      if (!m) {
        if (chunk.trim) continue;
        fail(`.${"0".repeat(chunk.frac)}`);
      }
      nsec = Number(m![1]!.padEnd(9, "0").slice(0, 9));
      rest = rest.slice(m![0].length);
      continue;
    }
    const std = chunk.std;
    switch (std) {
      case "2006":
        year = num(4, 4, std);
        break;
      case "06":
        year = num(2, 2, std);
        year += year >= 69 ? 1900 : 2000;
        break;
      case "January":
      case "Jan": {
        const i = MONTHS.findIndex((mo) =>
          rest.toLowerCase().startsWith((std === "Jan" ? mo.slice(0, 3) : mo).toLowerCase()),
        );
        if (i < 0) fail(std);
        rest = rest.slice(std === "Jan" ? 3 : MONTHS[i]!.length);
        month = i + 1;
        break;
      }
      case "Monday":
      case "Mon": {
        const i = DAYS.findIndex((d) =>
          rest.toLowerCase().startsWith((std === "Mon" ? d.slice(0, 3) : d).toLowerCase()),
        );
        if (i < 0) fail(std);
        rest = rest.slice(std === "Mon" ? 3 : DAYS[i]!.length);
        break;
      }
      case "01":
      case "1":
        month = num(std === "01" ? 2 : 1, 2, std);
        if (month < 1 || month > 12) throw new ParseError(`parsing time ${JSON.stringify(value)}: month out of range`);
        break;
      case "02":
      case "2":
      case "_2":
        if (std === "_2" && rest.startsWith(" ")) rest = rest.slice(1);
        day = num(std === "02" ? 2 : 1, 2, std);
        break;
      case "002":
      case "__2":
        num(std === "002" ? 3 : 1, 3, std);
        break;
      case "15":
        hour = num(1, 2, std);
        break;
      case "03":
      case "3":
        hour = num(std === "03" ? 2 : 1, 2, std);
        break;
      case "04":
      case "4":
        minute = num(std === "04" ? 2 : 1, 2, std);
        break;
      case "05":
      case "5": {
        second = num(std === "05" ? 2 : 1, 2, std);
        // a fraction the layout does not mention is accepted after the seconds
        const next = chunks[k + 1];
        const m = /^\.(\d+)/.exec(rest);
        if (m && !(next && "frac" in next)) {
          nsec = Number(m[1]!.padEnd(9, "0").slice(0, 9));
          rest = rest.slice(m[0].length);
        }
        break;
      }
      case "PM":
      case "pm": {
        const p = rest.slice(0, 2).toUpperCase();
        if (p !== "AM" && p !== "PM") fail(std);
        pm = p === "PM";
        rest = rest.slice(2);
        break;
      }
      case "MST": {
        const m = /^[A-Z]{3,5}(?:[+-]\d{1,2})?/.exec(rest);
        if (!m) fail(std);
        rest = rest.slice(m![0].length);
        break;
      }
      default: {
        if (std.startsWith("Z") && rest.startsWith("Z")) {
          rest = rest.slice(1);
          offset = 0;
          break;
        }
        const style = std.replace(/^Z/, "-");
        const re =
          style === "-07"
            ? /^([+-])(\d\d)/
            : style === "-0700"
              ? /^([+-])(\d\d)(\d\d)/
              : style === "-07:00"
                ? /^([+-])(\d\d):(\d\d)/
                : style === "-070000"
                  ? /^([+-])(\d\d)(\d\d)(\d\d)/
                  : /^([+-])(\d\d):(\d\d):(\d\d)/;
        const m = re.exec(rest);
        if (!m) fail(std);
        rest = rest.slice(m![0].length);
        offset = (m![1] === "-" ? -1 : 1) * (Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0));
      }
    }
  }
  if (rest !== "") throw new ParseError(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(rest)}`);
  if (pm !== undefined) {
    if (hour > 12) throw new ParseError(`parsing time ${JSON.stringify(value)}: hour out of range`);
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) {
    throw new ParseError(`parsing time ${JSON.stringify(value)}: day out of range`);
  }
  return { sec: unixOf(year, month, day, hour, minute, second, fixedZone(offset ?? 0)), nsec };
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

// ---------------------------------------------------------------- durations

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  h: 3600n * NS_PER_SEC,
};

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): bigint {
  const bad = (): never => {
    throw new ParseError(`time: invalid duration ${JSON.stringify(s)}`);
  };
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") bad();
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) bad();
    const unit = DURATION_UNITS[m![3]!];
    if (unit === undefined)
      throw new ParseError(`time: unknown unit ${JSON.stringify(m![3])} in duration ${JSON.stringify(s)}`);
    const frac = m![2] ?? "";
    total += BigInt(m![1] || "0") * unit + (BigInt(frac || "0") * unit) / 10n ** BigInt(frac.length);
    rest = rest.slice(m![0].length);
  }
  if (total > MAX_NS) throw new ParseError(`time: invalid duration ${JSON.stringify(s)}`);
  return neg ? -total : total;
}

// ---------------------------------------------------------------- builtins

const out = (ns: bigint): Value =>
  ns >= BigInt(Number.MIN_SAFE_INTEGER) && ns <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ns) : ns;

function parsed(builtin: string, fn: () => { sec: bigint; nsec: number }): Value {
  let r: { sec: bigint; nsec: number };
  try {
    r = fn();
  } catch (error) {
    if (error instanceof ParseError) throw builtinError(builtin, error.message);
    throw error;
  }
  return out(toNs(builtin, r.sec, r.nsec));
}

/** OPA's time.diff: calendar difference [years, months, days, hours, minutes, seconds]. */
function diff(a: Instant, b: Instant): number[] {
  let [x, y] = [a, b];
  if (x.sec > y.sec || (x.sec === y.sec && x.nsec > y.nsec)) [x, y] = [y, x];
  const c1 = civil({ ...x, zone: x.zone });
  const c2 = civil({ ...y, zone: x.zone });
  let years = c2.year - c1.year;
  let months = c2.month - c1.month;
  let days = c2.day - c1.day;
  let hours = c2.hour - c1.hour;
  let minutes = c2.minute - c1.minute;
  let seconds = c2.second - c1.second;
  if (seconds < 0) {
    seconds += 60;
    minutes--;
  }
  if (minutes < 0) {
    minutes += 60;
    hours--;
  }
  if (hours < 0) {
    hours += 24;
    days--;
  }
  if (days < 0) {
    days += daysIn(c1.month, c1.year);
    months--;
  }
  if (months < 0) {
    months += 12;
    years--;
  }
  return [years, months, days, hours, minutes, seconds];
}

export const TIME: Record<string, BuiltinImpl> = {
  /** The evaluation's clock (one value per evaluation; a recorded decision replays its own). */
  "time.now_ns": (_args, ctx) => out(ctx.nowNs),
  "time.parse_ns": (args) => {
    const ops = new Operands("time.parse_ns", args);
    const layout = ops.string(1);
    const value = ops.string(2);
    return parsed("time.parse_ns", () => parseTime(layout, value));
  },
  "time.parse_rfc3339_ns": (args) => {
    const value = new Operands("time.parse_rfc3339_ns", args).string(1);
    return parsed("time.parse_rfc3339_ns", () => parseTime("RFC3339", value));
  },
  "time.parse_duration_ns": (args) => {
    const value = new Operands("time.parse_duration_ns", args).string(1);
    try {
      return out(parseDuration(value));
    } catch (error) {
      if (error instanceof ParseError) throw builtinError("time.parse_duration_ns", error.message);
      throw error;
    }
  },
  "time.date": (args) => {
    const c = civil(instantArg("time.date", args[0]!, 1).t);
    return [c.year, c.month, c.day];
  },
  "time.clock": (args) => {
    const c = civil(instantArg("time.clock", args[0]!, 1).t);
    return [c.hour, c.minute, c.second];
  },
  "time.weekday": (args) => DAYS[civil(instantArg("time.weekday", args[0]!, 1).t).weekday]!,
  "time.format": (args) => {
    const { t, layout } = instantArg("time.format", args[0]!, 1);
    return formatTime(t, layout ?? "RFC3339Nano");
  },
  "time.add_date": (args) => {
    const name = "time.add_date";
    const ops = new Operands(name, args);
    const t = fromNs(nsOf(name, ops.any(1), 1), UTC);
    const [years, months, days] = [2, 3, 4].map((p) => Number(ops.integer(p)));
    const c = civil(t);
    const sec = unixOf(c.year + years!, c.month + months!, c.day + days!, c.hour, c.minute, c.second, UTC);
    return out(toNs(name, sec, t.nsec));
  },
  "time.diff": (args) => {
    const a = instantArg("time.diff", args[0]!, 1).t;
    const b = instantArg("time.diff", args[1]!, 2).t;
    return diff(a, b);
  },
};
