/**
 * Every builtin function the compiler knows: its Rego name, its arity (number of inputs), and
 * whether it is relational (returns the collection of its solutions, e.g. `walk`) or void
 * (`print`). The frontend uses this to resolve calls, check arity and plan relational calls;
 * the backend decides which builtins run natively and which go to the host (`opa_builtinN`).
 *
 * `outOfScope` names the builtins tollgate deliberately does not provide: only the two that need
 * the network. Calling one is a compile error naming it and the reason; the conformance harness
 * skips cases that call one.
 */

export interface BuiltinInfo {
  readonly name: string;
  /** Number of inputs. A call may pass one more argument: the output (relational form). */
  readonly arity: number;
  /** Relational builtins produce several solutions; the planner iterates the returned collection. */
  readonly relation?: boolean;
  /** Void builtins produce no value (`print`); calls are always defined. */
  readonly void?: boolean;
  /** Variadic builtins take any number of inputs (`print`). */
  readonly variadic?: boolean;
  /** Not an OPA builtin: a helper the compiler's rewrites call (left out of capabilities). */
  readonly helper?: boolean;
  /** Why tollgate does not implement this builtin (absent: in scope). */
  readonly outOfScope?: string;
}

const NETWORK = "network access";

/** [name, arity, flags...] rows; flags: "relation", "void", "variadic", or an out-of-scope reason via OUT. */
type Row = readonly [name: string, arity: number, extra?: Partial<Omit<BuiltinInfo, "name" | "arity">>];

const ROWS: readonly Row[] = [
  // comparison (also the infix operators == != < <= > >=)
  ["equal", 2],
  ["neq", 2],
  ["lt", 2],
  ["lte", 2],
  ["gt", 2],
  ["gte", 2],
  // arithmetic (+ - * / %) and numbers
  ["plus", 2],
  ["minus", 2],
  ["mul", 2],
  ["div", 2],
  ["rem", 2],
  ["abs", 1],
  ["round", 1],
  ["ceil", 1],
  ["floor", 1],
  ["numbers.range", 2],
  ["numbers.range_step", 3],
  ["rand.intn", 2],
  ["bits.or", 2],
  ["bits.and", 2],
  ["bits.xor", 2],
  ["bits.negate", 1],
  ["bits.lsh", 2],
  ["bits.rsh", 2],
  // aggregates
  ["count", 1],
  ["sum", 1],
  ["product", 1],
  ["max", 1],
  ["min", 1],
  ["sort", 1],
  ["any", 1],
  ["all", 1],
  // arrays
  ["array.concat", 2],
  ["array.slice", 3],
  ["array.reverse", 1],
  ["array.flatten", 1],
  // sets (also the infix operators & |)
  ["and", 2],
  ["or", 2],
  ["intersection", 1],
  ["union", 1],
  ["set_diff", 2],
  // objects
  ["object.get", 3],
  ["object.keys", 1],
  ["object.remove", 2],
  ["object.filter", 2],
  ["object.union", 2],
  ["object.union_n", 1],
  ["object.subset", 2],
  ["json.filter", 2],
  ["json.remove", 2],
  ["json.patch", 2],
  // strings
  ["concat", 2],
  ["contains", 2],
  ["endswith", 2],
  ["startswith", 2],
  ["format_int", 2],
  ["indexof", 2],
  ["indexof_n", 2],
  ["lower", 1],
  ["upper", 1],
  ["replace", 3],
  ["split", 2],
  ["sprintf", 2],
  ["substring", 3],
  ["trim", 2],
  ["trim_left", 2],
  ["trim_right", 2],
  ["trim_prefix", 2],
  ["trim_suffix", 2],
  ["trim_space", 1],
  ["strings.replace_n", 2],
  ["strings.reverse", 1],
  ["strings.any_prefix_match", 2],
  ["strings.any_suffix_match", 2],
  ["strings.count", 2],
  ["strings.render_template", 2],
  ["strings.split_n", 3],
  // regular expressions and globs
  ["regex.match", 2],
  ["re_match", 2],
  ["regex.is_valid", 1],
  ["regex.split", 2],
  ["regex.find_n", 3],
  ["regex.find_all_string_submatch_n", 3],
  ["regex.replace", 3],
  ["regex.template_match", 4],
  ["regex.globs_match", 2],
  ["glob.match", 3],
  ["glob.quote_meta", 1],
  // units
  ["units.parse", 1],
  ["units.parse_bytes", 1],
  // types
  ["is_number", 1],
  ["is_string", 1],
  ["is_boolean", 1],
  ["is_array", 1],
  ["is_set", 1],
  ["is_object", 1],
  ["is_null", 1],
  ["type_name", 1],
  // conversions
  ["to_number", 1],
  ["cast_array", 1],
  ["cast_set", 1],
  ["cast_string", 1],
  ["cast_boolean", 1],
  ["cast_null", 1],
  ["cast_object", 1],
  // encodings
  ["base64.encode", 1],
  ["base64.decode", 1],
  ["base64.is_valid", 1],
  ["base64url.encode", 1],
  ["base64url.encode_no_pad", 1],
  ["base64url.decode", 1],
  ["urlquery.encode", 1],
  ["urlquery.decode", 1],
  ["urlquery.encode_object", 1],
  ["urlquery.decode_object", 1],
  ["json.marshal", 1],
  ["json.marshal_with_options", 2],
  ["json.unmarshal", 1],
  ["json.is_valid", 1],
  ["json.verify_schema", 1],
  ["json.match_schema", 2],
  ["yaml.marshal", 1],
  ["yaml.unmarshal", 1],
  ["yaml.is_valid", 1],
  ["hex.encode", 1],
  ["hex.decode", 1],
  // GraphQL
  ["graphql.is_valid", 2],
  ["graphql.parse", 2],
  ["graphql.parse_and_verify", 2],
  ["graphql.parse_query", 1],
  ["graphql.parse_schema", 1],
  ["graphql.schema_is_valid", 1],
  // URIs
  ["uri.is_valid", 1],
  ["uri.parse", 1],
  // graphs
  ["walk", 1, { relation: true }],
  ["graph.reachable", 2],
  ["graph.reachable_paths", 2],
  // semantic versions, identifiers
  ["semver.is_valid", 1],
  ["semver.compare", 2],
  ["uuid.parse", 1],
  ["uuid.rfc4122", 1],
  // networks (pure CIDR arithmetic is in scope; DNS is not)
  ["net.cidr_contains", 2],
  ["net.cidr_intersects", 2],
  ["net.cidr_overlap", 2],
  ["net.cidr_contains_matches", 2],
  ["net.cidr_expand", 1],
  ["net.cidr_merge", 1],
  ["net.cidr_is_valid", 1],
  ["net.lookup_ip_addr", 1, { outOfScope: NETWORK }],
  ["http.send", 1, { outOfScope: NETWORK }],
  // request signing (AWS SigV4: hashing only, no network)
  ["providers.aws.sign_req", 3],
  // time
  ["time.now_ns", 0],
  ["time.parse_ns", 2],
  ["time.parse_rfc3339_ns", 1],
  ["time.parse_duration_ns", 1],
  ["time.date", 1],
  ["time.clock", 1],
  ["time.weekday", 1],
  ["time.add_date", 4],
  ["time.diff", 2],
  ["time.format", 1],
  // cryptography and tokens
  ["crypto.md5", 1],
  ["crypto.sha1", 1],
  ["crypto.sha256", 1],
  ["crypto.hmac.md5", 2],
  ["crypto.hmac.sha1", 2],
  ["crypto.hmac.sha256", 2],
  ["crypto.hmac.sha512", 2],
  ["crypto.hmac.equal", 2],
  ["crypto.x509.parse_certificates", 1],
  ["crypto.x509.parse_and_verify_certificates", 1],
  ["crypto.x509.parse_and_verify_certificates_with_options", 2],
  ["crypto.x509.parse_certificate_request", 1],
  ["crypto.x509.parse_keypair", 2],
  ["crypto.x509.parse_rsa_private_key", 1],
  ["crypto.parse_private_keys", 1],
  ["io.jwt.decode", 1],
  ["io.jwt.decode_verify", 2],
  ["io.jwt.encode_sign", 3],
  ["io.jwt.encode_sign_raw", 3],
  ...[
    "rs256",
    "rs384",
    "rs512",
    "ps256",
    "ps384",
    "ps512",
    "es256",
    "es384",
    "es512",
    "hs256",
    "hs384",
    "hs512",
    "eddsa",
  ].map((alg): Row => [`io.jwt.verify_${alg}`, 2]),
  // Rego and runtime introspection
  ["rego.parse_module", 2],
  ["rego.metadata.chain", 0],
  ["rego.metadata.rule", 0],
  ["opa.runtime", 0],
  ["trace", 1],
  ["print", 0, { void: true, variadic: true }],
  // membership (the `in` operator)
  ["internal.member_2", 2],
  ["internal.member_3", 3],
  // template strings `$"..."` and the lines of a `print` (both rewritten by the parser/compiler)
  ["internal.template_string", 1],
  ["internal.print_lines", 1, { helper: true }],
  ["internal.print", 1, { void: true }],
];

const CATALOG: ReadonlyMap<string, BuiltinInfo> = new Map(
  ROWS.map(([name, arity, extra]) => [name, { name, arity, ...extra }]),
);

/** The builtin with this Rego name, if any. */
export function lookupBuiltin(name: string): BuiltinInfo | undefined {
  return CATALOG.get(name);
}

/** All builtins, sorted by name. */
export function allBuiltins(): BuiltinInfo[] {
  return [...CATALOG.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Names that are namespaces of builtins (`object`, `strings`, `io.jwt`, ...), for "undefined function" errors. */
export function isBuiltinNamespace(prefix: string): boolean {
  for (const name of CATALOG.keys()) if (name.startsWith(`${prefix}.`)) return true;
  return false;
}
