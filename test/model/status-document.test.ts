/**
 * A decision commit records its status file's document in the parse cache instead of parsing the
 * YAML it wrote (src/gitops/decision-commit.ts): that is only sound if parsing the file gives the
 * document back exactly, whatever strings and numbers the status holds.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStatus } from "../../src/model/load.ts";
import { serializeStatus, serializeStatusDocument, statusDocument } from "../../src/model/serialize.ts";
import type { Status } from "../../src/model/types.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const AWKWARD = [
  "yes",
  "no",
  "null",
  "~",
  "0x10",
  "1e3",
  "-.inf",
  "2026-11-24",
  "a: b",
  "- item",
  "# not a comment",
  "multi\nline\n",
  "  leading and trailing  ",
  "quote \" and ' and \\",
  "tab\there",
  "émoji 🙂 and \u2028",
  " ",
  "*alias",
  "&anchor",
  "!tag",
  "%directive",
  "@at",
  "`backtick",
  "{flow: map}",
  "[flow, seq]",
  "---",
  "...",
];
const NUMBERS = [0, -0, 1, 0.1 + 0.2, 1e-7, 123456789.123, 2 ** 53 + 2, 1e21, -5.5e-300];

function statusWith(text: string, number: number): Status {
  return {
    apiVersion: "tollgate.dev/v1",
    kind: "Status",
    service: "svc",
    phase: "progressing",
    liveDigest: DIGEST,
    canaryDigest: DIGEST,
    rollouts: 3,
    step: 1,
    weight: 20,
    rolloutStartedAt: "2026-11-24T10:00:00Z",
    stepStartedAt: "2026-11-24T10:00:30Z",
    lastDecision: {
      action: "advance",
      at: "2026-11-24T10:00:30Z",
      reasons: [{ rule: text || "rule", message: text, values: { [text]: number, list: [text, number, null, true] } }],
      idempotencyKey: `canary/svc/${DIGEST}/r3/s1/advance`,
      evidence: DIGEST,
    },
    rejected: [{ digest: DIGEST, at: "2026-11-24T09:00:00Z", reason: text }],
    verified: [{ digest: DIGEST, at: "2026-11-01T00:00:00Z" }],
  };
}

describe("a status file's document", () => {
  it("is what parsing its file gives, for awkward strings and numbers", () => {
    for (const text of AWKWARD) {
      for (const number of NUMBERS) {
        const document = statusDocument(statusWith(text, number));
        const file = serializeStatusDocument(document);
        assert.deepEqual(parseStatus(file, "status.yaml"), document, `${JSON.stringify(text)} with ${number}`);
        assert.equal(file, serializeStatus(statusWith(text, number)));
      }
    }
  });

  it("leaves out undefined members and keeps the file's key order", () => {
    const status = { ...statusWith("x", 1), frozenUntil: undefined, verified: [] };
    const document = statusDocument(status);
    assert.equal("frozenUntil" in document, false);
    assert.deepEqual(Object.keys(document).slice(0, 4), ["apiVersion", "kind", "service", "phase"]);
  });
});
