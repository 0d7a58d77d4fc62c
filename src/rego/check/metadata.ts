/**
 * `rego.metadata.rule()` and `rego.metadata.chain()`, as OPA compiles them: replaced by constants
 * built from the METADATA comment blocks (YAML after a `# METADATA` line) of the modules. A block
 * annotates the package or rule that follows it; its `scope` is `rule` (rules) or `package`
 * (packages) unless it says `document` or `subpackages`. `rule()` is the calling rule's own
 * rule-scoped annotations (`{}` without); `chain()` lists `{path, annotations}` from the calling
 * rule outwards: the rule (always, annotations when it has them), document-scoped annotations of
 * its path, its package's package- and subpackages-scoped ones, then subpackages-scoped ones of the
 * enclosing packages.
 */
import { parse } from "yaml";
import type { Body, Module, Rule, Term } from "../syntax/ast.ts";
import { parseTerm } from "../syntax/parser.ts";
import { rulePath } from "./ruletable.ts";
import { mapExpr, mapTerm } from "./terms.ts";

const RULE = "rego.metadata.rule";
const CHAIN = "rego.metadata.chain";

type Annotations = Record<string, unknown>;

interface Annotated {
  readonly path: readonly string[];
  readonly annotations: Annotations;
}

/** The METADATA blocks of a source, by the line of the statement each annotates. */
function metadataBlocks(text: string): Map<number, Record<string, unknown>> {
  const lines = text.split("\n");
  const blocks = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*#\s*METADATA\s*$/.test(lines[i]!)) continue;
    const yaml: string[] = [];
    let j = i + 1;
    for (; j < lines.length && /^\s*#/.test(lines[j]!); j++) yaml.push(lines[j]!.replace(/^\s*# ?/, ""));
    while (j < lines.length && lines[j]!.trim() === "") j++;
    const value: unknown = parse(yaml.join("\n")) ?? {};
    if (value && typeof value === "object" && !Array.isArray(value))
      blocks.set(j + 1, value as Record<string, unknown>);
    i = j - 1;
  }
  return blocks;
}

/** OPA's normal form: authors and related resources as objects, the scope always present. */
function normalise(raw: Record<string, unknown>, defaultScope: string): Annotations {
  const out: Annotations = { ...raw, scope: typeof raw.scope === "string" ? raw.scope : defaultScope };
  if (Array.isArray(raw.authors)) {
    out.authors = raw.authors.map((a) => {
      if (typeof a !== "string") return a;
      const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(a);
      return m ? { ...(m[1] ? { name: m[1] } : {}), email: m[2] } : { name: a.trim() };
    });
  }
  if (Array.isArray(raw.related_resources)) {
    out.related_resources = raw.related_resources.map((r) => (typeof r === "string" ? { ref: r } : r));
  }
  return out;
}

/** Replaces the metadata calls of every rule by their constants; modules without them are kept. */
export function rewriteMetadataCalls(modules: readonly Module[], texts: ReadonlyMap<string, string>): Module[] {
  const calls = (m: Module) => {
    const text = texts.get(m.file) ?? "";
    return text.includes(RULE) || text.includes(CHAIN);
  };
  if (!modules.some(calls)) return [...modules];

  const ruleScoped = new Map<Rule, Annotations>();
  const byScope = { document: [] as Annotated[], package: [] as Annotated[], subpackages: [] as Annotated[] };
  for (const m of modules) {
    const blocks = metadataBlocks(texts.get(m.file) ?? "");
    const pkg = blocks.get(m.package.loc.line);
    if (pkg) {
      const a = normalise(pkg, "package");
      if (a.scope === "package" || a.scope === "subpackages")
        byScope[a.scope].push({ path: m.package.path, annotations: a });
    }
    for (const r of m.rules) {
      const raw = blocks.get(r.loc.line);
      if (!raw) continue;
      const a = normalise(raw, "rule");
      if (a.scope === "rule") ruleScoped.set(r, a);
      else if (a.scope === "document") byScope.document.push({ path: rulePath(m, r).path, annotations: a });
    }
  }

  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const chainOf = (m: Module, r: Rule): unknown[] => {
    const path = rulePath(m, r).path;
    const own = ruleScoped.get(r);
    const chain: unknown[] = [{ path, ...(own ? { annotations: own } : {}) }];
    const push = (list: Annotated[], at: readonly string[]) => {
      for (const a of list) if (same(a.path, at)) chain.push({ path: a.path, annotations: a.annotations });
    };
    push(byScope.document, path);
    push(byScope.package, m.package.path);
    for (let n = m.package.path.length; n > 0; n--) push(byScope.subpackages, m.package.path.slice(0, n));
    return chain;
  };

  return modules.map((m) => {
    if (!calls(m)) return m;
    const rewrite = (r: Rule): Rule => {
      const constant = (name: string): Term | undefined =>
        name === RULE ? json(ruleScoped.get(r) ?? {}) : name === CHAIN ? json(chainOf(m, r)) : undefined;
      const term = (t: Term): Term =>
        mapTerm(t, (x) => (x.type === "call" && x.args.length === 0 ? constant(x.name) : undefined), body);
      const body = (b: Body): Body => b.map((e) => mapExpr(e, term, body));
      return {
        ...r,
        head: {
          ...r.head,
          ...(r.head.value ? { value: term(r.head.value) } : {}),
          ...(r.head.contains ? { contains: term(r.head.contains) } : {}),
        },
        body: body(r.body),
        ...(r.else ? { else: rewrite(r.else) } : {}),
      };
    };
    return { ...m, rules: m.rules.map(rewrite) };
  });
}

function json(value: unknown): Term {
  return parseTerm("<metadata>", JSON.stringify(value));
}
