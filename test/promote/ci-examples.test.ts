import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MARKDOWN_MARKER } from "../../src/promote/check/render.ts";
import { runCli } from "../support/run-cli.ts";
import { readWorkflow, tollgateCommands } from "./ci-workflows.ts";

describe("the CI workflows tollgate init writes", () => {
  it("check: runs tollgate check on pull requests and reviews, and keeps one marked comment", () => {
    const wf = readWorkflow("tollgate-check.yml");
    assert.deepEqual(Object.keys(wf.on).sort(), ["pull_request", "pull_request_review"]);
    assert.deepEqual(wf.on.pull_request?.paths, ["environments/**", "policies/**"]);
    assert.equal(wf.permissions["pull-requests"], "write");
    const [command] = tollgateCommands(wf);
    assert.deepEqual(command, ["check", "--base", "origin/$BASE_REF", "--head", "HEAD", "--format", "markdown"]);
    const steps = wf.jobs.check!.steps;
    const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout"));
    assert.equal(checkout?.with?.["fetch-depth"], 0, "the merge base must be in the clone");
    assert.ok(
      steps.find((s) => s.name === "tollgate check")?.env?.TOLLGATE_APPROVERS,
      "approvers are passed to the check",
    );
    const comment = steps.find((s) => s.uses?.startsWith("actions/github-script"));
    assert.ok(
      String(comment?.with?.script).includes(`const marker = "${MARKDOWN_MARKER}"`),
      "the script finds the comment by the report's first line",
    );
    assert.match(steps.at(-1)?.run ?? "", /exit 1/, "a blocking gate fails the job");
  });

  it("policy test: runs tollgate policy test (and build) when policies change", async () => {
    const wf = readWorkflow("tollgate-policy-test.yml");
    assert.deepEqual(wf.on.pull_request?.paths, ["policies/**"]);
    const commands = tollgateCommands(wf);
    assert.deepEqual(commands, [
      ["policy", "test", "policies"],
      ["policy", "build", "policies", "--out", "build/policy"],
    ]);
    for (const args of commands) {
      const help = await runCli([...args.slice(0, 2), "--help"]);
      assert.equal(help.code, 0, `tollgate ${args.slice(0, 2).join(" ")} exists`);
    }
  });
});
