/**
 * Scenario families of the decision-quality benchmark: the design page's standard world and the hard
 * conditions of issue 22, each a change of the simulated world (or of when regressions begin) with
 * healthy canaries and the standard bad kinds. `--family NAME[,NAME]` or `--family all`.
 */
import type { WorldSettings } from "../../src/telemetry/simulated/generator.ts";
import { BENCHMARK_BAD_KINDS, type ProfileName } from "../../src/telemetry/simulated/profiles.ts";

export interface Family {
  name: string;
  /** One line for the table's legend. */
  title: string;
  world: Partial<WorldSettings>;
  /** Regressions begin at a time drawn per scenario, uniformly in [from, to] seconds; else at deploy. */
  onset?: [number, number];
  /** The lowest traffic: detection is compared with the reference judge instead of the 95% target. */
  lowestTraffic?: boolean;
  /**
   * A broken traffic split: the canary gets this multiple of the share its step set, drawn per
   * scenario (log-uniform). The right outcome is a hold, healthy or bad: no promotion, no detection
   * target (a person is asked before the metrics are judged on the wrong split).
   */
  canaryTraffic?: [number, number];
}

export const FAMILIES: readonly Family[] = [
  { name: "standard", title: "the design page's world (20 req/s per arm, regressions at deploy)", world: {} },
  { name: "low-2rps", title: "2 requests per second per arm", world: { serviceRatePerSecond: 20 } },
  { name: "low-1rps", title: "1 request per second per arm", world: { serviceRatePerSecond: 10 } },
  {
    name: "low-0.2rps",
    title: "0.2 requests per second per arm",
    world: { serviceRatePerSecond: 2 },
    lowestTraffic: true,
  },
  { name: "mid-step", title: "regressions begin 3–7 minutes into the step", world: {}, onset: [180, 420] },
  {
    name: "steep-diurnal",
    title: "traffic ×(1 ± 0.8) over a one-hour cycle (half a cycle per stage), latency follows load",
    world: { diurnalAmplitude: 0.8, diurnalPeriodSeconds: 3600 },
  },
  {
    name: "incidents",
    title: "6 incidents per 30 min hitting both arms, 10 s–3 min, latency ×1.3–3, errors +0–20 pp",
    world: { incidentsPer30Min: 6, incidentSeconds: [10, 180], incidentErrorAdd: [0, 0.2] },
  },
  {
    name: "scrape-gaps",
    title: "3 gaps per 30 min in one arm's scrapes, 1–5 min each (records lost)",
    world: { scrapeGapsPer30Min: 3, scrapeGapSeconds: [60, 300] },
  },
  {
    name: "cold-start",
    title: "canary latency ×(1 + A·e^(−t/τ)), A up to 1, τ 20–90 s (healthy by definition)",
    world: { coldStartMax: 1, coldStartSeconds: 20, coldStartSecondsMax: 90 },
  },
  {
    name: "split",
    title: "mismatched split: the canary gets 0.2–0.6× the share its step set (baseline as set)",
    world: {},
    canaryTraffic: [0.2, 0.6],
  },
];

/** The bad kinds of every family. */
export const FAMILY_BAD_KINDS: readonly ProfileName[] = BENCHMARK_BAD_KINDS;

/**
 * Kinds at or above the default judge's material effect (error rate +0.5 pp or ×1.5, p99/p50 and
 * latency ×1.25, interventions ×1.5); p99+10% and cost+20% are below it. The creep passes ×1.25 at
 * minute 8. Issue 22's detection target counts these.
 */
export const MATERIAL_KINDS: ReadonlySet<ProfileName> = new Set([
  "err+0.5pp",
  "err+2pp",
  "err x3",
  "p99+30%",
  "intv x2",
  "lat creep",
]);

export function familiesNamed(text: string): Family[] {
  if (text === "all") return [...FAMILIES];
  return text.split(",").map((name) => {
    const family = FAMILIES.find((f) => f.name === name);
    if (!family) throw new Error(`unknown family "${name}" (known: all, ${FAMILIES.map((f) => f.name).join(", ")})`);
    return family;
  });
}
