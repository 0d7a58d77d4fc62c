import { readFileSync } from "node:fs";
import type { Producer } from "./evidence.ts";

/** This tollgate, as evidence documents name their producer. */
export const PRODUCER: Producer = {
  name: "tollgate",
  version: (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
    .version,
};
