/**
 * Reads a judge configuration file (`tollgate analyze --config FILE`): either an environment.yaml
 * (its `analysis` section is used) or a file in the format of schemas/analysis-config.schema.json.
 * Problems name the file, line and field.
 */
import { readFile } from "node:fs/promises";
import {
  type AnalysisSettings,
  assertValid,
  type MetricAnalysis,
  type MetricName,
  parseDuration,
  parseEnvironment,
  parseYamlSource,
  UserError,
} from "../model/index.ts";
import {
  DEFAULT_STREAMS,
  defaultFixedThresholdConfig,
  defaultMannWhitneyConfig,
  defaultSequentialConfig,
  FINAL_ALPHA_SHARE,
  type JudgeConfig,
  judgeConfigFromSettings,
} from "./config.ts";
import type { StreamConfig, StreamKind } from "./streams.ts";

/** The file format (see schemas/analysis-config.schema.json). Durations are strings such as `15m`. */
export interface AnalysisConfigFile {
  judge: AnalysisSettings["judge"];
  alpha?: number;
  minDuration?: string;
  metrics?: Partial<Record<MetricName, MetricAnalysis>>;
  ceilings?: AnalysisSettings["ceilings"];
  sequential?: {
    promoteAlpha?: number;
    finalAlpha?: number;
    leanLimit?: number;
    streams?: Partial<
      Record<StreamKind, Partial<Omit<StreamConfig, "stream" | "warmup">> & { enabled?: boolean; warmup?: string }>
    >;
  };
  mannWhitney?: {
    pValue?: number;
    effectRatio?: number;
    firstCheck?: string;
    checkEvery?: string;
    bake?: string | null;
  };
  fixedThreshold?: {
    errorWindow?: string;
    p99Window?: string;
    firstCheck?: string;
    checkEvery?: string;
    bake?: string | null;
  };
}

export async function loadJudgeConfig(file: string): Promise<JudgeConfig> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  return parseJudgeConfig(text, file);
}

export function parseJudgeConfig(text: string, file: string): JudgeConfig {
  const source = parseYamlSource(text, file);
  const value = source.value as { kind?: unknown } | null;
  if (value && typeof value === "object" && value.kind === "Environment") {
    return judgeConfigFromSettings(parseEnvironment(text, file).analysis);
  }
  return fromFile(assertValid<AnalysisConfigFile>("analysis-config", source));
}

const seconds = (d: string) => parseDuration(d) / 1000;
const bakeOf = (b: string | null | undefined, fallback: number | null) =>
  b === undefined ? fallback : b === null ? null : seconds(b);

function fromFile(f: AnalysisConfigFile): JudgeConfig {
  if (f.judge === "mann-whitney") {
    const m = f.mannWhitney ?? {};
    const base = defaultMannWhitneyConfig();
    return defaultMannWhitneyConfig({
      pValue: m.pValue ?? base.pValue,
      effectRatio: m.effectRatio ?? base.effectRatio,
      firstCheck: m.firstCheck ? seconds(m.firstCheck) : base.firstCheck,
      checkEvery: m.checkEvery ? seconds(m.checkEvery) : base.checkEvery,
      bake: bakeOf(m.bake, base.bake),
    });
  }
  if (f.judge === "fixed-threshold") {
    const x = f.fixedThreshold ?? {};
    const base = defaultFixedThresholdConfig();
    return defaultFixedThresholdConfig({
      errorRate: f.ceilings?.errorRate ?? base.errorRate,
      p99Ms: f.ceilings?.p99LatencyMs ?? base.p99Ms,
      errorWindow: x.errorWindow ? seconds(x.errorWindow) : base.errorWindow,
      p99Window: x.p99Window ? seconds(x.p99Window) : base.p99Window,
      firstCheck: x.firstCheck ? seconds(x.firstCheck) : base.firstCheck,
      checkEvery: x.checkEvery ? seconds(x.checkEvery) : base.checkEvery,
      bake: bakeOf(x.bake, base.bake),
    });
  }
  const defaults = defaultSequentialConfig();
  const fromMetrics = f.metrics
    ? judgeConfigFromSettings({
        judge: "sequential",
        alpha: f.alpha ?? defaults.alpha,
        minDuration: f.minDuration ?? "15m",
        metrics: f.metrics,
      })
    : undefined;
  const streams = (fromMetrics && fromMetrics.judge === "sequential" ? fromMetrics.streams : defaults.streams).map(
    (s) => ({ ...s }),
  );
  const overrides = f.sequential?.streams ?? {};
  for (const [kind, o] of Object.entries(overrides) as Array<
    [StreamKind, NonNullable<(typeof overrides)[StreamKind]>]
  >) {
    let stream = streams.find((s) => s.stream === kind);
    if (!stream) {
      const base = DEFAULT_STREAMS.find((s) => s.stream === kind);
      stream = base
        ? { ...base }
        : { stream: kind, harm: "increase", tolerance: 0.25, materialRatio: 2, alphaShare: 1, warmup: 60 };
      streams.push(stream);
    }
    if (o.harm !== undefined) stream.harm = o.harm;
    if (o.tolerance !== undefined) stream.tolerance = o.tolerance;
    if (o.materialRatio !== undefined) stream.materialRatio = o.materialRatio;
    if (o.materialIncrease !== undefined) stream.materialIncrease = o.materialIncrease;
    if (o.guard !== undefined) stream.guard = o.guard;
    if (o.alphaShare !== undefined) stream.alphaShare = o.alphaShare;
    if (o.warmup !== undefined) stream.warmup = seconds(o.warmup);
    if (o.enabled === false) streams.splice(streams.indexOf(stream), 1);
  }
  if (streams.length === 0) throw new UserError("the sequential judge needs at least one metric stream");
  const alpha = f.alpha ?? defaults.alpha;
  const finalAlpha = f.sequential?.finalAlpha ?? alpha * FINAL_ALPHA_SHARE;
  if (finalAlpha >= alpha)
    throw new UserError(
      `sequential.finalAlpha (${finalAlpha}) must be below alpha (${alpha}): the e-processes need a share of the budget`,
    );
  return {
    judge: "sequential",
    alpha,
    finalAlpha,
    promoteAlpha: f.sequential?.promoteAlpha ?? f.alpha ?? defaults.promoteAlpha,
    minDuration: f.minDuration ? seconds(f.minDuration) : defaults.minDuration,
    leanLimit: f.sequential?.leanLimit ?? defaults.leanLimit,
    streams,
  };
}
