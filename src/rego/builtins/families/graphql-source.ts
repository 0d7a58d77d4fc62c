/**
 * OPA's GraphQL AST objects (the JSON of its Go parser's documents, as graphql.parse_query and
 * graphql.parse_schema return them) back to GraphQL text, so that a schema or query given as an
 * AST object is validated exactly as the same document given as text.
 */
import { isObject, type Obj, type Value } from "../value.ts";

const list = (v: Value | undefined): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []) as Obj[];
const text = (v: Value | undefined): string => (typeof v === "string" ? v : "");

function description(node: Obj): string {
  const d = text(node.Description);
  return d ? `${JSON.stringify(d)} ` : "";
}

function value(v: Value | undefined): string {
  if (v === undefined || !isObject(v)) return "null";
  const node = v as Obj;
  const raw = text(node.Raw);
  switch (node.Kind) {
    case 0:
      return `$${raw}`;
    case 3:
    case 4:
      return JSON.stringify(raw);
    case 8:
      return `[${list(node.Children)
        .map((c) => value(c.Value))
        .join(", ")}]`;
    case 9:
      return `{${list(node.Children)
        .map((c) => `${text(c.Name)}: ${value(c.Value)}`)
        .join(", ")}}`;
    default:
      return raw;
  }
}

function type(t: Value | undefined): string {
  if (t === undefined || !isObject(t)) return "";
  const node = t as Obj;
  const base = isObject(node.Elem) ? `[${type(node.Elem)}]` : text(node.NamedType);
  return node.NonNull === true ? `${base}!` : base;
}

function args(items: Value | undefined, print: (a: Obj) => string): string {
  const xs = list(items);
  return xs.length ? `(${xs.map(print).join(", ")})` : "";
}

function directives(ds: Value | undefined): string {
  return list(ds)
    .map((d) => ` @${text(d.Name)}${args(d.Arguments, (a) => `${text(a.Name)}: ${value(a.Value)}`)}`)
    .join("");
}

function defaultValue(node: Obj): string {
  return isObject(node.DefaultValue) ? ` = ${value(node.DefaultValue)}` : "";
}

function inputValue(a: Obj): string {
  return `${description(a)}${text(a.Name)}: ${type(a.Type)}${defaultValue(a)}${directives(a.Directives)}`;
}

function block(lines: string[]): string {
  return lines.length ? ` {\n${lines.join("\n")}\n}` : "";
}

// ---------------------------------------------------------------- queries

function selections(set: Value | undefined): string {
  return block(
    list(set).map((s) => {
      if ("Alias" in s || "Arguments" in s)
        return `${text(s.Alias) && s.Alias !== s.Name ? `${text(s.Alias)}: ` : ""}${text(s.Name)}${args(
          s.Arguments,
          (a) => `${text(a.Name)}: ${value(a.Value)}`,
        )}${directives(s.Directives)}${selections(s.SelectionSet)}`;
      if (typeof s.Name === "string" && s.Name !== "") return `...${s.Name}${directives(s.Directives)}`;
      const on = text(s.TypeCondition);
      return `...${on ? ` on ${on}` : ""}${directives(s.Directives)}${selections(s.SelectionSet)}`;
    }),
  );
}

function variables(vs: Value | undefined): string {
  return args(vs, (v) => `$${text(v.Variable)}: ${type(v.Type)}${defaultValue(v)}${directives(v.Directives)}`);
}

/** A query document object as GraphQL text. */
export function querySource(doc: Obj): string {
  const operations = list(doc.Operations).map(
    (o) =>
      `${text(o.Operation) || "query"} ${text(o.Name)}${variables(o.VariableDefinitions)}${directives(o.Directives)}${selections(o.SelectionSet)}`,
  );
  const fragments = list(doc.Fragments).map(
    (f) =>
      `fragment ${text(f.Name)}${variables(f.VariableDefinition)} on ${text(f.TypeCondition)}${directives(f.Directives)}${selections(f.SelectionSet)}`,
  );
  return [...operations, ...fragments].join("\n");
}

// ---------------------------------------------------------------- schemas

function definition(d: Obj, extend: boolean): string {
  const kind = text(d.Kind);
  const head = `${extend ? "extend " : description(d)}`;
  const name = text(d.Name);
  const fields = (inputs: boolean) =>
    block(
      list(d.Fields).map((f) =>
        inputs
          ? inputValue(f)
          : `${description(f)}${text(f.Name)}${args(f.Arguments, inputValue)}: ${type(f.Type)}${directives(f.Directives)}`,
      ),
    );
  const implemented = (Array.isArray(d.Interfaces) ? d.Interfaces : []).filter((i) => typeof i === "string");
  const implementsClause = implemented.length ? ` implements ${implemented.join(" & ")}` : "";
  switch (kind) {
    case "OBJECT":
      return `${head}type ${name}${implementsClause}${directives(d.Directives)}${fields(false)}`;
    case "INTERFACE":
      return `${head}interface ${name}${implementsClause}${directives(d.Directives)}${fields(false)}`;
    case "INPUT_OBJECT":
      return `${head}input ${name}${directives(d.Directives)}${fields(true)}`;
    case "SCALAR":
      return `${head}scalar ${name}${directives(d.Directives)}`;
    case "UNION": {
      const types = (Array.isArray(d.Types) ? d.Types : []).filter((t) => typeof t === "string");
      return `${head}union ${name}${directives(d.Directives)}${types.length ? ` = ${types.join(" | ")}` : ""}`;
    }
    case "ENUM":
      return `${head}enum ${name}${directives(d.Directives)}${block(
        list(d.EnumValues).map((v) => `${description(v)}${text(v.Name)}${directives(v.Directives)}`),
      )}`;
    default:
      return "";
  }
}

function schemaDefinition(s: Obj, extend: boolean): string {
  const operations = list(s.OperationTypes).map((o) => `${text(o.Operation)}: ${text(o.Type)}`);
  return `${extend ? "extend " : description(s)}schema${directives(s.Directives)}${block(operations)}`;
}

/** A schema document object as GraphQL text (built-in definitions left out, as they are implied). */
export function schemaSource(doc: Obj): string {
  const out: string[] = [];
  for (const s of list(doc.Schema)) out.push(schemaDefinition(s, false));
  for (const s of list(doc.SchemaExtension)) out.push(schemaDefinition(s, true));
  for (const d of list(doc.Directives)) {
    const locations = (Array.isArray(d.Locations) ? d.Locations : []).filter((l) => typeof l === "string");
    out.push(
      `${description(d)}directive @${text(d.Name)}${args(d.Arguments, inputValue)}${d.IsRepeatable === true ? " repeatable" : ""} on ${locations.join(" | ")}`,
    );
  }
  for (const d of list(doc.Definitions)) if (d.BuiltIn !== true) out.push(definition(d, false));
  for (const d of list(doc.Extensions)) out.push(definition(d, true));
  return out.filter((s) => s !== "").join("\n");
}
