import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { table } from "../../src/text/index.ts";

describe("text table", () => {
  it("pads every column to its widest cell, leaving the last left-aligned one unpadded", () => {
    assert.deepEqual(
      table(
        ["NAME", "STATE"],
        [
          ["checkout", "rolling out"],
          ["api", "-"],
        ],
      ),
      ["NAME      STATE", "checkout  rolling out", "api       -"],
    );
  });

  it("right-aligns the columns asked for, and no line ends in spaces", () => {
    assert.deepEqual(
      table(
        ["t", "arm", "errors"],
        [
          ["10", "canary", "3"],
          ["120", "baseline", ""],
        ],
        ["right", "left", "right"],
      ),
      ["  t  arm       errors", " 10  canary         3", "120  baseline"],
    );
  });

  it("a missing cell is empty", () => {
    assert.deepEqual(table(["A", "B", "C"], [["x"]]), ["A  B  C", "x"]);
  });
});
