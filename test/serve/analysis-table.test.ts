import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_RECORDED_E_VALUE, UNBOUNDED_RATIO } from "../../src/model/index.ts";
import { analysisTable } from "../../src/serve/pages/analysis-table.ts";

test("an upper bound recorded at its cap reads as unbounded, an e-value at its cap as a floor", () => {
  const html = analysisTable(
    {
      error_rate: {
        verdict: "inconclusive",
        reason: "undecided",
        effect: { estimate: 1.2, lower: 0.4, upper: UNBOUNDED_RATIO },
        eValue: MAX_RECORDED_E_VALUE,
        eValueThreshold: 20,
        samples: { canary: 10, baseline: 100 },
        dataAgeSeconds: 5,
      },
      latency: {
        verdict: "pass",
        reason: "not-worse",
        effect: { estimate: 1.01, lower: 0.98, upper: 1.04 },
        eValue: 0.5,
        eValueThreshold: 20,
        samples: { canary: 1000, baseline: 1000 },
        dataAgeSeconds: 5,
      },
    },
    "analysis",
  );
  assert.match(html, /\[0\.400, ∞\]/);
  assert.doesNotMatch(html, /1000000/);
  assert.match(html, /≥1e\+9 of 20\.0/);
  assert.match(html, /\[0\.980, 1\.040\]/);
  assert.match(html, /0\.500 of 20\.0/);
});
