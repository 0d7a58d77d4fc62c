/**
 * The hand-written types of every file kind agree with its JSON Schema: checked at compile time
 * (`npm run typecheck`) against types generated from the schemas (test/model/schema-types/,
 * written by test/support/schema-types.ts), and at run time that those are up to date.
 *
 * common.schema.json holds only shared definitions: the kinds that use them check them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { AnalysisConfigFile } from "../../src/analysis/config-file.ts";
import type { EvidenceDocument as DecisionEvidence } from "../../src/decision/evidence.ts";
import type { EvidenceDocument } from "../../src/model/evidence.ts";
import type { Environment, Release, Signers, Status, Teams } from "../../src/model/types.ts";
import type { PolicyDecision, PolicyInput } from "../../src/policy/types.ts";
import { SCHEMA_KINDS, SCHEMA_TYPES_DIR, schemaTypes } from "../support/schema-types.ts";
import type * as analysisConfig from "./schema-types/analysis-config.ts";
import type * as environment from "./schema-types/environment.ts";
import type * as evidence from "./schema-types/evidence.ts";
import type * as policyDecision from "./schema-types/policy-decision.ts";
import type * as policyInput from "./schema-types/policy-input.ts";
import type * as release from "./schema-types/release.ts";
import type * as signers from "./schema-types/signers.ts";
import type * as status from "./schema-types/status.ts";
import type * as teams from "./schema-types/teams.ts";

/** Compiles only when every value of `From` is a `To`; the error names the first field that is not. */
type Fits<From extends To, To> = [From, To];
/** What the schema accepts fits the hand-written type (a file tollgate reads, validates and then uses). */
type ReadAs<Hand, Schema extends Hand> = Fits<Schema, Hand>;
/** What the hand-written type holds fits the schema (a file or document tollgate writes). */
type WrittenAs<Hand extends Schema, Schema> = Fits<Hand, Schema>;

/** Every file kind, both ways where tollgate both reads and writes it. */
export interface CompileTimeChecks {
  release: [ReadAs<Release, release.Release>, WrittenAs<Release, release.Release>];
  environment: ReadAs<Environment, environment.Environment>;
  status: [ReadAs<Status, status.Status>, WrittenAs<Status, status.Status>];
  teams: ReadAs<Teams, teams.Teams>;
  signers: ReadAs<Signers, signers.Signers>;
  "analysis-config": ReadAs<AnalysisConfigFile, analysisConfig.TollgateAnalyzeConfig>;
  "policy-input": WrittenAs<PolicyInput, policyInput.PolicyInput>;
  "policy-decision": ReadAs<PolicyDecision, policyDecision.PolicyDecision>;
  evidence: [
    ReadAs<EvidenceDocument, evidence.EvidenceDocument>,
    WrittenAs<DecisionEvidence, evidence.EvidenceDocument>,
  ];
}
/** The kinds checked above (the compiler keeps this list equal to the interface's keys). */
const CHECKED: { [K in keyof CompileTimeChecks]: true } = {
  release: true,
  environment: true,
  status: true,
  teams: true,
  signers: true,
  "analysis-config": true,
  "policy-input": true,
  "policy-decision": true,
  evidence: true,
};

describe("types generated from the schemas", () => {
  it("are up to date with schemas/ (one file per file kind)", async () => {
    for (const kind of SCHEMA_KINDS) {
      const written = readFileSync(`${SCHEMA_TYPES_DIR}${kind}.ts`, "utf8");
      assert.equal(
        written,
        await schemaTypes(kind),
        `test/model/schema-types/${kind}.ts is out of date: regenerate it`,
      );
    }
  });

  it("are checked against the hand-written type of every file kind", () => {
    for (const kind of SCHEMA_KINDS.filter((k) => k !== "common")) assert.ok(kind in CHECKED, `${kind} has a check`);
  });
});
