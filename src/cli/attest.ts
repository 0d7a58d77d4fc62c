/**
 * `tollgate attest SERVICE --env ENV --promptfoo FILE --suite NAME [--key PATH] [--by NAME]
 * [--digest DIGEST] [--min-pass-rate R] [--branch NAME] [--base REF] [--repo PATH] [--now TIME]
 * [--json]`: signs an eval run as an attestation of the release and commits it on a new branch
 * `attest/<service>/<env>/<digest>`.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { shortDigest, UserError } from "../model/index.ts";
import { type AttestResult, attestRelease } from "../promote/index.ts";
import { branchOption, envOption, jsonOption, nowOption, repoOption } from "./common-options.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_OK } from "./exit-codes.ts";
import { resolveNow } from "./now.ts";

interface AttestCliOptions {
  env: string;
  promptfoo: string;
  suite: string;
  key?: string;
  by?: string;
  digest?: string;
  minPassRate?: string;
  branch?: string;
  base: string;
  repo: string;
  now?: string;
  json?: boolean;
}

export function attestCommand(ctx: CommandContext): Command {
  return new Command("attest")
    .description(
      "sign an eval run (promptfoo's JSON output) as an in-toto attestation of the release's artifact, and add it to the release file in a commit on a new branch attest/<service>/<env>/<digest> (your checkout is not touched)",
    )
    .argument("<service>", "service name")
    .addOption(envOption("the environment whose release file gets the attestation", { required: true }))
    .requiredOption("--promptfoo <file>", "promptfoo's JSON output (promptfoo eval --output results.json)")
    .requiredOption("--suite <name>", "the eval suite's name and version, e.g. support-golden-v8")
    .option("--key <path>", "the eval runner's Ed25519 private key (default TOLLGATE_EVAL_KEY)")
    .option("--by <name>", "who ran the eval (default: the key's principals in signers.yaml)")
    .option("--digest <digest>", "the artifact digest the eval ran against (default: the release's)")
    .option("--min-pass-rate <rate>", "least share of passing cases for the suite to pass, 0-1", "1")
    .addOption(branchOption("branch to create"))
    .option("--base <ref>", "commit to build on and read the state from", "HEAD")
    .addOption(repoOption("repository root"))
    .addOption(nowOption("attestation time (default: now, or TOLLGATE_NOW)"))
    .addOption(jsonOption())
    .action(async (service: string, options: AttestCliOptions) => {
      const minPassRate = Number(options.minPassRate);
      if (!(minPassRate >= 0 && minPassRate <= 1))
        throw new UserError(`--min-pass-rate ${options.minPassRate}: a share between 0 and 1`);
      const result = await attestRelease({
        repoDir: resolve(ctx.cwd, options.repo),
        service,
        environment: options.env,
        results: resolve(ctx.cwd, options.promptfoo),
        suite: options.suite,
        ...(options.key ? { key: resolve(ctx.cwd, options.key) } : {}),
        ...(options.by ? { by: options.by } : {}),
        ...(options.digest ? { digest: options.digest } : {}),
        minPassRate,
        ...(options.branch ? { branch: options.branch } : {}),
        base: options.base,
        env: ctx.env,
        now: resolveNow(options.now, ctx.env),
      });
      if (options.json) {
        const { envelope, ...fields } = result.attestation;
        ctx.out(
          JSON.stringify(
            {
              ...fields,
              signedBy: envelope?.signatures[0]?.keyid,
              verification: result.verification,
              environment: result.environment,
              service: result.service,
              branch: result.written.branch,
              commit: result.written.commit,
              base: result.base,
            },
            null,
            2,
          ),
        );
      } else for (const line of resultLines(result)) ctx.out(line);
      ctx.exitCode = EXIT_OK;
    });
}

function resultLines(r: AttestResult): string[] {
  const a = r.attestation;
  const v = r.verification;
  return [
    `${a.by} attests ${a.suite} for ${shortDigest(a.digest)} (${r.service} in ${r.environment}): score ${a.score}, ${a.pass ? "pass" : "fail"}, ${a.sampleSize} cases, signed with ${a.envelope?.signatures[0]?.keyid}`,
    v.verified
      ? `  the governance gate counts it: signed by ${v.signer}, an eval runner of signers.yaml`
      : `  the governance gate will not count it as signed: ${v.problem}`,
    `  on branch ${r.written.branch} (commit ${r.written.commit.slice(0, 12)} on ${r.base.slice(0, 12)}); your checkout is unchanged; publish with: git push <remote> ${r.written.branch}`,
  ];
}
