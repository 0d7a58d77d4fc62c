import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffMs, retry } from "../../src/async/index.ts";

describe("retry", () => {
  it("waits twice as long before each further try, up to the cap, with jitter around it", () => {
    const policy = { attempts: 6, backoffMs: 100, maxBackoffMs: 300 };
    assert.deepEqual(
      [2, 3, 4, 5].map((a) => backoffMs(policy, a)),
      [100, 200, 300, 300],
    );
    const jittered = { ...policy, jitter: 0.5 };
    assert.equal(
      backoffMs(jittered, 3, () => 0),
      100,
    );
    assert.equal(
      backoffMs(jittered, 3, () => 0.999999),
      300,
    );
  });

  it("tries again only while the result is worth it, and at most `attempts` times", async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const results = ["busy", "busy", "done", "busy"];
    const run = await retry(
      { attempts: 5, backoffMs: 10 },
      async (n) => results[n - 1]!,
      (r) => r === "busy",
      {
        sleep,
      },
    );
    assert.deepEqual(run, { result: "done", attempts: 3, aborted: false });
    assert.deepEqual(waits, [10, 20]);

    const gaveUp = await retry(
      { attempts: 2, backoffMs: 10 },
      async () => "busy",
      (r) => r === "busy",
      { sleep },
    );
    assert.deepEqual(gaveUp, { result: "busy", attempts: 2, aborted: false });
  });

  it("an abort ends the wait and no further try is made", async () => {
    const controller = new AbortController();
    let tries = 0;
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    const run = await retry(
      { attempts: 5, backoffMs: 60_000 },
      async () => ++tries,
      () => true,
      { signal: controller.signal },
    );
    assert.deepEqual(run, { result: 1, attempts: 1, aborted: true });
    assert.ok(Date.now() - started < 30_000, "the minute-long wait was cut short");
  });

  it("an error thrown by a try is not retried", async () => {
    let tries = 0;
    await assert.rejects(
      retry(
        { attempts: 5, backoffMs: 1 },
        async () => {
          tries++;
          throw new Error("bad credentials");
        },
        () => true,
      ),
      /bad credentials/,
    );
    assert.equal(tries, 1);
  });
});
