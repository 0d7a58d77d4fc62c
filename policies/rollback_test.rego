package tollgate.rollback_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f
import data.tollgate.rollback

test_healthy_canary_has_no_rollback_violation if {
	count(rollback.violations) == 0 with input as f.live
}

test_failed_metric_rolls_back if {
	d := decision with input as f.with_metric("error_rate", f.failing_error_rate)
	d.action == "rollback"
	"rollback.metric_failed" in f.rules(d.reasons)
}

test_failed_metric_message_names_metric_and_values if {
	vs := rollback.violations with input as f.with_metric("error_rate", f.failing_error_rate)
	some v in vs
	v.rule == "rollback.metric_failed"
	v.message == "error_rate failed the canary analysis (regression): canary 0.021 vs baseline 0.009, ratio 2.33 (bounds 1.800 to 3.000), e-value 240.0 of 100.0 needed; tolerance 5%"
	v.values.metric == "error_rate"
	v.values.tolerance == 0.05
}

test_failed_metric_without_estimates_still_rolls_back if {
	bare := {"verdict": "fail", "reason": "regression", "samples": {"canary": 10, "baseline": 10}, "dataAgeSeconds": 0}
	vs := rollback.violations with input as f.with_metric("latency", bare)
	some v in vs
	v.rule == "rollback.metric_failed"
	contains(v.message, "no effect estimate")
}

test_failed_metric_is_ignored_when_disabled if {
	inp := object.union(
		f.with_metric("error_rate", f.failing_error_rate),
		{"environment": {"analysis": {"metrics": {"error_rate": {"enabled": false}}}}},
	)
	d := decision with input as inp
	d.action == "advance"
	not "rollback.metric_failed" in f.rules(d.violations)
}

test_failed_metric_is_not_judged_in_check_mode if {
	inp := object.union(f.check, {"analysis": f.with_metric("error_rate", f.failing_error_rate).analysis})
	count(rollback.violations) == 0 with input as inp
}

test_error_rate_above_ceiling_rolls_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"errorRate": {"value": 0.061, "windowSeconds": 120}}}})
	d := decision with input as inp
	d.action == "rollback"
	some r in d.reasons
	r.rule == "rollback.error_rate_ceiling"
	r.message == "canary error rate 6.1% over the last 2m is above the ceiling 5%"
}

test_error_rate_at_ceiling_does_not_roll_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"errorRate": {"value": 0.05, "windowSeconds": 120}}}})
	vs := rollback.violations with input as inp
	not "rollback.error_rate_ceiling" in f.rules(vs)
}

test_p99_latency_above_ceiling_rolls_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"p99LatencyMs": {"value": 2300, "windowSeconds": 180}}}})
	vs := rollback.violations with input as inp
	some v in vs
	v.rule == "rollback.p99_latency_ceiling"
	v.message == "canary p99 latency 2300 ms over the last 3m is above the ceiling 2000 ms"
}

test_p99_latency_below_ceiling_does_not_roll_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"p99LatencyMs": {"value": 1999, "windowSeconds": 180}}}})
	vs := rollback.violations with input as inp
	not "rollback.p99_latency_ceiling" in f.rules(vs)
}

test_pod_restarts_at_ceiling_roll_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"podRestarts": {"value": 3, "windowSeconds": 300}}}})
	vs := rollback.violations with input as inp
	some v in vs
	v.rule == "rollback.pod_restarts_ceiling"
	v.message == "canary pods restarted 3 times in the last 5m, reaching the ceiling of 3 restarts"
}

test_pod_restarts_below_ceiling_do_not_roll_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"podRestarts": {"value": 2, "windowSeconds": 300}}}})
	vs := rollback.violations with input as inp
	not "rollback.pod_restarts_ceiling" in f.rules(vs)
}

test_ceilings_come_from_the_environment if {
	inp := object.union(f.live, {
		"analysis": {"absolute": {"errorRate": {"value": 0.061, "windowSeconds": 120}}},
		"environment": {"analysis": {"ceilings": {"errorRate": 0.1}}},
	})
	vs := rollback.violations with input as inp
	not "rollback.error_rate_ceiling" in f.rules(vs)
}

test_telemetry_missing_beyond_limit_rolls_back if {
	stale := object.union(f.live.analysis.metrics.latency, {"dataAgeSeconds": 700})
	d := decision with input as f.with_metric("latency", stale)
	d.action == "rollback"
	some r in d.reasons
	r.rule == "rollback.telemetry_missing_limit"
	r.message == "latency telemetry has been missing for 11m40s, beyond the limit of 10m"
}

test_telemetry_missing_beyond_grace_holds if {
	stale := object.union(f.live.analysis.metrics.latency, {"dataAgeSeconds": 90})
	d := decision with input as f.with_metric("latency", stale)
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.telemetry_missing_grace"
	r.message == "latency telemetry has been missing for 1m30s, beyond the grace period of 1m; holding until it returns"
	not "rollback.telemetry_missing_limit" in f.rules(d.violations)
}

test_telemetry_within_grace_is_fine if {
	fresh := object.union(f.live.analysis.metrics.latency, {"dataAgeSeconds": 60})
	vs := rollback.violations with input as f.with_metric("latency", fresh)
	count(vs) == 0
}

test_insufficient_data_holds if {
	d := decision with input as f.with_metric("cost_per_task", f.thin)
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.insufficient_data"
	r.message == "cost_per_task is inconclusive for lack of data (12 canary and 15 baseline samples); a missing signal never promotes"
}

test_insufficient_data_never_promotes_even_at_the_cap if {
	last_step := f.with_status(f.with_metric("cost_per_task", f.thin), {"step": 3, "weight": 100, "stepSeconds": 900, "rolloutSeconds": 4000})
	d := decision with input as last_step
	d.action == "hold"
	"rollback.insufficient_data" in f.rules(d.reasons)
}

test_undecided_metric_is_not_a_lack_of_data if {
	vs := rollback.violations with input as f.with_metric("latency", f.undecided)
	not "rollback.insufficient_data" in f.rules(vs)
}

test_unreported_metric_holds if {
	inp := f.with_metrics(object.remove(f.live.analysis.metrics, ["latency"]))
	d := decision with input as inp
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.metric_unreported"
	r.message == "latency is judged in prod but the analysis reported no verdict for it"
}

test_unreported_disabled_metric_is_fine if {
	inp := object.union(
		f.with_metrics(object.remove(f.live.analysis.metrics, ["latency"])),
		{"environment": {"analysis": {"metrics": {"latency": {"enabled": false}}}}},
	)
	vs := rollback.violations with input as inp
	count(vs) == 0
}

test_no_analysis_holds if {
	d := decision with input as object.remove(f.live, ["analysis"])
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.no_analysis"
	r.message == "no canary analysis yet for step 2 (25% of traffic)"
}

test_no_analysis_before_the_rollout_starts_is_fine if {
	vs := rollback.violations with input as f.starting
	count(vs) == 0
}

test_full_weight_without_a_baseline_is_not_a_lack_of_data if {
	vs := rollback.violations with input as f.full_weight(400, 3000)
	count(vs) == 0
}

test_full_weight_without_canary_data_never_promotes if {
	blind := object.union(f.no_baseline, {"samples": {"canary": 0, "baseline": 0}, "dataAgeSeconds": 400})
	inp := object.union(f.full_weight(400, 3000), {
		"environment": {"telemetry": {"missingGraceSeconds": 600}},
		"analysis": {"metrics": {"latency": blind}},
	})
	d := decision with input as inp
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.insufficient_data"
	r.message == "latency has no canary data in this step, and at full weight the canary's data is all there is; a missing signal never promotes"
}

test_full_weight_telemetry_missing_still_rolls_back if {
	stale := object.union(f.no_baseline, {"dataAgeSeconds": 700})
	inp := object.union(f.full_weight(400, 3000), {"analysis": {"metrics": {"latency": stale}}})
	d := decision with input as inp
	d.action == "rollback"
	some r in d.reasons
	r.rule == "rollback.telemetry_missing_limit"
}

test_error_rate_above_ceiling_on_both_arms_is_an_incident_that_holds if {
	inp := object.union(f.live, {"analysis": {"absolute": {"errorRate": {"value": 0.061, "baseline": 0.058, "windowSeconds": 120}}}})
	d := decision with input as inp
	d.action == "hold"
	not "rollback.error_rate_ceiling" in f.rules(d.violations)
	some r in d.reasons
	r.rule == "rollback.incident_on_both_arms"
	r.message == "error rate is above the ceiling 5% on the canary (6.1%) and on the baseline (5.8%) over the last 2m: an incident on both versions, not the canary's; holding until it passes"
}

test_error_rate_above_ceiling_on_the_canary_alone_rolls_back if {
	inp := object.union(f.live, {"analysis": {"absolute": {"errorRate": {"value": 0.061, "baseline": 0.012, "windowSeconds": 120}}}})
	d := decision with input as inp
	d.action == "rollback"
	not "rollback.incident_on_both_arms" in f.rules(d.violations)
}

test_p99_above_ceiling_on_both_arms_is_an_incident_that_holds if {
	inp := object.union(f.live, {"analysis": {"absolute": {"p99LatencyMs": {"value": 2300, "baseline": 2450, "windowSeconds": 180}}}})
	d := decision with input as inp
	d.action == "hold"
	some r in d.reasons
	r.rule == "rollback.incident_on_both_arms"
	r.message == "p99 latency is above the ceiling 2000 ms on the canary (2300 ms) and on the baseline (2450 ms) over the last 3m: an incident on both versions, not the canary's; holding until it passes"
}

test_baseline_alone_above_the_ceiling_is_not_an_incident_of_the_canary if {
	inp := object.union(f.live, {"analysis": {"absolute": {"errorRate": {"value": 0.02, "baseline": 0.058, "windowSeconds": 120}}}})
	vs := rollback.violations with input as inp
	count(vs) == 0
}

test_failed_metric_message_writes_values_in_their_unit if {
	failing := object.union(f.failing_error_rate, {"canary": 0.0330435, "baseline": 0.0182042, "unit": "fraction"})
	d := decision with input as f.with_metric("error_rate", failing)
	some r in d.reasons
	r.rule == "rollback.metric_failed"
	startswith(r.message, "error_rate failed the canary analysis (regression): canary 3.3% vs baseline 1.8%, ratio 2.33")
}

test_latency_and_cost_values_read_in_ms_and_dollars if {
	rollback.measure({"unit": "ms"}, 288.4) == "288 ms"
	rollback.measure({"unit": "usd"}, 0.0205) == "$0.021"
	rollback.measure({"unit": "ratio"}, 3.2012) == "3.20"
	rollback.measure({}, 0.5) == "0.5"
}

test_lack_of_data_long_past_the_cap_rolls_back if {
	inp := f.with_status(f.with_metric("cost_per_task", f.thin), {"stepSeconds": 2400})
	d := decision with input as inp
	d.action == "rollback"
	some r in d.reasons
	r.rule == "rollback.unjudgeable"
	r.message == "cost_per_task could not be judged after 40m of step 2 (12 canary and 15 baseline samples): past the step cap of 30m by more than the missing-data limit of 10m"
}

test_lack_of_data_at_the_cap_still_only_holds if {
	inp := f.with_status(f.with_metric("cost_per_task", f.thin), {"stepSeconds": 2000})
	d := decision with input as inp
	d.action == "hold"
	not "rollback.unjudgeable" in f.rules(d.violations)
}

test_overwhelming_e_values_read_as_words if {
	rollback.strength({"eValue": 2.0947e21, "eValueThreshold": 10}) == "e-value over a million (10.0 needed)"
}

test_an_unbounded_effect_reads_as_a_lower_bound if {
	rollback.ratio({"effect": {"estimate": 13.46, "lower": 1.22, "upper": 1000000}}) == "ratio 13.46 (at least 1.220)"
}

# Failed by the final look at the step's cap: the message says so rather than quoting an e-value that fell short.
test_failed_at_the_cap_by_the_final_look_says_so if {
	verdict := object.union(f.failing_error_rate, {
		"effect": {"estimate": 1.19, "lower": 1.0213, "upper": 1.38},
		"eValue": 22,
		"finalLook": {"pValue": 0.00226, "level": 0.00667},
	})
	vs := rollback.violations with input as f.with_metric("error_rate", verdict)
	some v in vs
	v.rule == "rollback.metric_failed"
	v.message == "error_rate failed the canary analysis (regression): canary 0.021 vs baseline 0.009, ratio 1.19 (bounds 1.021 to 1.380), at the step's cap, exact test of the split of events p 0.2% <= 0.7%; tolerance 5%"
}

sample_ratio(mismatch) := {
	"expectedShare": 0.25,
	"observedShare": 0.012,
	"mismatch": mismatch,
	"eValue": 1e12,
	"eValueThreshold": 2000,
	"reason": "canary receives 1.2% of requests, expected 25%: the traffic split is not what the step set (since 30 s; 108 canary and 8892 baseline requests)",
}

with_sample_ratio(base, ratio) := object.union(base, {"analysis": {"sampleRatio": ratio}})

test_a_traffic_split_that_is_not_what_the_step_set_holds if {
	d := decision with input as with_sample_ratio(f.live, sample_ratio(true))
	d.action == "hold"
	d.reasons[0].rule == "rollback.sample_ratio_mismatch"
	d.reasons[0].message == "canary receives 1.2% of requests, expected 25%: the traffic split is not what the step set (since 30 s; 108 canary and 8892 baseline requests); holding rather than judging the metrics on a broken split"
}

test_a_split_consistent_with_the_step_does_not_hold if {
	d := decision with input as with_sample_ratio(f.live, object.union(sample_ratio(false), {"observedShare": 0.25}))
	d.action == "advance"
}

test_a_failed_metric_still_rolls_back_on_a_broken_split if {
	d := decision with input as with_sample_ratio(f.with_metric("error_rate", f.failing_error_rate), sample_ratio(true))
	d.action == "rollback"
}
