/**
 * graphql.*: parsing and validation with the reference implementation (graphql-js). Results
 * use the AST shape OPA returns (its Go parser's field names: Operations, SelectionSet, Kind...)
 * with empty parts left out, and errors read as OPA's: "... in GraphQL string at location L:C".
 */
import {
  buildASTSchema,
  type ConstValueNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  Lexer,
  parse,
  type SelectionNode,
  Source,
  TokenKind,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
  validate,
  validateSchema,
} from "graphql";
import { builtinError, Operands, operandTypeError } from "../errors.ts";
import type { BuiltinImpl } from "../host.ts";
import { isObject, type Obj, type Value } from "../value.ts";
import { querySource, schemaSource } from "./graphql-source.ts";

class GraphqlError extends Error {}

/** graphql-js's syntax error, worded as OPA's parser words it. */
function syntaxError(error: GraphQLError, source: string): GraphqlError {
  const loc = error.locations?.[0];
  let message = error.message.replace(/^Syntax Error: /, "").replace(/\.$/, "");
  // graphql-js quotes punctuators ("{"), OPA's parser does not
  message = message.replace(/"([^"\w\s]+)"/g, "$1");
  if (loc && /^Expected Name, found \}$/.test(message)) {
    const offset = offsetOf(source, loc.line, loc.column);
    if (/\{\s*$/.test(source.slice(0, offset))) message = "expected at least one definition, found }";
  }
  // a lexer error is an invalid token to OPA's parser
  if (/^(Unexpected character|Unterminated string|Invalid )/.test(message)) message = "Unexpected <Invalid>";
  if (/^Unexpected variable "\$/.test(message)) message = "Unexpected $";
  if (!loc) return new GraphqlError(message);
  let column = loc.column;
  const literal = /^"""|^"((?:[^"\\\n]|\\.)*)"/.exec(source.slice(offsetOf(source, loc.line, loc.column)));
  if (literal) {
    // OPA's parser places a string token after its opening quotes
    column += literal[0] === '"""' ? 3 : 1;
    if (/^Unexpected description/.test(message)) message = `Unexpected String "${literal[1] ?? ""}"`;
  }
  return new GraphqlError(`${message} in GraphQL string at location ${loc.line}:${column}`);
}

function offsetOf(source: string, line: number, column: number): number {
  const newline = /\r\n|[\n\r]/g;
  let offset = 0;
  for (let l = 1; l < line && newline.exec(source); l++) offset = newline.lastIndex;
  return offset + column - 1;
}

function parseDocument(source: string): DocumentNode {
  try {
    // OPA's parser takes a document without definitions (graphql-js does not)
    if (new Lexer(new Source(source)).advance().kind === TokenKind.EOF) return { kind: Kind.DOCUMENT, definitions: [] };
    return parse(source, { allowLegacyFragmentVariables: true });
  } catch (error) {
    if (error instanceof GraphQLError) throw syntaxError(error, source);
    throw error;
  }
}

const EXECUTABLE = new Set<string>([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);

function unexpected(def: DefinitionNode, source: string): GraphqlError {
  const start = def.loc?.start ?? 0;
  const before = source.slice(0, start);
  const line = before.split("\n").length;
  const column = start - before.lastIndexOf("\n");
  const word = /^\S+/.exec(source.slice(start))?.[0] ?? "";
  const kind = word.startsWith('"') ? "String" : "Name";
  const text = kind === "String" ? word.replace(/^"+|"+$/g, "") : word;
  return new GraphqlError(`Unexpected ${kind} "${text}" in GraphQL string at location ${line}:${column}`);
}

function parseQueryDocument(source: string): DocumentNode {
  const doc = parseDocument(source);
  for (const def of doc.definitions) if (!EXECUTABLE.has(def.kind)) throw unexpected(def, source);
  return doc;
}

function parseSchemaDocument(source: string): DocumentNode {
  const doc = parseDocument(source);
  for (const def of doc.definitions) if (EXECUTABLE.has(def.kind)) throw unexpected(def, source);
  return doc;
}

// ---------------------------------------------------------------- OPA's AST shape

/** Leaves out null, empty lists and empty objects, recursively (as OPA prunes its AST). */
function prune(v: unknown): Value | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x): x is Value => x !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof v === "object") {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v as Value;
}

const VALUE_KIND: Record<string, number> = {
  [Kind.VARIABLE]: 0,
  [Kind.INT]: 1,
  [Kind.FLOAT]: 2,
  [Kind.STRING]: 3,
  [Kind.BOOLEAN]: 5,
  [Kind.NULL]: 6,
  [Kind.ENUM]: 7,
  [Kind.LIST]: 8,
  [Kind.OBJECT]: 9,
};

function value(v: ValueNode | ConstValueNode | undefined): unknown {
  if (!v) return undefined;
  const base = { ExpectedTypeHasDefault: false, Kind: VALUE_KIND[v.kind] ?? 0 };
  switch (v.kind) {
    case Kind.VARIABLE:
      return { ...base, Raw: v.name.value };
    case Kind.STRING:
      return { ...base, Kind: v.block ? 4 : 3, Raw: v.value };
    case Kind.NULL:
      return { ...base, Raw: "null" };
    case Kind.BOOLEAN:
      return { ...base, Raw: String(v.value) };
    case Kind.LIST:
      return { ...base, Raw: "", Children: v.values.map((x) => ({ Name: "", Value: value(x) })) };
    case Kind.OBJECT:
      return { ...base, Raw: "", Children: v.fields.map((f) => ({ Name: f.name.value, Value: value(f.value) })) };
    default:
      return { ...base, Raw: v.value };
  }
}

function type(t: TypeNode | undefined, nonNull = false): unknown {
  if (!t) return undefined;
  if (t.kind === Kind.NON_NULL_TYPE) return type(t.type, true);
  if (t.kind === Kind.LIST_TYPE) return { NamedType: "", Elem: type(t.type), NonNull: nonNull };
  return { NamedType: t.name.value, NonNull: nonNull };
}

function directives(ds: readonly DirectiveNode[] | undefined): unknown {
  return ds?.map((d) => ({
    Name: d.name.value,
    Location: "",
    Arguments: d.arguments?.map((a) => ({ Name: a.name.value, Value: value(a.value) })),
  }));
}

function selections(set: { selections: readonly SelectionNode[] } | undefined): unknown {
  return set?.selections.map((s) => {
    switch (s.kind) {
      case Kind.FIELD:
        return {
          Alias: s.alias?.value ?? s.name.value,
          Name: s.name.value,
          Arguments: s.arguments?.map((a) => ({ Name: a.name.value, Value: value(a.value) })),
          Directives: directives(s.directives),
          SelectionSet: selections(s.selectionSet),
        };
      case Kind.FRAGMENT_SPREAD:
        return { Name: s.name.value, Directives: directives(s.directives) };
      default:
        return {
          TypeCondition: s.typeCondition?.name.value ?? "",
          Directives: directives(s.directives),
          SelectionSet: selections(s.selectionSet),
        };
    }
  });
}

function variableDefinitions(vs: readonly VariableDefinitionNode[] | undefined): unknown {
  return vs?.map((v) => ({
    Description: "",
    Variable: v.variable.name.value,
    Type: type(v.type),
    DefaultValue: value(v.defaultValue),
    Directives: directives(v.directives),
    Used: false,
  }));
}

function queryAst(doc: DocumentNode): Value {
  const operations: unknown[] = [];
  const fragments: unknown[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      operations.push({
        Name: d.name?.value ?? "",
        Operation: d.operation,
        Description: "",
        VariableDefinitions: variableDefinitions(d.variableDefinitions),
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet),
      });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.push({
        Description: "",
        Name: d.name.value,
        VariableDefinition: variableDefinitions(d.variableDefinitions),
        TypeCondition: d.typeCondition.name.value,
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet),
      });
    }
  }
  return prune({ Operations: operations, Fragments: fragments }) ?? {};
}

const DEFINITION_KIND: Record<string, string> = {
  [Kind.OBJECT_TYPE_DEFINITION]: "OBJECT",
  [Kind.OBJECT_TYPE_EXTENSION]: "OBJECT",
  [Kind.INTERFACE_TYPE_DEFINITION]: "INTERFACE",
  [Kind.INTERFACE_TYPE_EXTENSION]: "INTERFACE",
  [Kind.SCALAR_TYPE_DEFINITION]: "SCALAR",
  [Kind.SCALAR_TYPE_EXTENSION]: "SCALAR",
  [Kind.UNION_TYPE_DEFINITION]: "UNION",
  [Kind.UNION_TYPE_EXTENSION]: "UNION",
  [Kind.ENUM_TYPE_DEFINITION]: "ENUM",
  [Kind.ENUM_TYPE_EXTENSION]: "ENUM",
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: "INPUT_OBJECT",
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: "INPUT_OBJECT",
};

function schemaAst(doc: DocumentNode): Value {
  const out = {
    Schema: [] as unknown[],
    SchemaExtension: [] as unknown[],
    Directives: [] as unknown[],
    Definitions: [] as unknown[],
    Extensions: [] as unknown[],
  };
  for (const d of doc.definitions) {
    const description = "description" in d ? (d.description?.value ?? "") : "";
    if (d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION) {
      (d.kind === Kind.SCHEMA_DEFINITION ? out.Schema : out.SchemaExtension).push({
        Description: description,
        Directives: directives(d.directives),
        OperationTypes: d.operationTypes?.map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
      });
    } else if (d.kind === Kind.DIRECTIVE_DEFINITION) {
      out.Directives.push({
        Description: description,
        Name: d.name.value,
        Arguments: d.arguments?.map(argumentDefinition),
        Locations: d.locations.map((l) => l.value),
        IsRepeatable: d.repeatable,
      });
    } else if (d.kind in DEFINITION_KIND) {
      const n = d as unknown as Record<string, unknown> & { name: { value: string } };
      const def = {
        Kind: DEFINITION_KIND[d.kind],
        Description: description,
        Name: n.name.value,
        Directives: directives(n.directives as DirectiveNode[] | undefined),
        Interfaces: (n.interfaces as { name: { value: string } }[] | undefined)?.map((i) => i.name.value),
        Fields: (n.fields as FieldLike[] | undefined)?.map((f) => ({
          Description: f.description?.value ?? "",
          Name: f.name.value,
          Arguments: f.arguments?.map(argumentDefinition),
          DefaultValue: value(f.defaultValue),
          Type: type(f.type),
          Directives: directives(f.directives),
        })),
        Types: (n.types as { name: { value: string } }[] | undefined)?.map((t) => t.name.value),
        EnumValues: (n.values as FieldLike[] | undefined)?.map((v) => ({
          Description: v.description?.value ?? "",
          Name: v.name.value,
          Directives: directives(v.directives),
        })),
        BuiltIn: false,
      };
      (d.kind.endsWith("Extension") ? out.Extensions : out.Definitions).push(def);
    }
  }
  return prune(out) ?? {};
}

interface FieldLike {
  description?: { value: string };
  name: { value: string };
  arguments?: readonly FieldLike[];
  defaultValue?: ConstValueNode;
  type?: TypeNode;
  directives?: readonly DirectiveNode[];
}

function argumentDefinition(a: FieldLike): unknown {
  return {
    Description: a.description?.value ?? "",
    Name: a.name.value,
    DefaultValue: value(a.defaultValue),
    Type: type(a.type),
    Directives: directives(a.directives),
  };
}

// ---------------------------------------------------------------- validation

/** A query or schema argument: GraphQL text, or an AST object as graphql.parse_* return. */
function documentSource(name: string, ops: Operands, pos: number, print: (doc: Obj) => string): string {
  const v = ops.any(pos);
  if (typeof v === "string") return v;
  if (isObject(v)) return print(v as Obj);
  throw operandTypeError(name, pos, "one of {object, string}", v);
}

const schemaText = (name: string, ops: Operands, pos: number) => documentSource(name, ops, pos, schemaSource);
const queryText = (name: string, ops: Operands, pos: number) => documentSource(name, ops, pos, querySource);

const EXTENSION_TO_DEFINITION: Record<string, Kind> = {
  [Kind.OBJECT_TYPE_EXTENSION]: Kind.OBJECT_TYPE_DEFINITION,
  [Kind.INTERFACE_TYPE_EXTENSION]: Kind.INTERFACE_TYPE_DEFINITION,
  [Kind.SCALAR_TYPE_EXTENSION]: Kind.SCALAR_TYPE_DEFINITION,
  [Kind.UNION_TYPE_EXTENSION]: Kind.UNION_TYPE_DEFINITION,
  [Kind.ENUM_TYPE_EXTENSION]: Kind.ENUM_TYPE_DEFINITION,
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: Kind.INPUT_OBJECT_TYPE_DEFINITION,
};

/** OPA's schema loader defines a type that is only extended: the first extension becomes its definition. */
function defineExtendedTypes(doc: DocumentNode): DocumentNode {
  const defined = new Set<string>();
  for (const d of doc.definitions)
    if ("name" in d && d.name && !(d.kind in EXTENSION_TO_DEFINITION)) defined.add(d.name.value);
  const definitions = doc.definitions.map((d) => {
    const kind = EXTENSION_TO_DEFINITION[d.kind];
    if (!kind || !("name" in d) || !d.name || defined.has(d.name.value)) return d;
    defined.add(d.name.value);
    return { ...d, kind } as DefinitionNode;
  });
  return { ...doc, definitions };
}

/** OPA's schema loader accepts a schema without a query type. */
const LENIENT = new Set(["Query root type must be provided."]);

/** A validation error as OPA words it: no closing period, the first location. */
function problem(error: GraphQLError): string {
  const loc = error.locations?.[0];
  const message = error.message.replace(/\.$/, "");
  return loc ? `${message} in GraphQL string at location ${loc.line}:${loc.column}` : message;
}

type Built = { schema: GraphQLSchema; problems: [] } | { schema: undefined; problems: string[] };

/** The schema (taken as valid from then on), or its problems, after parsing it. */
function buildSchema(doc: DocumentNode): Built {
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema(defineExtendedTypes(doc));
  } catch (error) {
    if (error instanceof GraphQLError) return { schema: undefined, problems: [problem(error)] };
    return { schema: undefined, problems: [(error as Error).message] };
  }
  const problems = validateSchema(schema)
    .filter((e) => !LENIENT.has(e.message))
    .map(problem);
  if (problems.length) return { schema: undefined, problems };
  return { schema: new GraphQLSchema({ ...schema.toConfig(), assumeValid: true }), problems: [] };
}

function schemaProblems(doc: DocumentNode): string[] {
  return buildSchema(doc).problems;
}

function queryProblems(query: DocumentNode, schemaDoc: DocumentNode): string[] {
  const built = buildSchema(schemaDoc);
  if (!built.schema) return built.problems;
  for (const d of query.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION && !built.schema.getRootType(d.operation))
      return [`Schema does not support operation type "${d.operation}"`];
  }
  return validate(built.schema, query).map(problem);
}

function guard<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof GraphqlError) throw builtinError(name, error.message);
    throw error;
  }
}

export const GRAPHQL: Record<string, BuiltinImpl> = {
  "graphql.parse_query": (args) => {
    const name = "graphql.parse_query";
    const q = new Operands(name, args).string(1);
    return guard(name, () => queryAst(parseQueryDocument(q)));
  },
  "graphql.parse_schema": (args) => {
    const name = "graphql.parse_schema";
    const s = new Operands(name, args).string(1);
    return guard(name, () => schemaAst(parseSchemaDocument(s)));
  },
  "graphql.schema_is_valid": (args) => {
    const name = "graphql.schema_is_valid";
    const s = schemaText(name, new Operands(name, args), 1);
    try {
      return schemaProblems(parseSchemaDocument(s)).length === 0;
    } catch (error) {
      if (error instanceof GraphqlError) return false;
      throw error;
    }
  },
  "graphql.is_valid": (args) => {
    const name = "graphql.is_valid";
    const ops = new Operands(name, args);
    const q = queryText(name, ops, 1);
    const s = schemaText(name, ops, 2);
    try {
      return queryProblems(parseQueryDocument(q), parseSchemaDocument(s)).length === 0;
    } catch (error) {
      if (error instanceof GraphqlError) return false;
      throw error;
    }
  },
  "graphql.parse": (args) => {
    const name = "graphql.parse";
    const ops = new Operands(name, args);
    const q = queryText(name, ops, 1);
    const s = schemaText(name, ops, 2);
    return guard(name, () => {
      const query = parseQueryDocument(q);
      const schema = parseSchemaDocument(s);
      const problems = queryProblems(query, schema);
      if (problems.length) throw new GraphqlError(problems[0]!);
      return [queryAst(query), schemaAst(schema)];
    });
  },
  "graphql.parse_and_verify": (args) => {
    const name = "graphql.parse_and_verify";
    const ops = new Operands(name, args);
    const q = queryText(name, ops, 1);
    const s = schemaText(name, ops, 2);
    try {
      const query = parseQueryDocument(q);
      const schema = parseSchemaDocument(s);
      if (queryProblems(query, schema).length) return [false, {}, {}];
      return [true, queryAst(query), schemaAst(schema)];
    } catch (error) {
      if (error instanceof GraphqlError) return [false, {}, {}];
      throw error;
    }
  },
};
