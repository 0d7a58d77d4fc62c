/**
 * Helpers for whoever builds a PolicyInput (the reconciler, `tollgate check`): the environment as
 * the policy sees it (durations in seconds, times in UTC, defaults filled in) and the moment of the
 * decision in the environment's time zone. The policy itself never reads a clock or parses a time.
 */
import { DateTime } from "luxon";
import { type Environment, parseDuration, UserError, type Weekday } from "../model/index.ts";
import type { PolicyEnvironment, PolicyMetricSettings, PolicyNow, UtcTime } from "./types.ts";

/** Absolute backstops used when an environment sets none (the defaults). */
export const DEFAULT_CEILINGS = { errorRate: 0.05, p99LatencyMs: 2000, podRestarts: 3 } as const;
/** Telemetry gaps used when an environment sets none. */
export const DEFAULT_MISSING_GRACE = "1m";
export const DEFAULT_MISSING_LIMIT = "10m";

const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function seconds(duration: string): number {
  return Math.round(parseDuration(duration) / 1000);
}

/** `2026-11-24T10:15:00Z`: the one form of absolute time in the policy input. */
export function utcTime(moment: Date | string): UtcTime {
  const dt = typeof moment === "string" ? DateTime.fromISO(moment, { setZone: true }) : DateTime.fromJSDate(moment);
  if (!dt.isValid)
    throw new UserError(`invalid time "${String(moment)}": ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** The moment of a decision, with its weekday and wall-clock time in `timeZone`. */
export function policyNow(moment: Date, timeZone = "UTC"): PolicyNow {
  const local = DateTime.fromJSDate(moment).setZone(timeZone);
  if (!local.isValid) throw new UserError(`unknown time zone "${timeZone}"`);
  return { time: utcTime(moment), timeZone, weekday: WEEKDAYS[local.weekday - 1]!, localTime: local.toFormat("HH:mm") };
}

/** A freeze bound: an RFC 3339 time, or a local `YYYY-MM-DDTHH:MM` in the windows' time zone. */
function freezeBound(text: string, timeZone: string): UtcTime {
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(text);
  const dt = hasZone ? DateTime.fromISO(text, { setZone: true }) : DateTime.fromISO(text, { zone: timeZone });
  if (!dt.isValid) throw new UserError(`invalid freeze time "${text}" in time zone ${timeZone}`);
  return dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}

/** The environment's settings as the guardrails read them. */
export function policyEnvironment(env: Environment): PolicyEnvironment {
  const metrics: Partial<Record<string, PolicyMetricSettings>> = {};
  for (const [name, m] of Object.entries(env.analysis.metrics)) {
    if (!m) continue;
    metrics[name] = {
      tolerance: m.tolerance,
      ...(m.materialRatio !== undefined ? { materialRatio: m.materialRatio } : {}),
      enabled: m.enabled ?? true,
    };
  }
  const windows = env.windows;
  return {
    name: env.name,
    promotesFrom: env.promotesFrom,
    protected: env.protected,
    rollout: {
      steps: env.rollout.steps.map((s) => ({
        weight: s.weight,
        minSeconds: seconds(s.minDuration),
        maxSeconds: seconds(s.maxDuration),
        ...(s.confirm ? { confirm: true as const } : {}),
      })),
      freezeAfterRollbackSeconds: seconds(env.rollout.freezeAfterRollback),
    },
    telemetry: {
      missingGraceSeconds: seconds(env.telemetry.missingGrace ?? DEFAULT_MISSING_GRACE),
      missingLimitSeconds: seconds(env.telemetry.missingLimit ?? DEFAULT_MISSING_LIMIT),
    },
    analysis: {
      minSeconds: seconds(env.analysis.minDuration),
      lowTraffic: env.analysis.lowTraffic ?? "advance",
      metrics: metrics as PolicyEnvironment["analysis"]["metrics"],
      ceilings: { ...DEFAULT_CEILINGS, ...env.analysis.ceilings },
    },
    budgets: { ...env.budgets },
    approvals: {
      required: env.approvals.required,
      approvers: [...(env.approvals.approvers ?? [])],
      for: [...env.approvals.for],
    },
    ...(windows
      ? {
          windows: {
            timeZone: windows.timeZone,
            allow: (windows.allow ?? []).map((w) => ({ days: [...w.days], start: w.start, end: w.end })),
            freezes: (windows.freezes ?? []).map((f) => ({
              from: freezeBound(f.from, windows.timeZone),
              until: freezeBound(f.until, windows.timeZone),
              reason: f.reason,
            })),
          },
        }
      : {}),
    governance: {
      minEvalScore: env.governance.minEvalScore,
      requireEvalFor: [...env.governance.requireEvalFor],
      requireSignedEvals: env.governance.requireSignedEvals ?? false,
    },
  };
}
