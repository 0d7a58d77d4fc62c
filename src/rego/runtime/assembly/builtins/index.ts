// Every native builtin, exported as b_<Rego name with "." written "__"> for the codegen.
export * from "./aggregates";
export * from "./arith";
export * from "./arrays";
export * from "./compare";
export * from "./encoding";
export * from "./misc";
export * from "./objects";
export * from "./sets";
export * from "./sprintf";
export * from "./strings";
export * from "./types";
export * from "./template";
