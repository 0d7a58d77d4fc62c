/** Raw Prometheus series to per-interval increments: the rules that the real-server tests do not reach. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  assembleHistograms,
  type Grid,
  rawIncrements,
  type SeriesCells,
  sumSeries,
} from "../../src/telemetry/prometheus/increments.ts";
import { parseApiResponse, type Series } from "../../src/telemetry/prometheus/response.ts";
import { templateMode } from "../../src/telemetry/prometheus/templates.ts";

const I = 10_000;
const grid: Grid = {
  endsMs: [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000],
  intervalMs: I,
  stalenessMs: 25_000,
};

/** A series scraped at `offsets` (ms) with values growing by `per` per scrape, starting at `start`. */
function series(labels: Record<string, string>, times: number[], value: (i: number) => number): Series {
  return { labels: { __name__: "x_total", ...labels }, samples: times.map((ts, i) => ({ ts, value: value(i) })) };
}

function cells(s: Series): SeriesCells {
  return { series: s, cells: rawIncrements(s, grid, "x") };
}

describe("raw counter increments", () => {
  test("several scrapes per interval add up; the increments tile the counter's whole increase", () => {
    const times = Array.from({ length: 105 }, (_, i) => i * 1000 - 9500); // every second
    const s = series({ pod: "a" }, times, (i) => 100 + 3 * i);
    const sums = sumSeries([cells(s)], grid, "none");
    assert.deepEqual(
      sums,
      grid.endsMs.map(() => ({ value: 30 })),
    );
  });

  test("a replaced pod: its series blocks the arm until it is older than the staleness, then drops out", () => {
    const old = series({ pod: "old" }, [-5_000, 5_000, 15_000, 25_000], (i) => 10 * i);
    const fresh = series({ pod: "new" }, [22_000, 32_000, 42_000, 52_000, 62_000, 72_000, 82_000], (i) => 500 + 7 * i);
    const result = sumSeries([cells(old), cells(fresh)], grid, "none");
    assert.deepEqual(result[0], { value: 10 }); // only the old pod exists yet
    assert.deepEqual(result[1], { value: 10 });
    assert.ok(
      "problems" in result[2]! && result[2].problems.some((p) => p.cause === "no-start"),
      "the new pod's first interval",
    );
    assert.ok(
      "problems" in result[3]! && result[3].problems.some((p) => p.cause === "gap"),
      "the old pod stopped recently: missing, not zero",
    );
    assert.ok("problems" in result[4]!, "still within the staleness");
    assert.deepEqual(result[5], { value: 7 }); // the old pod is gone
    assert.deepEqual(result[8], { value: 7 });
  });

  test("no series at all is no data, for every interval", () => {
    const result = sumSeries([], grid, "no x series for the canary arm");
    assert.ok(
      result.every(
        (c) =>
          "problems" in c &&
          c.problems[0]!.cause === "no-data" &&
          c.problems[0]!.reason === "no x series for the canary arm",
      ),
    );
  });
});

describe("classic histograms", () => {
  const bucket = (pod: string, le: string, per: number) =>
    cells(
      series(
        { pod, le },
        grid.endsMs
          .map((e) => e - 3000)
          .concat([-3000])
          .sort((a, b) => a - b),
        (i) => per * i,
      ),
    );
  const sums = (per: number) =>
    sumSeries(
      [cells(series({ pod: "a" }, [-3000, ...grid.endsMs.map((e) => e - 3000)], (i) => per * i))],
      grid,
      "none",
    );

  test("cumulative buckets of several pods become dense non-cumulative counts", () => {
    const buckets = [bucket("a", "100", 2), bucket("a", "+Inf", 5), bucket("b", "100", 1), bucket("b", "+Inf", 1)];
    const result = assembleHistograms(buckets, sums(400), grid, "none");
    assert.deepEqual(result[0], {
      value: {
        buckets: [
          [100, 3],
          [null, 3],
        ],
        sum: 400,
      },
    });
  });

  test("pods with different bucket layouts are insufficient, not merged", () => {
    const buckets = [bucket("a", "100", 2), bucket("a", "+Inf", 5), bucket("b", "200", 1), bucket("b", "+Inf", 1)];
    const result = assembleHistograms(buckets, sums(400), grid, "none");
    assert.ok("problems" in result[0]! && result[0].problems[0]!.cause === "bad-histogram");
  });

  test("a histogram without +Inf is insufficient", () => {
    const result = assembleHistograms([bucket("a", "100", 2)], sums(1), grid, "none");
    assert.ok("problems" in result[0]! && /\+Inf/.test(result[0].problems[0]!.reason));
  });
});

describe("API answers and templates", () => {
  test("NaN and infinities are parsed to numbers so they can be named", () => {
    const parsed = parseApiResponse(
      JSON.stringify({
        status: "success",
        data: {
          resultType: "matrix",
          result: [
            {
              metric: {},
              values: [
                [1, "NaN"],
                [2, "+Inf"],
                [3, "-Inf"],
                [4, "1e3"],
              ],
            },
          ],
        },
      }),
    );
    assert.ok("ok" in parsed && parsed.ok);
    assert.deepEqual(
      parsed.series[0]!.samples.map((s) => s.value),
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1000],
    );
  });

  test("a wrong shape is malformed, an error answer keeps Prometheus's words", () => {
    assert.ok(
      "malformed" in
        parseApiResponse(
          '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}',
        ),
    );
    assert.deepEqual(parseApiResponse('{"status":"error","errorType":"bad_data","error":"parse error"}'), {
      ok: false,
      errorType: "bad_data",
      error: "parse error",
    });
  });

  test("how a template is read follows from its text", () => {
    assert.equal(templateMode('x_total{service="{{service}}",{{armLabel}}="{{arm}}"}'), "raw");
    assert.equal(templateMode("sum(increase(x_total[{{interval}}]))"), "increments");
    assert.equal(templateMode('sum by (pod) (x_total{service="{{service}}"})'), "subquery");
  });
});
