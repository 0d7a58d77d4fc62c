import { UserError } from "../model/errors.ts";

/** An evidence document about to be written is over the size cap. */
export class EvidenceTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `evidence document is ${bytes} bytes, over the ${limit}-byte limit: the step has been observed too long (its records go into every decision's evidence); promote, roll back or set the release back to end it`,
    );
    this.name = "EvidenceTooLargeError";
  }
}

export type EvidenceProblem = "missing" | "digest-mismatch" | "not-json" | "too-large" | "bad-digest";

/** An evidence document that is absent, altered, or unreadable. */
export class EvidenceError extends UserError {
  constructor(
    readonly problem: EvidenceProblem,
    readonly digest: string,
    message: string,
  ) {
    super(message);
    this.name = "EvidenceError";
  }
}
