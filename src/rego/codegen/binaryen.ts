/**
 * binaryen.js, loaded once. Its index.js is a 15 MB ES module; under tsx's loader hooks (which
 * run tollgate from source) importing it normally costs seconds of CPU and ~1.5 GB of memory, so
 * it is imported with tsx's namespace query, which makes tsx hand the file to Node's own loader
 * untouched. Without tsx the query is harmless (Node keys modules by URL).
 */

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type BinaryenModule from "binaryen";

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve("binaryen/package.json")), "index.js");

const binaryen: typeof BinaryenModule = (await import(`${pathToFileURL(file).href}?tsx-namespace=tollgate-binaryen`))
  .default;

export default binaryen;

export type Module = BinaryenModule.Module;
