import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidInputError } from "../../src/model/errors.ts";
import { type IntervalRecord, parseRecord, RecordOrderCheck, validateRecords } from "../../src/telemetry/records.ts";
import {
  formatRecord,
  listScenarioFiles,
  openScenarioFile,
  parseScenarioText,
  ScenarioFileWriter,
  writeScenarioFile,
} from "../../src/telemetry/scenario-file.ts";

const GOOD: IntervalRecord = {
  t: 70,
  arm: "canary",
  requests: 204,
  errors: 3,
  tasks: 204,
  interventions: 5,
  latencyMs: {
    buckets: [
      [100, 20],
      [200, 150],
      [400, 30],
      [null, 4],
    ],
    sum: 41234.5,
  },
  costUsd: {
    buckets: [
      [0.01, 50],
      [0.02, 100],
      [null, 54],
    ],
    sum: 4.12,
  },
};

const HEADER = { scenario: "s1", interval: 10, analysisStart: 60, horizon: 1800 };

/** Parses `value` as line 7 of file f.ndjson and returns the problems' text. */
function rejection(value: unknown): string {
  try {
    parseRecord(value, { file: "f.ndjson", line: 7 });
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("the record was accepted");
}

describe("interval records", () => {
  it("accepts the documented format and records with metrics left out", () => {
    assert.deepEqual(parseRecord(structuredClone(GOOD), { file: "f", line: 1 }), GOOD);
    assert.deepEqual(parseRecord({ t: 10, arm: "baseline", requests: 0 }, { file: "f", line: 1 }), {
      t: 10,
      arm: "baseline",
      requests: 0,
    });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      "a negative count",
      { ...GOOD, errors: -1 },
      /f\.ndjson:7: errors must be a finite count ≥ 0, got -1 \(field \/errors\)/,
    ],
    ["NaN written as a string", { ...GOOD, requests: "NaN" }, /f\.ndjson:7: requests must be a finite count.*"NaN"/],
    ["an unknown arm", { ...GOOD, arm: "stable" }, /f\.ndjson:7: arm must be "canary" or "baseline", got "stable"/],
    ["a negative time", { ...GOOD, t: -10 }, /f\.ndjson:7: t must be a finite number of seconds ≥ 0/],
    ["errors above requests", { ...GOOD, errors: 300 }, /errors \(300\) exceed requests \(204\)/],
    ["errors without requests", { t: 10, arm: "canary", errors: 1 }, /errors given without requests/],
    ["an unknown field", { ...GOOD, latency: 3 }, /unknown field "latency"/],
    [
      "unsorted buckets",
      {
        ...GOOD,
        latencyMs: {
          buckets: [
            [200, 1],
            [100, 1],
            [null, 0],
          ],
          sum: 1,
        },
      },
      /f\.ndjson:7: bounds must be finite and strictly ascending from 0, got 100 after 200 \(field \/latencyMs\/buckets\/1\/0\)/,
    ],
    [
      "a last bound that is not +Inf",
      { ...GOOD, costUsd: { buckets: [[1, 2]], sum: 1 } },
      /last bucket's bound must be null/,
    ],
    [
      "+Inf before the last bucket",
      {
        ...GOOD,
        costUsd: {
          buckets: [
            [null, 2],
            [null, 0],
          ],
          sum: 1,
        },
      },
      /only the last bucket may have a null/,
    ],
    [
      "a negative bucket count",
      {
        ...GOOD,
        costUsd: {
          buckets: [
            [1, -2],
            [null, 0],
          ],
          sum: 1,
        },
      },
      /bucket count must be a finite number ≥ 0, got -2/,
    ],
    ["a missing sum", { ...GOOD, costUsd: { buckets: [[null, 0]] } }, /sum must be a finite number ≥ 0/],
    ["not an object", [1, 2], /f\.ndjson:7: expected a JSON object/],
  ];
  for (const [what, value, message] of bad) {
    it(`rejects ${what}, naming file and line`, () => assert.match(rejection(value), message));
  }

  it("rejects time going backwards and a second record of an arm at the same time", () => {
    const order = new RecordOrderCheck();
    order.check({ t: 20, arm: "canary" }, { file: "f", line: 2 });
    order.check({ t: 20, arm: "baseline" }, { file: "f", line: 3 });
    assert.throws(
      () => order.check({ t: 20, arm: "canary" }, { file: "f", line: 4 }),
      /f:4: second canary record for t = 20/,
    );
    assert.throws(
      () => order.check({ t: 10, arm: "canary" }, { file: "f", line: 5 }),
      /f:5: time goes backwards: t = 10 after t = 20/,
    );
    assert.throws(() => validateRecords([GOOD, { ...GOOD, t: 60 }], "source"), /source:2: time goes backwards/);
  });
});

describe("scenario files", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-records-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a file that reads back to the same header and records, as a stream", async () => {
    const records: IntervalRecord[] = [
      GOOD,
      { ...GOOD, arm: "baseline" },
      { t: 80, arm: "canary", requests: 10, errors: 0 },
    ];
    const file = join(dir, "a.ndjson");
    await writeScenarioFile(file, HEADER, records);
    const text = await readFile(file, "utf8");
    assert.equal(text.split("\n")[1], formatRecord(GOOD));
    assert.deepEqual(JSON.parse(formatRecord(GOOD)), GOOD);
    const stream = await openScenarioFile(file);
    assert.deepEqual(stream.header, HEADER);
    const back: IntervalRecord[] = [];
    for await (const r of stream.records) back.push(r);
    assert.deepEqual(back, records);
    assert.deepEqual(parseScenarioText(text, file), { header: HEADER, records });
  });

  it("names the file and line of a bad record met while streaming", async () => {
    const file = join(dir, "bad.ndjson");
    const lines = [JSON.stringify(HEADER), formatRecord(GOOD), "", formatRecord({ ...GOOD, t: 50 })];
    await writeFile(file, `${lines.join("\n")}\n`);
    const stream = await openScenarioFile(file);
    await assert.rejects(
      async () => {
        for await (const _ of stream.records) {
          // read on
        }
      },
      new RegExp(`${file.replace(/[.+]/g, "\\$&")}:4: time goes backwards`),
    );
  });

  it("names the line of a line that is not JSON, and a bad or missing header", async () => {
    assert.throws(
      () => parseScenarioText(`${JSON.stringify(HEADER)}\n{"t": 10, "arm":`, "x.ndjson"),
      /x\.ndjson:2: not valid JSON/,
    );
    assert.throws(
      () => parseScenarioText(`{"scenario": "", "interval": 0, "analysisStart": 60, "horizon": 1800}\n`, "h.ndjson"),
      /h\.ndjson:1: scenario must be a non-empty string[\s\S]*interval must be seconds > 0/,
    );
    const empty = join(dir, "empty.ndjson");
    await writeFile(empty, "\n\n");
    await assert.rejects(openScenarioFile(empty), /empty\.ndjson:2: empty scenario file/);
  });

  it("leaves no file behind when writing is aborted, and lists folders recursively", async () => {
    const sub = join(dir, "set");
    await writeScenarioFile(join(dir, "b.jsonl"), HEADER, []);
    const writer = await ScenarioFileWriter.create(join(dir, "never.ndjson"), HEADER);
    await writer.write(GOOD);
    await writer.abort();
    assert.ok(!(await readdir(dir)).some((f) => f.includes("never")));
    await writeScenarioFile(join(dir, "set-c.ndjson"), HEADER, []);
    await assert.rejects(listScenarioFiles([join(sub, "nope")]), /no such file or folder/);
    const listed = (await listScenarioFiles([dir])).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(listed, ["a.ndjson", "b.jsonl", "bad.ndjson", "empty.ndjson", "set-c.ndjson"]);
  });
});
