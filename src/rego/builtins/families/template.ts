/**
 * strings.render_template: the part of Go's text/template that policies use — fields (.a.b),
 * variables ($x, $), `if`/`else if`/`else`, `range` (with $i, $v :=), `with`, comments, trim
 * markers ({{- -}}), literals, and the functions eq ne lt le gt ge and or not len index print.
 * A missing key renders as "<undefined>", as OPA's.
 */
import { builtinError } from "../errors.ts";
import { isNumber, isObject, NumberText, type Obj, RegoSet, type Value } from "../value.ts";

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: string }
  | { kind: "if" | "with"; pipe: string; body: Node[]; else: Node[] }
  | { kind: "range"; pipe: string; vars: string[]; body: Node[]; else: Node[] }
  | { kind: "assign"; name: string; pipe: string };

class TemplateError extends Error {}

const UNDEFINED = Symbol("undefined");
type Data = Value | typeof UNDEFINED;

/** Splits the template into text and actions (with trim markers applied). */
function lex(src: string): { text?: string; action?: string }[] {
  const out: { text?: string; action?: string }[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith("- ", start)) {
      text = text.replace(/\s+$/, "");
      start += 2;
    }
    out.push({ text });
    const close = src.indexOf("}}", start);
    if (close < 0) throw new TemplateError("unclosed action");
    let action = src.slice(start, close);
    i = close + 2;
    if (action.endsWith(" -")) {
      action = action.slice(0, -2);
      const m = /^\s*/.exec(src.slice(i))!;
      i += m[0].length;
    }
    out.push({ action: action.trim() });
  }
  return out;
}

function parse(src: string): Node[] {
  const tokens = lex(src);
  let k = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (k < tokens.length) {
      const t = tokens[k++]!;
      if (t.text !== undefined) {
        if (t.text) nodes.push({ kind: "text", text: t.text });
        continue;
      }
      const a = t.action!;
      if (a.startsWith("/*")) continue;
      const word = /^(\w+)\b\s*(.*)$/s.exec(a);
      const keyword = word?.[1];
      if (keyword === "end" || keyword === "else") {
        if (!ends.includes(keyword)) throw new TemplateError(`unexpected {{${keyword}}}`);
        return { nodes, end: a };
      }
      if (keyword === "if" || keyword === "with") {
        nodes.push(conditional(keyword, word![2]!));
      } else if (keyword === "range") {
        let pipe = word![2]!;
        let vars: string[] = [];
        const decl = /^((?:\$\w*\s*,\s*)?\$\w*)\s*:=\s*(.*)$/s.exec(pipe);
        if (decl) {
          vars = decl[1]!.split(",").map((v) => v.trim());
          pipe = decl[2]!;
        }
        const body = block(["end", "else"]);
        const alt = body.end.startsWith("else") ? block(["end"]).nodes : [];
        nodes.push({ kind: "range", pipe, vars, body: body.nodes, else: alt });
      } else {
        const assign = /^(\$\w*)\s*:?=\s*(.*)$/s.exec(a);
        nodes.push(assign ? { kind: "assign", name: assign[1]!, pipe: assign[2]! } : { kind: "action", pipe: a });
      }
    }
    if (ends.length) throw new TemplateError("unexpected EOF");
    return { nodes, end: "" };
  };
  const conditional = (kind: "if" | "with", pipe: string): Node => {
    const then = block(["end", "else"]);
    let alt: Node[] = [];
    if (then.end.startsWith("else")) {
      const chained = /^else\s+(if|with)\s+(.*)$/s.exec(then.end);
      alt = chained ? [conditional(chained[1] as "if" | "with", chained[2]!)] : block(["end"]).nodes;
    }
    return { kind, pipe, body: then.nodes, else: alt };
  };
  return block([]).nodes;
}

interface Scope {
  dot: Data;
  vars: Map<string, Data>;
}

function field(v: Data, name: string): Data {
  if (v === UNDEFINED) return UNDEFINED;
  if (isObject(v) && Object.hasOwn(v, name)) return v[name]!;
  return UNDEFINED;
}

function tokenize(pipe: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  for (;;) {
    m = re.exec(pipe);
    if (!m) break;
    out.push(m[1]!);
  }
  return out;
}

function truthy(v: Data): boolean {
  if (v === UNDEFINED || v === null || v === false) return false;
  if (v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RegoSet) return v.items.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function evalPipe(pipe: string, scope: Scope): Data {
  const stages = pipe.split(/\s\|\s/);
  let prev: Data | undefined;
  for (const stage of stages) {
    const words = tokenize(stage);
    const args = prev === undefined ? words : [...words, "\u0000prev"];
    prev = evalCommand(args, scope, prev);
  }
  return prev ?? UNDEFINED;
}

function evalArg(w: string, scope: Scope, prev?: Data): Data {
  if (w === "\u0000prev") return prev ?? UNDEFINED;
  if (w.startsWith('"')) return JSON.parse(w) as string;
  if (w.startsWith("`")) return w.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(w)) return Number(w);
  if (w === "true" || w === "false") return w === "true";
  if (w === "nil") return null;
  if (w.startsWith(".") || w.startsWith("$")) {
    const parts = w.split(".");
    let v: Data = parts[0] === "" ? scope.dot : (scope.vars.get(parts[0]!) ?? UNDEFINED);
    for (const p of parts.slice(1)) if (p) v = field(v, p);
    return v;
  }
  throw new TemplateError(`function ${JSON.stringify(w)} not defined`);
}

const compare = (a: Data, b: Data): number => {
  const x = isNumber(a as Value) ? Number(a) : a;
  const y = isNumber(b as Value) ? Number(b) : b;
  return x === y ? 0 : (x as number) < (y as number) ? -1 : 1;
};

function evalCommand(words: string[], scope: Scope, prev?: Data): Data {
  const [head, ...rest] = words;
  if (head === undefined) return UNDEFINED;
  const args = () => rest.map((w) => evalArg(w, scope, prev));
  switch (head) {
    case "eq":
      return args()
        .slice(1)
        .some((x) => compare(evalArg(rest[0]!, scope, prev), x) === 0);
    case "ne":
      return compare(...(args() as [Data, Data])) !== 0;
    case "lt":
      return compare(...(args() as [Data, Data])) < 0;
    case "le":
      return compare(...(args() as [Data, Data])) <= 0;
    case "gt":
      return compare(...(args() as [Data, Data])) > 0;
    case "ge":
      return compare(...(args() as [Data, Data])) >= 0;
    case "not":
      return !truthy(args()[0]!);
    case "and":
      return args().reduce((a, b) => (truthy(a) ? b : a));
    case "or":
      return args().reduce((a, b) => (truthy(a) ? a : b));
    case "len": {
      const v = args()[0]!;
      if (typeof v === "string") return Buffer.byteLength(v);
      if (Array.isArray(v)) return v.length;
      if (v instanceof RegoSet) return v.items.length;
      if (v !== UNDEFINED && isObject(v)) return Object.keys(v).length;
      throw new TemplateError("len of a value without length");
    }
    case "index": {
      let [v, ...keys] = args();
      for (const k of keys) v = Array.isArray(v) ? (v[Number(k)] ?? UNDEFINED) : field(v!, String(k));
      return v!;
    }
    case "print":
      return args().map(show).join("");
    default:
      if (rest.length) throw new TemplateError(`can't give argument to non-function ${head}`);
      return evalArg(head, scope, prev);
  }
}

/** Go's %v of a value. */
function show(v: Data): string {
  if (v === UNDEFINED) return "<undefined>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v instanceof NumberText) return v.text;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  if (v instanceof RegoSet) return `[${v.items.map(show).join(" ")}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${show(v[k]!)}`)
      .join(" ")}]`;
  }
  return String(v);
}

function run(nodes: Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.kind) {
      case "text":
        out.push(n.text);
        break;
      case "action":
        out.push(show(evalPipe(n.pipe, scope)));
        break;
      case "assign":
        scope.vars.set(n.name, evalPipe(n.pipe, scope));
        break;
      case "if":
        run(truthy(evalPipe(n.pipe, scope)) ? n.body : n.else, scope, out);
        break;
      case "with": {
        const v = evalPipe(n.pipe, scope);
        if (truthy(v)) run(n.body, { dot: v, vars: scope.vars }, out);
        else run(n.else, scope, out);
        break;
      }
      case "range": {
        const v = evalPipe(n.pipe, scope);
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v instanceof RegoSet
            ? v.items.map((x, i) => [i, x])
            : isObject(v as Value)
              ? Object.keys(v as Obj)
                  .sort()
                  .map((k) => [k, (v as Obj)[k]!])
              : [];
        if (entries.length === 0) run(n.else, scope, out);
        for (const [k, x] of entries) {
          const vars = new Map(scope.vars);
          if (n.vars.length === 2) {
            vars.set(n.vars[0]!, k);
            vars.set(n.vars[1]!, x);
          } else if (n.vars.length === 1) vars.set(n.vars[0]!, x);
          run(n.body, { dot: x, vars }, out);
        }
        break;
      }
    }
  }
}

export function renderTemplate(name: string, template: string, vars: Obj): string {
  try {
    const out: string[] = [];
    run(parse(template), { dot: vars, vars: new Map([["$", vars]]) }, out);
    return out.join("");
  } catch (error) {
    if (error instanceof TemplateError) throw builtinError(name, `template: ${error.message}`);
    throw error;
  }
}
