import type { Command } from "commander";
import type { CommandContext } from "./context.ts";
import { telemetryCommand } from "./telemetry-fetch.ts";
import { analyzeCommand } from "./analyze.ts";
import { auditCommand } from "./audit.ts";
import { checkCommand } from "./check.ts";
import { confirmCommand } from "./confirm.ts";
import { digestCommand } from "./digest.ts";
import { explainCommand } from "./explain.ts";
import { policyCommand } from "./policy.ts";
import { promoteCommand } from "./promote.ts";
import { reconcileCommand } from "./reconcile.ts";
import { replayCommand } from "./replay.ts";
import { reportCommand } from "./report.ts";
import { statusCommand } from "./status.ts";
import { validateCommand } from "./validate.ts";

/** Every top-level command, one module each. Add new commands here. */
export const COMMANDS: Array<(ctx: CommandContext) => Command> = [
  validateCommand,
  digestCommand,
  telemetryCommand,
  promoteCommand,
  checkCommand,
  confirmCommand,
  policyCommand,
  reconcileCommand,
  statusCommand,
  auditCommand,
  explainCommand,
  replayCommand,
  reportCommand,
  analyzeCommand,
];
