/**
 * text: plain-text output shared by the commands' printouts (audit, explain, status, telemetry
 * fetch). Imports nothing else of tollgate.
 */
export { type Align, table } from "./table.ts";
