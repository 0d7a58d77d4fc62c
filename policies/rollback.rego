# Rollback guardrails, checked while a canary takes traffic.
#
# A canary is rolled back when the analysis judged any metric failed, when it breaks an absolute
# ceiling (a backstop, whatever the comparison with the baseline says), or when its telemetry has
# been missing for longer than the environment's limit. Missing or thin data holds the rollout:
# unknown is never good, so it never promotes.
package tollgate.rollback

import rego.v1

import data.tollgate.lib

# Any metric the analysis judged worse than the baseline beyond its tolerance.
violations contains v if {
	lib.progressing
	some name, verdict in lib.judged
	verdict.verdict == "fail"
	tolerance := input.environment.analysis.metrics[name].tolerance
	v := {
		"rule": "rollback.metric_failed",
		"effect": "rollback",
		"message": sprintf("%s failed the canary analysis (%s): %s; tolerance %s", [name, verdict.reason, evidence(verdict), lib.percent(tolerance)]),
		"values": {"metric": name, "analysis": verdict, "tolerance": tolerance},
	}
}

# Absolute ceilings: the canary's own error rate, p99 latency and pod restarts. Error rate and p99
# roll back only when the canary is above the ceiling on its own: when the baseline is above it too
# over the same window, an incident hits both versions and rolling back the canary would not help.
violations contains v if {
	lib.progressing
	observed := input.analysis.absolute.errorRate
	ceiling := input.environment.analysis.ceilings.errorRate
	observed.value > ceiling
	not both_arms_above(observed, ceiling)
	v := {
		"rule": "rollback.error_rate_ceiling",
		"effect": "rollback",
		"message": sprintf("canary error rate %s over the last %s is above the ceiling %s", [lib.percent(observed.value), lib.duration(observed.windowSeconds), lib.percent(ceiling)]),
		"values": {"errorRate": observed.value, "windowSeconds": observed.windowSeconds, "ceiling": ceiling},
	}
}

violations contains v if {
	lib.progressing
	observed := input.analysis.absolute.p99LatencyMs
	ceiling := input.environment.analysis.ceilings.p99LatencyMs
	observed.value > ceiling
	not both_arms_above(observed, ceiling)
	v := {
		"rule": "rollback.p99_latency_ceiling",
		"effect": "rollback",
		"message": sprintf("canary p99 latency %s ms over the last %s is above the ceiling %s ms", [lib.fixed(observed.value, 0), lib.duration(observed.windowSeconds), lib.fixed(ceiling, 0)]),
		"values": {"p99LatencyMs": observed.value, "windowSeconds": observed.windowSeconds, "ceiling": ceiling},
	}
}

violations contains v if {
	lib.progressing
	observed := input.analysis.absolute.podRestarts
	ceiling := input.environment.analysis.ceilings.podRestarts
	observed.value >= ceiling
	v := {
		"rule": "rollback.pod_restarts_ceiling",
		"effect": "rollback",
		"message": sprintf("canary pods restarted %v times in the last %s, reaching the ceiling of %v restarts", [observed.value, lib.duration(observed.windowSeconds), ceiling]),
		"values": {"podRestarts": observed.value, "windowSeconds": observed.windowSeconds, "ceiling": ceiling},
	}
}

# Both versions above a ceiling over the same window: an incident, not the canary. Hold until it passes.
violations contains v if {
	lib.progressing
	some signal, ceiling in {"errorRate": input.environment.analysis.ceilings.errorRate, "p99LatencyMs": input.environment.analysis.ceilings.p99LatencyMs}
	observed := input.analysis.absolute[signal]
	observed.value > ceiling
	both_arms_above(observed, ceiling)
	v := {
		"rule": "rollback.incident_on_both_arms",
		"effect": "hold",
		"message": sprintf("%s is above the ceiling %s on the canary (%s) and on the baseline (%s) over the last %s: an incident on both versions, not the canary's; holding until it passes", [ceiling_names[signal], ceiling_text(signal, ceiling), ceiling_text(signal, observed.value), ceiling_text(signal, observed.baseline), lib.duration(observed.windowSeconds)]),
		"values": {"signal": signal, "canary": observed.value, "baseline": observed.baseline, "ceiling": ceiling, "windowSeconds": observed.windowSeconds},
	}
}

both_arms_above(observed, ceiling) if observed.baseline > ceiling

ceiling_names := {"errorRate": "error rate", "p99LatencyMs": "p99 latency"}

ceiling_text("errorRate", x) := lib.percent(x)

ceiling_text("p99LatencyMs", x) := sprintf("%s ms", [lib.fixed(x, 0)])

# Telemetry missing beyond the limit rolls back; beyond the grace period it holds.
violations contains v if {
	lib.progressing
	some name, verdict in lib.reported
	limit := input.environment.telemetry.missingLimitSeconds
	verdict.dataAgeSeconds > limit
	v := {
		"rule": "rollback.telemetry_missing_limit",
		"effect": "rollback",
		"message": sprintf("%s telemetry has been missing for %s, beyond the limit of %s", [name, lib.duration(verdict.dataAgeSeconds), lib.duration(limit)]),
		"values": {"metric": name, "dataAgeSeconds": verdict.dataAgeSeconds, "missingLimitSeconds": limit},
	}
}

violations contains v if {
	lib.progressing
	some name, verdict in lib.reported
	grace := input.environment.telemetry.missingGraceSeconds
	verdict.dataAgeSeconds > grace
	verdict.dataAgeSeconds <= input.environment.telemetry.missingLimitSeconds
	v := {
		"rule": "rollback.telemetry_missing_grace",
		"effect": "hold",
		"message": sprintf("%s telemetry has been missing for %s, beyond the grace period of %s; holding until it returns", [name, lib.duration(verdict.dataAgeSeconds), lib.duration(grace)]),
		"values": {"metric": name, "dataAgeSeconds": verdict.dataAgeSeconds, "missingGraceSeconds": grace},
	}
}

# Never promote (nor advance) on a metric that is inconclusive for lack of data.
violations contains v if {
	lib.progressing
	some name, verdict in lib.judged
	verdict.verdict == "inconclusive"
	verdict.reason == "insufficient-data"
	v := {
		"rule": "rollback.insufficient_data",
		"effect": "hold",
		"message": sprintf("%s is inconclusive for lack of data (%d canary and %d baseline samples); a missing signal never promotes", [name, verdict.samples.canary, verdict.samples.baseline]),
		"values": {"metric": name, "samples": verdict.samples},
	}
}

# At full weight nothing is compared: only the canary's own data in this step shows the backstops
# held. A metric without a single canary sample in the step never promotes it (telemetry down since
# the last step began would otherwise promote at the step's minimum, within the missing-data grace).
violations contains v if {
	lib.progressing
	some name, verdict in lib.reported
	verdict.reason == "no-baseline"
	verdict.samples.canary == 0
	v := {
		"rule": "rollback.insufficient_data",
		"effect": "hold",
		"message": sprintf("%s has no canary data in this step, and at full weight the canary's data is all there is; a missing signal never promotes", [name]),
		"values": {"metric": name, "samples": verdict.samples},
	}
}

# The holds of this file that are the routine wait of a step (see decision.rego). Too little data is
# routine only until the step's cap: after it the wait itself is news (and it rolls back once it
# lasts past the missing-data limit, below).
routine_holds contains "rollback.metric_unreported"

routine_holds contains "rollback.no_analysis"

routine_holds contains "rollback.insufficient_data" if not past_step_cap

past_step_cap if {
	lib.progressing
	input.status.stepSeconds >= input.environment.rollout.steps[input.status.step].maxSeconds
}

# Still too little data to judge a metric long after the step's cap: the canary cannot be shown
# safe, and waiting longer has not helped. Rolled back once past the cap by the missing-data limit.
violations contains v if {
	lib.progressing
	some name, verdict in lib.judged
	verdict.verdict == "inconclusive"
	verdict.reason == "insufficient-data"
	step := input.environment.rollout.steps[input.status.step]
	limit := step.maxSeconds + input.environment.telemetry.missingLimitSeconds
	input.status.stepSeconds >= limit
	v := {
		"rule": "rollback.unjudgeable",
		"effect": "rollback",
		"message": sprintf("%s could not be judged after %s of step %d (%d canary and %d baseline samples): past the step cap of %s by more than the missing-data limit of %s", [name, lib.duration(input.status.stepSeconds), input.status.step + 1, verdict.samples.canary, verdict.samples.baseline, lib.duration(step.maxSeconds), lib.duration(input.environment.telemetry.missingLimitSeconds)]),
		"values": {"metric": name, "samples": verdict.samples, "stepSeconds": input.status.stepSeconds, "maxSeconds": step.maxSeconds, "missingLimitSeconds": input.environment.telemetry.missingLimitSeconds},
	}
}

# The traffic split is not what the step set (sample ratio mismatch): hold rather than judge the
# metrics on a broken split. A metric that failed still rolls back (rollback beats hold).
violations contains v if {
	lib.progressing
	ratio := input.analysis.sampleRatio
	ratio.mismatch
	v := {
		"rule": "rollback.sample_ratio_mismatch",
		"effect": "hold",
		"message": sprintf("%s; holding rather than judging the metrics on a broken split", [ratio.reason]),
		"values": {"expectedShare": ratio.expectedShare, "observedShare": object.get(ratio, "observedShare", null)},
	}
}

# A metric the environment judges that the analysis did not report on.
violations contains v if {
	lib.progressing
	input.analysis
	some name, settings in input.environment.analysis.metrics
	settings.enabled
	not input.analysis.metrics[name]
	v := {
		"rule": "rollback.metric_unreported",
		"effect": "hold",
		"message": sprintf("%s is judged in %s but the analysis reported no verdict for it", [name, input.environment.name]),
		"values": {"metric": name},
	}
}

# No analysis at all yet for a canary that takes traffic.
violations contains v if {
	lib.progressing
	not input.analysis
	v := {
		"rule": "rollback.no_analysis",
		"effect": "hold",
		"message": sprintf("no canary analysis yet for step %d (%d%% of traffic)", [input.status.step + 1, input.status.weight]),
		"values": {"step": input.status.step, "weight": input.status.weight},
	}
}

# "canary 0.021 vs baseline 0.009, ratio 2.33 (bounds 1.80 to 3.00), e-value 240.0 of 100.0 needed"
evidence(verdict) := concat(", ", [compared(verdict), ratio(verdict), strength(verdict)])

compared(verdict) := text if {
	text := sprintf("canary %s vs baseline %s", [measure(verdict, verdict.canary), measure(verdict, verdict.baseline)])
} else := "no canary and baseline values"

# A metric's value in its unit: 0.0331 as "3.3%", 288.4 as "288 ms", 0.0205 as "$0.021".
measure(verdict, x) := lib.percent(x) if verdict.unit == "fraction"

measure(verdict, x) := sprintf("%s ms", [lib.fixed(x, 0)]) if verdict.unit == "ms"

measure(verdict, x) := lib.usd(x) if verdict.unit == "usd"

measure(verdict, x) := lib.fixed(x, 2) if verdict.unit == "ratio"

measure(verdict, x) := sprintf("%v", [x]) if not verdict.unit

ratio(verdict) := text if {
	verdict.effect.upper >= 1000000
	text := sprintf("ratio %s (at least %s)", [lib.fixed(verdict.effect.estimate, 2), lib.fixed(verdict.effect.lower, 3)])
} else := text if {
	text := sprintf("ratio %s (bounds %s to %s)", [lib.fixed(verdict.effect.estimate, 2), lib.fixed(verdict.effect.lower, 3), lib.fixed(verdict.effect.upper, 3)])
} else := "no effect estimate"

# A metric failed by the final look at the step's cap: its e-value fell short, the exact test did not.
strength(verdict) := text if {
	look := verdict.finalLook
	text := sprintf("at the step's cap, exact test of the split of events p %s <= %s", [lib.percent(look.pValue), lib.percent(look.level)])
} else := text if {
	verdict.eValue >= 1000000
	text := sprintf("e-value over a million (%s needed)", [lib.fixed(verdict.eValueThreshold, 1)])
} else := text if {
	text := sprintf("e-value %s of %s needed", [lib.fixed(verdict.eValue, 1), lib.fixed(verdict.eValueThreshold, 1)])
} else := text if {
	text := sprintf("e-value %s", [lib.fixed(verdict.eValue, 1)])
} else := "no e-value"
