package tollgate.progress_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f
import data.tollgate.progress

last_step(base, step_seconds, rollout_seconds) := f.with_status(base, {"step": 3, "weight": 100, "stepSeconds": step_seconds, "rolloutSeconds": rollout_seconds})

test_completed_step_advances_to_the_next if {
	d := decision with input as f.live
	d.action == "advance"
	d.next == {"step": 2, "weight": 50}
	d.reasons[0].rule == "progress.step_complete"
	d.reasons[0].message == "step 2 of 4 (25% of traffic) is complete after 15m: every judged metric passed (cost_per_task, error_rate, latency); moving to 50%"
}

test_step_below_its_minimum_time_holds if {
	d := decision with input as f.with_status(f.live, {"stepSeconds": 250})
	d.action == "hold"
	count(d.violations) == 0
	d.reasons[0].rule == "progress.step_minimum"
	d.reasons[0].message == "step 2 of 4 (25% of traffic) has been observed for 4m10s of its minimum 10m"
}

test_undecided_metric_holds_before_the_cap if {
	d := decision with input as f.with_metric("latency", f.undecided)
	d.action == "hold"
	some r in d.reasons
	r.rule == "progress.awaiting_evidence"
	r.message == "latency not yet shown to be no worse after 15m of step 2 (25% of traffic); the step is decided at its cap of 30m"
}

test_undecided_metric_advances_at_the_cap if {
	d := decision with input as f.with_status(f.with_metric("latency", f.undecided), {"stepSeconds": 1800})
	d.action == "advance"
	d.reasons[0].message == "step 2 of 4 (25% of traffic) is complete after 30m: the step cap of 30m was reached with no metric failed; moving to 50%"
}

test_last_step_promotes if {
	d := decision with input as last_step(f.live, 400, 3000)
	d.action == "promote"
	not d.next
	d.reasons[0].rule == "progress.promote"
	d.reasons[0].message == "the last step (100% of traffic) is complete after 6m40s, 50m of rollout in all: every judged metric passed (cost_per_task, error_rate, latency)"
}

test_last_step_waits_for_the_rollout_minimum if {
	inp := object.union(last_step(f.live, 400, 3000), {"environment": {"analysis": {"minSeconds": 3600}}})
	d := decision with input as inp
	d.action == "hold"
	d.reasons[0].rule == "progress.rollout_minimum"
	d.reasons[0].message == "the rollout has been observed for 50m of the minimum 1h before promotion"
}

test_rollout_minimum_does_not_hold_earlier_steps if {
	inp := object.union(f.live, {"environment": {"analysis": {"minSeconds": 3600}}})
	waits := progress.waits with input as inp
	count(waits) == 0
}

test_a_new_release_starts_at_the_first_step if {
	d := decision with input as f.starting
	d.action == "advance"
	d.next == {"step": 0, "weight": 5}
	d.reasons[0].rule == "progress.start"
	d.reasons[0].message == "start rolling out sha256:a1a1a1a1a1a1 to prod: step 1 of 4 at 5% of traffic"
}

test_the_live_digest_is_not_rolled_out_again if {
	d := decision with input as f.with_status(f.starting, {"liveDigest": f.new_digest})
	d.action == "hold"
	d.reasons[0].rule == "progress.already_live"
}

test_a_step_the_environment_does_not_have_holds if {
	d := decision with input as f.with_status(f.live, {"step": 7})
	d.action == "hold"
	some r in d.reasons
	r.rule == "progress.unknown_step"
	r.message == "the rollout is at step 8 but prod has 4 steps"
}

test_check_mode_only_says_admissible if {
	d := decision with input as f.check
	d.action == "advance"
	not d.next
	d.reasons[0].message == "sha256:a1a1a1a1a1a1 of support-agent may be released to prod: every governance and promotion gate passed"
}

test_full_weight_without_a_baseline_promotes_after_its_minimum if {
	d := decision with input as f.full_weight(400, 3000)
	d.action == "promote"
	d.reasons[0].message == "the last step (100% of traffic) is complete after 6m40s, 50m of rollout in all: the canary served all traffic with no baseline to compare against, and every backstop held"
}

test_full_weight_without_a_baseline_still_waits_for_its_minimum if {
	d := decision with input as f.full_weight(100, 3000)
	d.action == "hold"
	d.reasons[0].rule == "progress.step_minimum"
}

# A fixture whose current step (2 of 4) is marked `confirm`.
confirm_step(base) := object.union(base, {"environment": {"rollout": {"steps": [
	{"weight": 5, "minSeconds": 600, "maxSeconds": 1800},
	{"weight": 25, "minSeconds": 600, "maxSeconds": 1800, "confirm": true},
	{"weight": 50, "minSeconds": 600, "maxSeconds": 1800},
	{"weight": 100, "minSeconds": 300, "maxSeconds": 900},
]}}})

test_a_complete_confirm_step_waits_for_a_person if {
	d := decision with input as f.with_status(confirm_step(f.live), {"confirmedBy": []})
	d.action == "hold"
	count(d.reasons) == 1
	d.reasons[0].rule == "progress.awaiting_confirmation"
	d.reasons[0].message == "step 2 of 4 (25% of traffic) is complete (every judged metric passed (cost_per_task, error_rate, latency)) and waits for a person's confirmation: record one in the release's confirmations for sha256:a1a1a1a1a1a1, step 2"
}

test_a_confirmed_step_advances_and_says_who_confirmed if {
	d := decision with input as f.with_status(confirm_step(f.live), {"confirmedBy": ["alice", "bob"]})
	d.action == "advance"
	d.next == {"step": 2, "weight": 50}
	d.reasons[0].message == "step 2 of 4 (25% of traffic) is complete after 15m: every judged metric passed (cost_per_task, error_rate, latency); confirmed by alice, bob; moving to 50%"
}

test_an_incomplete_confirm_step_does_not_ask_for_confirmation_yet if {
	d := decision with input as f.with_status(confirm_step(f.with_metric("latency", f.undecided)), {"confirmedBy": []})
	d.action == "hold"
	rules := {r.rule | some r in d.reasons}
	rules == {"progress.awaiting_evidence"}
}

test_a_confirm_step_asks_at_its_cap_too if {
	d := decision with input as f.with_status(confirm_step(f.with_metric("latency", f.undecided)), {"stepSeconds": 1800, "confirmedBy": []})
	d.action == "hold"
	d.reasons[0].rule == "progress.awaiting_confirmation"
}

test_a_guardrail_rolls_back_while_waiting_for_confirmation if {
	d := decision with input as f.with_status(confirm_step(f.with_metric("error_rate", f.failing_error_rate)), {"confirmedBy": []})
	d.action == "rollback"
}

# An environment that holds low-traffic steps at their cap for a person.
low_traffic_hold(base) := object.union(base, {"environment": {"analysis": {"lowTraffic": "hold"}}})

slow := object.union(f.undecided, {"neededSeconds": 5700})

test_low_traffic_at_the_cap_holds_for_a_person_and_says_how_long if {
	d := decision with input as f.with_status(low_traffic_hold(f.with_metric("latency", slow)), {"stepSeconds": 1800, "confirmedBy": []})
	d.action == "hold"
	d.reasons[0].rule == "progress.low_traffic"
	d.reasons[0].message == "step 2 of 4 (25% of traffic) reached its cap of 30m with latency not shown to be no worse: traffic is too low (latency needs about 1h35m more at current traffic); holding for a person (analysis.lowTraffic: hold): record a confirmation in the release's confirmations for sha256:a1a1a1a1a1a1, step 2, to advance"
}

test_low_traffic_before_the_cap_waits_for_evidence_as_usual if {
	d := decision with input as low_traffic_hold(f.with_metric("latency", slow))
	d.action == "hold"
	{r.rule | some r in d.reasons} == {"progress.awaiting_evidence"}
}

test_low_traffic_advances_at_the_cap_by_default if {
	d := decision with input as f.with_status(f.with_metric("latency", slow), {"stepSeconds": 1800})
	d.action == "advance"
}

test_low_traffic_hold_is_released_by_a_confirmation if {
	d := decision with input as f.with_status(low_traffic_hold(f.with_metric("latency", slow)), {"stepSeconds": 1800, "confirmedBy": ["alice"]})
	d.action == "advance"
}
