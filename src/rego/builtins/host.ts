/**
 * The host side of builtins: every builtin the runtime does not implement natively, as SDK
 * custom builtins (`loadPolicy(wasm, memory, host.functions)`). Compiled modules declare them in
 * builtins() as `tollgate.<name>` and pass their arguments in the runtime's tagged-JSON form
 * (see runtime/assembly/host.ts), so sets, object keys and numbers arrive exact.
 *
 * One BuiltinHost serves one loaded policy: `begin()` before each evaluation fixes that
 * evaluation's clock and its record of non-deterministic results (rand.intn, uuid.rfc4122), as
 * OPA caches them per query, so a decision can be re-derived byte for byte.
 */
import { BuiltinError } from "./errors.ts";
import { FAMILIES } from "./families.ts";
import { decode, encode, type Value } from "./value.ts";

/** Prefix of host builtin names in a module's builtins(). */
export const HOST_PREFIX = "tollgate.";

export function hostName(builtin: string): string {
  return `${HOST_PREFIX}${builtin}`;
}

/** Results of non-deterministic builtins for one evaluation, keyed by builtin and arguments. */
export type NondeterministicRecord = Record<string, Record<string, unknown>>;

export interface EvaluationContext {
  /** The evaluation's clock in nanoseconds since the epoch (time.now_ns). Default: the wall clock at begin(). */
  readonly nowNs?: bigint;
  /**
   * Results of rand.intn / uuid.rfc4122 to reuse (a recorded decision being re-derived). Calls not
   * in it get fresh values, which are added to `recorded()`.
   */
  readonly nondeterministic?: NondeterministicRecord;
  /** The value of opa.runtime() (default: an empty object). */
  readonly runtime?: Value;
  /** Receives the lines the policy's `print(...)` calls write (default: dropped). */
  readonly print?: (line: string) => void;
}

/** What a builtin implementation sees of the evaluation. */
export interface HostContext {
  readonly nowNs: bigint;
  readonly runtime: Value;
  /** The recorded result for (builtin, args), or a fresh one from `make` (then recorded). */
  nondeterministic(builtin: string, args: readonly Value[], make: () => Value): Value;
  /** Trace notes (trace builtin). */
  readonly notes: string[];
  /** Writes one line of `print` output. */
  print(line: string): void;
}

/**
 * A host builtin: arguments in, a value (or undefined) out; throws BuiltinError for OPA's errors.
 * With `exactNumbers`, every number not written as a plain integer arrives as its NumberText.
 */
export type BuiltinImpl = ((args: Value[], ctx: HostContext) => Value | undefined) & { exactNumbers?: boolean };

type SdkBuiltin = (argsText: string) => string | undefined;

export class BuiltinHost {
  /** For the SDK's `loadPolicy` custom builtins argument. */
  readonly functions: Readonly<Record<string, SdkBuiltin>>;
  #ctx: EvaluationState;

  constructor() {
    this.#ctx = new EvaluationState({});
    const functions: Record<string, SdkBuiltin> = {};
    for (const [name, impl] of Object.entries(FAMILIES)) {
      functions[hostName(name)] = (argsText) => this.#call(impl, argsText);
    }
    this.functions = functions;
  }

  /** Starts an evaluation: fixes its clock and non-deterministic results. */
  begin(context: EvaluationContext = {}): void {
    this.#ctx = new EvaluationState(context);
  }

  /** Non-deterministic results of the evaluation since begin() (to store with a decision). */
  recorded(): NondeterministicRecord {
    return this.#ctx.record;
  }

  /** Trace notes of the evaluation since begin(). */
  notes(): readonly string[] {
    return this.#ctx.notes;
  }

  /** Names of a module's builtins() that this host does not provide. */
  missing(declared: Iterable<string>): string[] {
    return [...declared].filter((name) => !(name in this.functions));
  }

  #call(impl: BuiltinImpl, argsText: string): string | undefined {
    try {
      const result = impl(decode(argsText, impl.exactNumbers) as Value[], this.#ctx);
      if (result === undefined) return undefined;
      const { text, tagged } = encode(result);
      return `${tagged ? "~" : "="}${text}`;
    } catch (error) {
      if (error instanceof BuiltinError) return `${error.halt ? "#" : "!"}${error.code}\n${error.message}`;
      // A bug in a builtin must not escape the SDK: it is a builtin error naming itself.
      const message = error instanceof Error ? error.message : String(error);
      return `!eval_builtin_error\ninternal error: ${message}`;
    }
  }
}

class EvaluationState implements HostContext {
  readonly nowNs: bigint;
  readonly runtime: Value;
  readonly record: NondeterministicRecord = {};
  readonly notes: string[] = [];
  readonly #given: NondeterministicRecord;

  readonly print: (line: string) => void;

  constructor(context: EvaluationContext) {
    this.nowNs = context.nowNs ?? BigInt(Date.now()) * 1_000_000n;
    this.runtime = context.runtime ?? {};
    this.#given = context.nondeterministic ?? {};
    this.print = context.print ?? (() => {});
  }

  nondeterministic(builtin: string, args: readonly Value[], make: () => Value): Value {
    const key = encode(args as Value[]).text;
    this.record[builtin] ??= {};
    const recorded = this.record[builtin];
    if (key in recorded) return recorded[key] as Value;
    const given = this.#given[builtin];
    const value = given && key in given ? (given[key] as Value) : make();
    recorded[key] = value;
    return value;
  }
}

/** The builtins() export of a module loaded by the SDK: the names it will call on the host. */
export function declaredBuiltins(instance: { exports: object }, memory: { buffer: ArrayBufferLike }): string[] {
  const exports = instance.exports as Record<string, (...args: number[]) => number>;
  const addr = exports.opa_json_dump!(exports.builtins!());
  const bytes = new Uint8Array(memory.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(addr, end))) as object);
}
