import { main } from "../../src/cli/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tollgate command in-process and captures its output. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (s) => {
      stdout += s.endsWith("\n") ? s : `${s}\n`;
    },
    err: (s) => {
      stderr += s.endsWith("\n") ? s : `${s}\n`;
    },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
  });
  return { code, stdout, stderr };
}
