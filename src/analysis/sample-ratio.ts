/**
 * Sample ratio mismatch: is the canary getting the share of requests its step set? A split that is
 * not what the step set (a routing rule that did not apply, canary pods failing readiness, a sticky
 * session pinning users) makes every comparison of the two arms suspect, and it is invisible in the
 * metrics themselves.
 *
 * Per interval with both arms scraped, the canary's requests out of both arms' are, under the
 * intended split, Binomial(n, π0) with π0 the expected canary share (w/100 when the baseline is the
 * stable version serving the rest, ½ with a matched baseline). That is the count model of
 * eprocess/count.ts with requests as events and the weights as exposures: the ratio r of the
 * canary's per-weight traffic to the baseline's is 1 on a correct split. Two one-sided e-processes
 * test "r ≥ 1/(1 + tolerance)" (too little canary traffic) and "r ≤ 1 + tolerance" (too much), each
 * with half of `alpha`; the tolerance absorbs load balancers that split only approximately.
 */
import { CountEProcess, gridMixture } from "./eprocess/count.ts";
import type { Tick } from "./observations.ts";

export interface SampleRatioSettings {
  /** Expected canary share of the two arms' requests, in (0, 1). */
  expectedShare: number;
  /** Relative tolerance of the per-weight traffic ratio (0.25: a 5% step may give 4%–6.25%). */
  tolerance: number;
  /** Chance of holding a correct split, over the whole step. */
  alpha: number;
}

export const DEFAULT_SAMPLE_RATIO: Omit<SampleRatioSettings, "expectedShare"> = Object.freeze({
  tolerance: 0.25,
  alpha: 0.001,
});

/** What the test says, for the report, the policy input and the evidence. */
export interface SampleRatioReport {
  expectedShare: number;
  /** Canary requests / both arms' requests over the intervals used (NaN without any). */
  observedShare: number;
  canaryRequests: number;
  baselineRequests: number;
  /** The larger of the two one-sided e-values, and the threshold either must reach. */
  eValue: number;
  threshold: number;
  /** Decision time at which the split was first shown to be off; null while it is not. */
  mismatchAt: number | null;
  reason: string;
}

/** Mixture concentrated on the large mismatches that matter; the tolerance covers the small ones. */
const MIXTURE = gridMixture(0.1, 3, 0.2);

export class SampleRatioTest {
  /** Evidence the canary gets too little (arms swapped: the baseline's excess is the "harm")... */
  private readonly tooLittle: CountEProcess;
  /** ...and too much. */
  private readonly tooMuch: CountEProcess;
  private readonly logThreshold: number;
  private mismatchAt: number | null = null;

  constructor(readonly settings: SampleRatioSettings) {
    const test = {
      nullRatio: 1 + settings.tolerance,
      badRatio: 1 + settings.tolerance,
      burstFactor: 0,
      rollbackOnly: true,
    };
    this.tooLittle = new CountEProcess(test, MIXTURE);
    this.tooMuch = new CountEProcess(test, MIXTURE);
    this.logThreshold = Math.log(2 / settings.alpha);
  }

  observe(tick: Tick): void {
    const nc = tick.canary?.record.requests;
    const nb = tick.baseline?.record.requests;
    if (nc === undefined || nb === undefined) return;
    const share = this.settings.expectedShare;
    this.tooMuch.add({ canaryEvents: nc, canaryExposure: share, baselineEvents: nb, baselineExposure: 1 - share });
    this.tooLittle.add({ canaryEvents: nb, canaryExposure: 1 - share, baselineEvents: nc, baselineExposure: share });
    if (this.mismatchAt === null && this.logE() >= this.logThreshold) this.mismatchAt = tick.t;
  }

  get mismatch(): boolean {
    return this.mismatchAt !== null;
  }

  private logE(): number {
    return Math.max(this.tooLittle.logRollbackE(), this.tooMuch.logRollbackE());
  }

  report(): SampleRatioReport {
    const canary = this.tooMuch.canaryEvents;
    const baseline = this.tooMuch.baselineEvents;
    const observedShare = canary + baseline > 0 ? canary / (canary + baseline) : Number.NaN;
    const expected = this.settings.expectedShare;
    const seen = `canary receives ${percent(observedShare)} of requests, expected ${percent(expected)}`;
    const reason =
      this.mismatchAt !== null
        ? `${seen}: the traffic split is not what the step set (since ${this.mismatchAt} s; ${canary} canary and ${baseline} baseline requests)`
        : Number.isNaN(observedShare)
          ? `no requests seen on both arms yet (expected canary share ${percent(expected)})`
          : `${seen}: consistent with the step's split`;
    return {
      expectedShare: expected,
      observedShare,
      canaryRequests: canary,
      baselineRequests: baseline,
      eValue: Math.exp(this.logE()),
      threshold: Math.exp(this.logThreshold),
      mismatchAt: this.mismatchAt,
      reason,
    };
  }
}

function percent(x: number): string {
  if (Number.isNaN(x)) return "n/a";
  return `${Number((x * 100).toPrecision(x < 0.1 ? 2 : 3))}%`;
}
