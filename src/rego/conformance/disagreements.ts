/**
 * Cases of the shared case files that OPA 1.22.4 (the version tollgate follows, and the oracle
 * its tests run) does not pass either: the file was taken from an older OPA whose answer has
 * since changed. tollgate gives OPA 1.22.4's answer, so such a case, when it fails, counts as a
 * known disagreement with its reason, not as a failure. Each entry must name a case that OPA
 * 1.22.4's own copy of the file (in its Go module) has with the same note, and that copy must
 * pass through tollgate (checked by test/rego/opa-suite.test.ts with the real module) — unless
 * OPA's own binary cannot run the case at all (`opaRejects`: the case needs a builtin that only
 * OPA's Go test harness registers), which the same test checks by asking the real opa.
 */
import type { ConformanceCase } from "./cases.ts";

export interface Disagreement {
  /** The case file, as its path ends (`graphql/test-graphql-parse-query.yaml`). */
  readonly file: string;
  readonly notes: readonly string[];
  /** What OPA 1.22.4 answers instead, and why. */
  readonly reason: string;
  /**
   * Set when the opa binary itself refuses the case's modules: the text of its error. Then OPA's
   * own copy of the case need not pass through tollgate (it fails in the same way).
   */
  readonly opaRejects?: string;
}

const GRAPHQL_DESCRIPTIONS =
  'OPA 1.22.4 (gqlparser with operation descriptions) returns "Description": "" on operations, fragments ' +
  'and variable definitions and "ExpectedTypeHasDefault": false on values; this file predates that';

const JWT_COMPACT =
  'OPA 1.22.4 signs the header and payload serialised compactly ({"alg":"HS256",...}); this file ' +
  'expects them with spaces ({"alg": "HS256", ...}), so its signature differs';

const FUNCTION_CONFLICT =
  'OPA 1.22.4 words the error "function <rule> produced conflicting values for the same inputs"; ' +
  'this file expects the older "functions must not produce multiple outputs for same inputs"';

const RULE_CONFLICT =
  'OPA 1.22.4 words the error "rule <rule> produced conflicting values"; this file expects the ' +
  'older "complete rules must not produce multiple outputs"';

const JWT_HEADER_WITHOUT_JSON =
  'OPA 1.22.4 reads JWS headers with jwsbb, leniently: a header that is not JSON has no "alg" ' +
  '(jwsbb: header alg not found); this file expects the older "cannot parse JSON: invalid character"';

export const DISAGREEMENTS: readonly Disagreement[] = [
  {
    file: "jwtencodesignheadererrors/test-jwtencodesignheadererrors-0383.yaml",
    notes: ["jwtencodesignheadererrors/No JSON Error"],
    reason: JWT_HEADER_WITHOUT_JSON,
  },
  {
    file: "completedoc/test-completedoc-0510.yaml",
    notes: ["completedoc/vars conflict"],
    reason: RULE_CONFLICT,
  },
  {
    file: "disjunction/test-disjunction-0772.yaml",
    notes: ["disjunction/complete: error"],
    reason: RULE_CONFLICT,
  },
  {
    file: "disjunction/test-disjunction-0775.yaml",
    notes: [
      "disjunction/complete: reference error",
      "disjunction/complete: nested conflict, else",
      "disjunction/complete: conflict involving early-exit complete rule (set enumeration)",
      "disjunction/complete: conflict involving early-exit complete rule (array enumeration)",
      "disjunction/complete: conflict involving early-exit complete rule (object enumeration)",
      "disjunction/complete: conflict involving early-exit complete rule, else",
      "disjunction/complete: conflict involving early-exit complete rule, multiple",
      "disjunction/complete: conflict involving early-exit complete rule, data array enumeration",
      "disjunction/complete: conflict involving early-exit complete rule, data object enumeration",
    ],
    reason: RULE_CONFLICT,
  },
  {
    file: "elsekeyword/test-elsekeyword-1066.yaml",
    notes: ["elsekeyword/conflict-2"],
    reason: RULE_CONFLICT,
  },
  {
    file: "partialobjectdoc/test-wasm-cases.yaml",
    notes: ["wasm/conflict error"],
    reason: RULE_CONFLICT,
  },
  {
    file: "graphql/test-graphql-basic-ast.yaml",
    notes: [
      "graphql_parse_query/success-basic-ast simple query",
      "graphql_parse_query/success-basic-ast with arguments",
      "graphql_parse_query/success-basic-ast inline fragments and type conditions",
      "graphql_parse_query/success-basic-ast meta fields and introspection",
    ],
    reason: GRAPHQL_DESCRIPTIONS,
  },
  {
    file: "graphql/test-graphql-parse-query.yaml",
    notes: [
      "graphql_parse_query/success-variables are allowed in args",
      "graphql_parse_query/success-variables can have directives",
      "graphql_parse_query/success-encoding multibyte characters are supported",
      "graphql_parse_query/success-keywords-allowed-where-names-are on",
      "graphql_parse_query/success-keywords-allowed-where-names-are subscription",
      "graphql_parse_query/success-keywords-allowed-where-names-are true",
      "graphql_parse_query/success-operations anonymous mutation",
      "graphql_parse_query/success-operations named mutation",
      "graphql_parse_query/success-operations anonymous subscription",
      "graphql_parse_query/success-operations named subscription",
      "graphql_parse_query/success-ast simple query",
      "graphql_parse_query/success-ast nameless query with no variables",
      "graphql_parse_query/success-ast fragment defined variables",
      "graphql_parse_query/success-values null",
      "graphql_parse_query/success-values strings",
      "graphql_parse_query/success-values list",
      "graphql_parse_query/success-types common types",
      "graphql_parse_query/success-large-queries kitchen sink",
    ],
    reason: GRAPHQL_DESCRIPTIONS,
  },
  {
    file: "jwtencodesign/test-jwtencodesign-0493.yaml",
    notes: ["jwtencodesign/Empty JSON payload"],
    reason: JWT_COMPACT,
  },
  {
    file: "jwtencodesign/test-jwtencodesign-integer-timestamps.yaml",
    notes: ["jwtencodesign/plain integer timestamps"],
    reason: JWT_COMPACT,
  },
  {
    file: "disjunction/test-disjunction-0775.yaml",
    notes: ["disjunction/nested function with conflict", "disjunction/nested function with conflict, else"],
    reason: FUNCTION_CONFLICT,
  },
  {
    file: "functionerrors/test-functionerrors-1014.yaml",
    notes: ["functionerrors/function output conflict multiple"],
    reason: FUNCTION_CONFLICT,
  },
  {
    file: "time/test-time-0947.yaml",
    notes: ["time/time caching"],
    reason:
      "test.sleep is registered only by OPA's Go test harness (v1/topdown/topdown_test.go), not by the opa " +
      "binary: OPA 1.22.4 refuses this module with rego_type_error: undefined function test.sleep, as tollgate does",
    opaRejects: "undefined function test.sleep",
  },
];

const pathEndsWith = (file: string, end: string): boolean =>
  file.replaceAll("\\", "/") === end || file.replaceAll("\\", "/").endsWith(`/${end}`);

/** The declared disagreement covering a case, if any. */
export function disagreementOf(c: Pick<ConformanceCase, "file" | "note">): Disagreement | undefined {
  return DISAGREEMENTS.find((d) => pathEndsWith(c.file, d.file) && d.notes.includes(c.note));
}
