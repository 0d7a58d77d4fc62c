package tollgate.gates_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f
import data.tollgate.gates

at(base, time, weekday, local) := object.union(base, {"now": {"time": time, "weekday": weekday, "localTime": local}})

saturday(base) := at(base, "2026-11-28T10:15:00Z", "sat", "11:15")

test_all_gates_open_for_the_healthy_canary if {
	count(gates.violations) == 0 with input as f.live
}

test_digest_not_verified_upstream_blocks if {
	inp := object.union(f.check, {"upstream": {"verified": [{"digest": f.other_digest, "at": "2026-11-21T16:00:00Z"}]}})
	d := decision with input as inp
	d.action == "block"
	some r in d.reasons
	r.rule == "gates.not_verified_upstream"
	r.message == "sha256:a1a1a1a1a1a1 has not been verified in staging, the environment prod promotes from"
}

test_missing_upstream_record_blocks if {
	vs := gates.violations with input as object.remove(f.check, ["upstream"])
	"gates.not_verified_upstream" in f.rules(vs)
}

test_verification_in_another_environment_does_not_count if {
	inp := object.union(f.check, {"upstream": {"environment": "dev"}})
	vs := gates.violations with input as inp
	"gates.not_verified_upstream" in f.rules(vs)
}

test_first_environment_needs_no_upstream if {
	inp := object.union(object.remove(f.check, ["upstream"]), {"environment": {"promotesFrom": null}})
	count(gates.violations) == 0 with input as inp
}

test_rejected_digest_is_never_promoted_again if {
	rejection := {"digest": f.new_digest, "at": "2026-11-23T14:02:00Z", "reason": "error_rate regression"}
	d := decision with input as f.with_status(f.check, {"rejected": [rejection]})
	d.action == "block"
	some r in d.reasons
	r.rule == "gates.rejected_digest"
	r.message == "sha256:a1a1a1a1a1a1 was rolled back in prod at 2026-11-23T14:02:00Z (error_rate regression); a rejected digest is never promoted again"
}

test_another_rejected_digest_does_not_block if {
	rejection := {"digest": f.other_digest, "at": "2026-11-23T14:02:00Z", "reason": "error_rate regression"}
	vs := gates.violations with input as f.with_status(f.check, {"rejected": [rejection]})
	count(vs) == 0
}

test_outside_deployment_window_blocks_a_start if {
	d := decision with input as saturday(f.starting)
	d.action == "block"
	some r in d.reasons
	r.rule == "gates.outside_window"
	r.message == "sat 11:15 Europe/Berlin is outside the deployment windows of prod (mon,tue,wed,thu 09:00-17:00; fri 09:00-12:00)"
}

test_outside_deployment_window_holds_a_rollout_under_way if {
	d := decision with input as saturday(f.live)
	d.action == "hold"
	"gates.outside_window" in f.rules(d.reasons)
}

test_window_closes_at_its_end if {
	vs := gates.violations with input as at(f.starting, "2026-11-24T16:00:00Z", "tue", "17:00")
	"gates.outside_window" in f.rules(vs)
}

test_window_opens_at_its_start if {
	vs := gates.violations with input as at(f.starting, "2026-11-24T08:00:00Z", "tue", "09:00")
	count(vs) == 0
}

test_friday_afternoon_is_outside_the_short_friday_window if {
	vs := gates.violations with input as at(f.starting, "2026-11-27T12:30:00Z", "fri", "13:30")
	"gates.outside_window" in f.rules(vs)
}

test_no_windows_means_always_open if {
	inp := object.union(saturday(object.remove(f.starting, ["environment"])), {"environment": object.remove(f.environment, ["windows"])})
	count(gates.violations) == 0 with input as inp
}

test_windows_do_not_apply_in_check_mode if {
	count(gates.violations) == 0 with input as saturday(f.check)
}

test_change_freeze_blocks if {
	d := decision with input as at(f.starting, "2026-12-22T09:00:00Z", "tue", "10:00")
	d.action == "block"
	some r in d.reasons
	r.rule == "gates.freeze"
	r.message == "prod is in a change freeze from 2026-12-20T23:00:00Z until 2027-01-04T08:00:00Z (year-end change freeze)"
}

test_change_freeze_ends_at_until if {
	vs := gates.violations with input as at(f.starting, "2027-01-04T08:00:00Z", "mon", "09:00")
	count(vs) == 0
}

test_frozen_after_rollback_blocks if {
	inp := f.with_status(f.starting, {"phase": "rolled-back", "frozenUntil": "2026-11-24T12:00:00Z"})
	d := decision with input as inp
	d.action == "block"
	some r in d.reasons
	r.rule == "gates.frozen_after_rollback"
	r.message == "support-agent is frozen after a rollback until 2026-11-24T12:00:00Z (now 2026-11-24T10:15:00Z)"
}

test_freeze_after_rollback_ends if {
	inp := f.with_status(f.starting, {"phase": "rolled-back", "frozenUntil": "2026-11-24T10:15:00Z"})
	vs := gates.violations with input as inp
	count(vs) == 0
}

test_dependency_being_rolled_out_holds if {
	inp := object.union(f.live, {"deployments": [{"service": "retrieval-api", "phase": "progressing", "step": 1, "weight": 25}]})
	d := decision with input as inp
	d.action == "hold"
	some r in d.reasons
	r.rule == "gates.dependency_deploying"
	r.message == "dependency retrieval-api has a rollout in progress (25% of its traffic on its canary); waiting for it to finish"
}

test_other_services_rolling_out_do_not_hold if {
	count(gates.violations) == 0 with input as f.live
	some deployment in f.live.deployments
	deployment.phase == "progressing"
}

test_dependency_that_finished_its_rollout_does_not_hold if {
	inp := object.union(f.live, {"deployments": [{"service": "retrieval-api", "phase": "promoted"}]})
	count(gates.violations) == 0 with input as inp
}

test_unhealthy_dependency_holds if {
	inp := object.union(f.live, {"dependencies": [{"service": "retrieval-api", "healthy": false, "detail": "1 of 3 pods ready"}]})
	d := decision with input as inp
	d.action == "hold"
	some r in d.reasons
	r.rule == "gates.dependency_unhealthy"
	r.message == "dependency retrieval-api is unhealthy: 1 of 3 pods ready"
}

test_dependency_health_does_not_matter_in_check_mode if {
	inp := object.union(f.check, {"dependencies": [{"service": "retrieval-api", "healthy": false}]})
	count(gates.violations) == 0 with input as inp
}
