import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";
import { LRUCache } from "lru-cache";
import { UserError } from "../model/index.ts";
import {
  abortText,
  BuiltinHost,
  COVERAGE_EXPORT,
  declaredBuiltins,
  type EvaluationContext,
  type NondeterministicRecord,
} from "../rego/index.ts";
import { buildBundle, type PolicyBundle, sha256 } from "./bundle.ts";
import type { PolicyCompileOptions } from "./compiler.ts";
import { type PolicySource, readPolicySources } from "./sources.ts";
import { DECISION_ENTRYPOINT, type PolicyDecision, type PolicyInput } from "./types.ts";

const PAGE_BYTES = 64 * 1024;
/** Default memory cap of one loaded policy: 32 MiB, far above what a decision needs. */
export const DEFAULT_MAX_MEMORY_PAGES = 512;

/** A policy failed at run time: a conflict, a builtin error, or its memory cap. */
export class PolicyEvaluationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "PolicyEvaluationError";
  }
}

export type { NondeterministicRecord };

/** The policy's builtins() names something this host does not implement: it cannot run here. */
export class PolicyLoadError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "PolicyLoadError";
  }
}

/** One bundle instantiated with the opa-wasm SDK, ready to evaluate any number of times. */
export class LoadedBundle {
  readonly digest: string;
  readonly entrypoints: readonly string[];
  /** The sources the bundle was compiled from (path and digest), as its manifest lists them. */
  readonly sources: readonly { path: string; digest: string }[];
  readonly #policy: LoadedPolicy;
  readonly #host: BuiltinHost;
  readonly #maxPages: number;
  readonly #lines: number;

  constructor(bundle: PolicyBundle, policy: LoadedPolicy, host: BuiltinHost, maxPages: number) {
    this.digest = bundle.manifest.digest;
    this.entrypoints = Object.keys(bundle.manifest.entrypoints);
    this.sources = bundle.manifest.sources;
    this.#policy = policy;
    this.#host = host;
    this.#maxPages = maxPages;
    this.#lines = bundle.coverage?.length ?? 0;
  }

  /**
   * The entrypoint's value for this input, or `undefined` when the rule is undefined. `context`
   * fixes the evaluation's clock (time.now_ns) and replays recorded non-deterministic results.
   */
  evaluate(entrypoint: string, input?: unknown, context: EvaluationContext = {}): unknown {
    if (!this.entrypoints.includes(entrypoint)) {
      throw new UserError(
        `entrypoint ${entrypoint} is not in policy bundle ${this.digest} (it has ${this.entrypoints.join(", ")})`,
      );
    }
    let resultSet: unknown;
    this.#host.begin(context);
    try {
      resultSet = this.#policy.evaluate(input, entrypoint);
    } catch (error) {
      throw this.#explain(entrypoint, error);
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
    return (resultSet[0] as { result: unknown }).result;
  }

  /**
   * Coverage builds: one byte per line of `bundle.coverage`, non-zero once a rule head or
   * expression on it was evaluated by any evaluation so far (undefined for other builds).
   */
  coverage(): Uint8Array | undefined {
    const instance =
      "instance" in this.#policy.wasmInstance ? this.#policy.wasmInstance.instance : this.#policy.wasmInstance;
    const address = instance.exports[COVERAGE_EXPORT] as { value: number } | undefined;
    if (!address || !this.#lines) return undefined;
    return new Uint8Array(this.#policy.mem.buffer, address.value, this.#lines).slice();
  }

  /** Results of rand.intn / uuid.rfc4122 in the last evaluation (to record with a decision). */
  nondeterministic(): NondeterministicRecord {
    return this.#host.recorded();
  }

  /**
   * The guardrails' decision for one input (see schemas/policy-input.schema.json). time.now_ns is
   * the input's `now.time`, so re-deriving a recorded decision gives the same answer.
   */
  decide(
    input: PolicyInput,
    nondeterministic?: NondeterministicRecord,
    print?: (line: string) => void,
  ): PolicyDecision {
    const decision = this.evaluate(DECISION_ENTRYPOINT, input, {
      nowNs: inputClock(input),
      ...(nondeterministic ? { nondeterministic } : {}),
      ...(print ? { print } : {}),
    });
    if (decision === undefined) {
      throw new PolicyEvaluationError(
        `${DECISION_ENTRYPOINT} is undefined for this input: does it follow schemas/policy-input.schema.json?`,
      );
    }
    return decision as PolicyDecision;
  }

  /** Replaces the `data` document the policy sees. */
  setData(data: object): void {
    try {
      this.#policy.setData(data);
    } catch (error) {
      throw this.#explain("setData", error);
    }
  }

  #explain(what: string, error: unknown): PolicyEvaluationError {
    const text = abortText(error);
    const capBytes = this.#maxPages * PAGE_BYTES;
    const atCap = this.#policy.mem.buffer.byteLength + PAGE_BYTES > capBytes;
    if (atCap || /out of memory|memory\.grow|Memory\.grow|Maximum memory/i.test(text)) {
      return new PolicyEvaluationError(
        `${what} exceeded the policy memory cap of ${capBytes / (1024 * 1024)} MiB (${this.#maxPages} pages of 64 KiB): ${text}`,
      );
    }
    return new PolicyEvaluationError(`${what} failed in policy bundle ${this.digest}: ${text}`);
  }
}

/** The decision's clock in nanoseconds since the epoch: `now.time` of the input (RFC 3339). */
function inputClock(input: PolicyInput): bigint | undefined {
  const text = input.now?.time;
  if (typeof text !== "string") return undefined;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (Number.isNaN(ms)) return undefined;
  const fraction = BigInt((m![2] ?? "").padEnd(9, "0").slice(0, 9) || "0");
  return BigInt(ms) * 1_000_000n + fraction;
}

export interface LoaderOptions {
  /** Memory cap per loaded policy in 64-KiB pages (default 512 = 32 MiB). */
  maxMemoryPages?: number;
}

/** Compiled bundles kept per loader (a reconciler sees a handful of policy versions; audit a few more). */
const MAX_CACHED_BUNDLES = 32;

/**
 * Builds policies once and evaluates them many times: the one compiled-policy cache. Bundles are
 * cached by bundle digest, and sources by the digest of their paths, texts and Rego versions, the
 * entrypoints asked for and the compile options, so compiling the same policies again costs a
 * hash, not a compile. A failed compile is not kept.
 */
export class PolicyLoader {
  readonly #maxPages: number;
  readonly #byDigest = new LRUCache<string, Promise<LoadedBundle>>({ max: MAX_CACHED_BUNDLES });
  readonly #bySources = new LRUCache<string, Promise<LoadedBundle>>({ max: MAX_CACHED_BUNDLES });

  constructor(options: LoaderOptions = {}) {
    this.#maxPages = options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES;
  }

  /** Instantiates a built bundle (once per bundle digest). */
  load(bundle: PolicyBundle): Promise<LoadedBundle> {
    return this.#once(this.#byDigest, bundle.manifest.digest, () => this.#instantiate(bundle));
  }

  /** Compiles `sources` into a bundle and instantiates it, once per distinct sources, entrypoints and options. */
  compile(
    sources: readonly PolicySource[],
    entrypoints: readonly string[] = [DECISION_ENTRYPOINT],
    pathPrefix = "",
    options: PolicyCompileOptions = {},
  ): Promise<LoadedBundle> {
    const key = sha256(
      JSON.stringify([
        sources.map((s) => [s.path, s.text, s.regoVersion]),
        [...entrypoints].sort(),
        pathPrefix,
        options.strictBuiltinErrors === true,
      ]),
    );
    return this.#once(this.#bySources, key, () =>
      Promise.resolve().then(() => this.load(buildBundle(sources, entrypoints, pathPrefix, options))),
    );
  }

  /** Compiles the policies of a folder (test files left out) and instantiates them, once. */
  async loadDirectory(
    dir: string,
    entrypoints: readonly string[] = [DECISION_ENTRYPOINT],
    pathPrefix = "",
    options: PolicyCompileOptions & { v0Compatible?: boolean } = {},
  ): Promise<LoadedBundle> {
    const sources = await readPolicySources(dir, { tests: false, v0Compatible: options.v0Compatible === true });
    const { v0Compatible: _, ...compileOptions } = options;
    return this.compile(sources, entrypoints, pathPrefix, compileOptions);
  }

  #once(
    cache: LRUCache<string, Promise<LoadedBundle>>,
    key: string,
    make: () => Promise<LoadedBundle>,
  ): Promise<LoadedBundle> {
    let loaded = cache.get(key);
    if (!loaded) {
      loaded = make();
      cache.set(key, loaded);
      loaded.catch(() => {
        if (cache.get(key) === loaded) cache.delete(key);
      });
    }
    return loaded;
  }

  async #instantiate(bundle: PolicyBundle): Promise<LoadedBundle> {
    const host = new BuiltinHost();
    const policy = await loadPolicy(bundle.wasm, { initial: 5, maximum: this.#maxPages }, host.functions);
    const instance = "instance" in policy.wasmInstance ? policy.wasmInstance.instance : policy.wasmInstance;
    const missing = host.missing(declaredBuiltins(instance, policy.mem));
    if (missing.length > 0) {
      throw new PolicyLoadError(
        `policy bundle ${bundle.manifest.digest} calls builtins this tollgate does not provide: ${missing.join(", ")}`,
      );
    }
    return new LoadedBundle(bundle, policy, host, this.#maxPages);
  }
}
