package tollgate.budgets_test

import rego.v1

import data.tollgate.budgets
import data.tollgate.decision
import data.tollgate.fixtures as f

test_spend_within_budgets_is_fine if {
	count(budgets.violations) == 0 with input as f.live
}

test_deploy_spend_over_budget_rolls_back if {
	d := decision with input as object.union(f.live, {"spend": {"deployUsd": 263.4}})
	d.action == "rollback"
	some r in d.reasons
	r.rule == "budgets.deploy_spend"
	r.message == "deploy spend $263.40 is over the budget of $250.00 per deploy"
	r.values == {"deployUsd": 263.4, "spendPerDeployUsd": 250}
}

test_deploy_spend_at_budget_is_fine if {
	vs := budgets.violations with input as object.union(f.live, {"spend": {"deployUsd": 250}})
	not "budgets.deploy_spend" in f.rules(vs)
}

test_cost_per_task_over_ceiling_rolls_back if {
	inp := object.union(f.live, {"spend": {"canaryCostPerTaskUsd": 0.09, "baselineCostPerTaskUsd": 0.085}})
	d := decision with input as inp
	d.action == "rollback"
	some r in d.reasons
	r.rule == "budgets.cost_per_task_ceiling"
	r.message == "cost per task $0.090 is above the ceiling $0.080"
	not "budgets.cost_per_task_vs_baseline" in f.rules(d.reasons)
}

test_cost_per_task_at_ceiling_is_fine if {
	inp := object.union(f.live, {"spend": {"canaryCostPerTaskUsd": 0.08, "baselineCostPerTaskUsd": 0.079}})
	vs := budgets.violations with input as inp
	not "budgets.cost_per_task_ceiling" in f.rules(vs)
}

test_cost_per_task_above_baseline_tolerance_rolls_back if {
	inp := object.union(f.live, {"spend": {"canaryCostPerTaskUsd": 0.031, "baselineCostPerTaskUsd": 0.022}})
	d := decision with input as inp
	d.action == "rollback"
	some r in d.reasons
	r.rule == "budgets.cost_per_task_vs_baseline"
	r.message == "cost per task $0.031 is 41% above baseline $0.022; budget tolerance 20%"
}

test_cost_per_task_within_baseline_tolerance_is_fine if {
	inp := object.union(f.live, {"spend": {"canaryCostPerTaskUsd": 0.026, "baselineCostPerTaskUsd": 0.022}})
	vs := budgets.violations with input as inp
	count(vs) == 0
}

test_cost_tolerance_comes_from_the_environment if {
	inp := object.union(f.live, {
		"spend": {"canaryCostPerTaskUsd": 0.031, "baselineCostPerTaskUsd": 0.022},
		"environment": {"budgets": {"costToleranceVsBaseline": 0.5}},
	})
	vs := budgets.violations with input as inp
	count(vs) == 0
}

test_cost_without_baseline_is_only_checked_against_the_ceiling if {
	spend := {"deployUsd": 42.5, "canaryCostPerTaskUsd": 0.07, "canaryTaskRatePerMinute": 300}
	no_baseline := object.union(object.remove(f.live, ["spend"]), {"spend": spend})
	vs := budgets.violations with input as no_baseline
	count(vs) == 0
}

test_runaway_task_rate_rolls_back if {
	d := decision with input as object.union(f.live, {"spend": {"canaryTaskRatePerMinute": 1500}})
	d.action == "rollback"
	some r in d.reasons
	r.rule == "budgets.task_rate"
	r.message == "task rate 1500 per minute is above the ceiling of 1200 per minute: the canary looks like a runaway loop"
}

test_task_rate_at_ceiling_is_fine if {
	vs := budgets.violations with input as object.union(f.live, {"spend": {"canaryTaskRatePerMinute": 1200}})
	count(vs) == 0
}

test_missing_spend_holds if {
	d := decision with input as object.remove(f.live, ["spend"])
	d.action == "hold"
	some r in d.reasons
	r.rule == "budgets.spend_unknown"
	r.message == "no spend data yet for this deploy, so the budget of $250.00 cannot be checked"
}

test_budgets_are_not_checked_in_check_mode if {
	inp := object.union(f.check, {"spend": {"deployUsd": 999, "canaryCostPerTaskUsd": 1, "canaryTaskRatePerMinute": 5000}})
	count(budgets.violations) == 0 with input as inp
}

test_budgets_are_not_checked_before_the_rollout_starts if {
	count(budgets.violations) == 0 with input as f.starting
}

test_cost_per_task_not_yet_known_is_not_judged if {
	spend := object.remove(f.live.spend, ["canaryCostPerTaskUsd", "baselineCostPerTaskUsd"])
	vs := budgets.violations with input as object.union(object.remove(f.live, ["spend"]), {"spend": spend})
	count(vs) == 0
}
