package tollgate.decision_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f

# A canary that failed its analysis (rollback), outside the deployment window (hold while under
# way), with an unhealthy dependency (hold) and an eval that no longer passes (block).
everything_wrong := object.union(
	object.union(f.with_metric("error_rate", f.failing_error_rate), {
		"now": {"time": "2026-11-28T10:15:00Z", "weekday": "sat", "localTime": "11:15"},
		"dependencies": [{"service": "retrieval-api", "healthy": false}],
	}),
	{"release": {"attestations": [object.union(f.passing_eval, {"pass": false})]}},
)

test_rollback_beats_block_and_hold if {
	d := decision with input as everything_wrong
	d.action == "rollback"
	f.rules(d.reasons) == {"rollback.metric_failed"}
}

test_violations_list_every_guardrail_that_fired if {
	d := decision with input as everything_wrong
	f.rules(d.violations) == {"rollback.metric_failed", "governance.eval_required", "gates.outside_window", "gates.dependency_unhealthy"}
	{v.effect | some v in d.violations} == {"rollback", "block", "hold"}
}

test_block_beats_hold if {
	inp := object.union(everything_wrong, {"analysis": {"metrics": {"error_rate": f.passing(0.009, 0.009)}}})
	d := decision with input as inp
	d.action == "block"
	f.rules(d.reasons) == {"governance.eval_required"}
}

test_hold_beats_advance if {
	inp := object.union(f.live, {"dependencies": [{"service": "retrieval-api", "healthy": false}]})
	d := decision with input as inp
	d.action == "hold"
	f.rules(d.reasons) == {"gates.dependency_unhealthy"}
	not d.next
}

test_holds_combine_guardrails_and_waits if {
	inp := f.with_status(object.union(f.live, {"dependencies": [{"service": "retrieval-api", "healthy": false}]}), {"stepSeconds": 100})
	d := decision with input as inp
	d.action == "hold"
	f.rules(d.reasons) == {"gates.dependency_unhealthy", "progress.step_minimum"}
	f.rules(d.violations) == {"gates.dependency_unhealthy"}
}

test_reasons_carry_no_effect_field if {
	d := decision with input as everything_wrong
	every r in d.reasons {
		object.keys(r) == {"rule", "message", "values"}
	}
}

test_every_decision_but_advance_has_a_reason if {
	inputs := [
		everything_wrong,
		f.with_status(f.live, {"stepSeconds": 1}),
		f.with_status(f.live, {"step": 3, "weight": 100, "stepSeconds": 400}),
		f.with_status(f.starting, {"liveDigest": f.new_digest}),
		object.union(f.check, {"release": {"attestations": []}}),
	]
	actions := {d.action |
		some inp in inputs
		d := decision with input as inp
		count(d.reasons) > 0
	}
	actions == {"rollback", "hold", "promote", "block"}
}

test_the_decision_echoes_the_mode if {
	live := decision with input as f.live
	live.mode == "live"
	check := decision with input as f.check
	check.mode == "check"
}

test_an_input_without_a_mode_has_no_decision if {
	not decision with input as object.remove(f.live, ["mode"])
}

test_the_wait_of_a_step_is_a_routine_hold if {
	d := decision with input as f.with_status(f.live, {"stepSeconds": 100})
	d.action == "hold"
	f.rules(d.reasons) == {"progress.step_minimum"}
	d.routine == true
}

test_a_hold_with_news_in_it_is_not_routine if {
	inp := f.with_status(object.union(f.live, {"dependencies": [{"service": "retrieval-api", "healthy": false}]}), {"stepSeconds": 100})
	d := decision with input as inp
	d.action == "hold"
	not d.routine
}

test_too_little_data_is_routine_only_until_the_step_cap if {
	before := decision with input as f.with_status(f.with_metric("latency", f.thin), {"stepSeconds": 1000})
	f.rules(before.reasons) == {"rollback.insufficient_data", "progress.awaiting_evidence"}
	before.routine == true
	after := decision with input as f.with_status(f.with_metric("latency", f.thin), {"stepSeconds": 1800})
	f.rules(after.reasons) == {"rollback.insufficient_data"}
	not after.routine
}

test_only_holds_are_routine if {
	every inp in [f.live, f.check, f.with_metric("error_rate", f.failing_error_rate)] {
		d := decision with input as inp
		not d.routine
	}
}
