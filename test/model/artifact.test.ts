import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { artifactDigest, sealArtifact, shortDigest } from "../../src/model/artifact-digest.ts";
import { diffArtifacts } from "../../src/model/artifact-diff.ts";
import { canonicalJson, canonicalJsonOfStringified } from "../../src/model/canonical-json.ts";
import { formatDuration, parseDuration } from "../../src/model/duration.ts";
import type { ArtifactParts } from "../../src/model/types.ts";

const hex = (c: string) => c.repeat(64);
const parts: ArtifactParts = {
  code: { image: `ghcr.io/acme/agent@sha256:${hex("a")}`, sourceCommit: "b".repeat(40) },
  model: { provider: "anthropic", name: "claude-sonnet-4-5", snapshot: "20250929" },
  prompts: { digest: `sha256:${hex("c")}` },
  tools: { manifestDigest: `sha256:${hex("d")}`, allowed: ["search_kb", "create_ticket"] },
  index: { buildId: "kb-1", digest: `sha256:${hex("e")}` },
};

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: null, y: "é" }], c: true } }),
      '{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}',
    );
  });
  it("omits undefined members and refuses non-finite numbers", () => {
    assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
    assert.throws(() => canonicalJson({ a: Number.NaN }), /cannot encode NaN/);
  });
  it("encodes a value as JSON.stringify then JSON.parse would leave it, without the copy", () => {
    const value = {
      z: [1, Number.NaN, undefined, Number.POSITIVE_INFINITY, { b: -0, a: 'q"\u0001' }],
      y: { skipped: undefined, f: () => 1, at: new Date(0), deep: [[Number.NEGATIVE_INFINITY]] },
      x: null,
    };
    assert.equal(canonicalJsonOfStringified(value), canonicalJson(JSON.parse(JSON.stringify(value))));
    assert.equal(
      canonicalJsonOfStringified(value),
      '{"x":null,"y":{"at":"1970-01-01T00:00:00.000Z","deep":[[null]]},"z":[1,null,null,null,{"a":"q\\"\\u0001","b":0}]}',
    );
  });
});

describe("artifact digest", () => {
  it("is sha256 over the documented canonical form", () => {
    const expectedText =
      `{"code":{"image":"ghcr.io/acme/agent@sha256:${hex("a")}","sourceCommit":"${"b".repeat(40)}"},` +
      `"index":{"buildId":"kb-1","digest":"sha256:${hex("e")}"},` +
      `"model":{"name":"claude-sonnet-4-5","provider":"anthropic","snapshot":"20250929"},` +
      `"prompts":{"digest":"sha256:${hex("c")}"},` +
      `"tools":{"allowed":["create_ticket","search_kb"],"manifestDigest":"sha256:${hex("d")}"}}`;
    const expected = `sha256:${createHash("sha256").update(expectedText, "utf8").digest("hex")}`;
    assert.equal(artifactDigest(parts), expected);
  });
  it("treats the allowed tools as a set", () => {
    const reordered = { ...parts, tools: { ...parts.tools, allowed: ["create_ticket", "search_kb"] } };
    assert.equal(artifactDigest(reordered), artifactDigest(parts));
  });
  it("changes when any part changes", () => {
    const base = artifactDigest(parts);
    const variants: ArtifactParts[] = [
      { ...parts, code: { ...parts.code, sourceCommit: "c".repeat(40) } },
      { ...parts, model: { ...parts.model, snapshot: "20251001" } },
      { ...parts, prompts: { digest: `sha256:${hex("f")}` } },
      { ...parts, tools: { ...parts.tools, allowed: ["search_kb"] } },
      { ...parts, index: { ...parts.index, buildId: "kb-2" } },
    ];
    const digests = new Set(variants.map(artifactDigest));
    assert.equal(digests.size, variants.length);
    assert.ok(!digests.has(base));
  });
  it("shortens for display", () => {
    assert.equal(shortDigest(`sha256:${"0123456789ab".repeat(5)}0123`), "0123456789ab");
    assert.equal(shortDigest(undefined), "none");
  });
});

describe("artifact diff", () => {
  const from = sealArtifact(parts);
  it("names each changed part in one line", () => {
    const to = sealArtifact({
      ...parts,
      model: { ...parts.model, snapshot: "20251101" },
      tools: { manifestDigest: `sha256:${hex("9")}`, allowed: ["search_kb", "issue_refund"] },
    });
    const diff = diffArtifacts(from, to);
    assert.deepEqual(diff.changed, ["model", "tools"]);
    assert.equal(
      diff.summary,
      "model claude-sonnet-4-5 snapshot 20250929 → 20251101; tools +issue_refund, -create_ticket, manifest dddddddddddd → 999999999999",
    );
  });
  it("says no change for the same artifact", () => {
    const diff = diffArtifacts(from, sealArtifact(parts));
    assert.deepEqual(diff.changed, []);
    assert.equal(diff.summary, "no change");
  });
  it("describes a provider switch and a first release", () => {
    const to = sealArtifact({ ...parts, model: { provider: "openai", name: "gpt-5", snapshot: "2026-01" } });
    assert.equal(diffArtifacts(from, to).summary, "model anthropic/claude-sonnet-4-5@20250929 → openai/gpt-5@2026-01");
    assert.match(diffArtifacts(undefined, to).summary, /^new artifact [0-9a-f]{12}$/);
  });
});

describe("durations", () => {
  it("parses compound durations", () => {
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("250ms"), 250);
    assert.throws(() => parseDuration("5 minutes"), /invalid duration/);
    assert.throws(() => parseDuration("5m3"), /invalid duration/);
  });
  it("formats compactly", () => {
    assert.equal(formatDuration(90_000), "1m30s");
    assert.equal(formatDuration(3_600_000), "1h");
    assert.equal(formatDuration(0), "0ms");
  });
});
