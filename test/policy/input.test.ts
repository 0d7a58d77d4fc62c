import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseEnvironment } from "../../src/model/load.ts";
import { validatorFor } from "../../src/model/schemas.ts";
import { policyEnvironment, policyNow, utcTime } from "../../src/policy/input.ts";

const prod = parseEnvironment(
  readFileSync(new URL("../../environments/prod/environment.yaml", import.meta.url), "utf8"),
  "prod",
);

test("the policy view of an environment has seconds, UTC freezes and filled-in defaults", () => {
  const env = policyEnvironment(prod);
  assert.deepEqual(env.rollout.steps[0], { weight: 5, minSeconds: 600, maxSeconds: 1800 });
  assert.equal(env.telemetry.missingGraceSeconds, 60);
  assert.equal(env.telemetry.missingLimitSeconds, 600);
  assert.equal(env.analysis.minSeconds, 600);
  assert.equal(env.analysis.metrics.error_rate?.enabled, true);
  // "2026-12-21T00:00" in Europe/Berlin (UTC+1 in winter)
  assert.deepEqual(env.windows?.freezes[0], {
    from: "2026-12-20T23:00:00Z",
    until: "2027-01-04T08:00:00Z",
    reason: "year-end change freeze",
  });
  const { ceilings, ...analysis } = prod.analysis;
  const noCeilings = policyEnvironment({ ...prod, analysis, telemetry: { source: "simulated", interval: "10s" } });
  assert.deepEqual(noCeilings.analysis.ceilings, { errorRate: 0.05, p99LatencyMs: 2000, podRestarts: 3 });
  assert.equal(noCeilings.telemetry.missingLimitSeconds, 600);
  assert.ok(ceilings);
});

test("the moment of a decision carries its local weekday and time", () => {
  assert.deepEqual(policyNow(new Date("2026-11-24T10:15:30.250Z"), "Europe/Berlin"), {
    time: "2026-11-24T10:15:30Z",
    timeZone: "Europe/Berlin",
    weekday: "tue",
    localTime: "11:15",
  });
  // Summer time: UTC+2; and the local date can differ from the UTC date.
  assert.equal(policyNow(new Date("2026-07-05T22:30:00Z"), "Europe/Berlin").weekday, "mon");
  assert.equal(policyNow(new Date("2026-07-05T22:30:00Z"), "Europe/Berlin").localTime, "00:30");
  assert.throws(() => policyNow(new Date(), "Mars/Olympus"), /unknown time zone/);
});

test("times given with an offset are normalised to UTC seconds", () => {
  assert.equal(utcTime("2026-11-24T11:15:00.999+01:00"), "2026-11-24T10:15:00Z");
});

test("the policy environment made from every example environment follows the input schema", () => {
  const validate = validatorFor("policy-input");
  for (const name of ["dev", "staging", "prod"]) {
    const env = parseEnvironment(
      readFileSync(new URL(`../../environments/${name}/environment.yaml`, import.meta.url), "utf8"),
      name,
    );
    const example = JSON.parse(
      readFileSync(new URL("../../policies/examples/check-admissible.input.json", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    example.environment = policyEnvironment(env);
    assert.ok(validate(example), `${name}: ${JSON.stringify(validate.errors)}`);
  }
});
