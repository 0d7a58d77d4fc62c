# Cost circuit breakers, checked while a canary takes traffic.
#
# An agent release can be correct and still ruinous: a prompt that loops, a model that costs three
# times as much per task. Each breaker trips a rollback and names the budget and the values.
package tollgate.budgets

import rego.v1

import data.tollgate.lib

# This deploy's spend over its budget.
violations contains v if {
	lib.progressing
	spent := input.spend.deployUsd
	budget := input.environment.budgets.spendPerDeployUsd
	spent > budget
	v := {
		"rule": "budgets.deploy_spend",
		"effect": "rollback",
		"message": sprintf("deploy spend %s is over the budget of %s per deploy", [lib.usd(spent), lib.usd(budget)]),
		"values": {"deployUsd": spent, "spendPerDeployUsd": budget},
	}
}

# Cost per task over its absolute ceiling.
violations contains v if {
	lib.progressing
	cost := input.spend.canaryCostPerTaskUsd
	ceiling := input.environment.budgets.maxCostPerTaskUsd
	cost > ceiling
	v := {
		"rule": "budgets.cost_per_task_ceiling",
		"effect": "rollback",
		"message": sprintf("cost per task %s is above the ceiling %s", [lib.usd(cost), lib.usd(ceiling)]),
		"values": {"canaryCostPerTaskUsd": cost, "maxCostPerTaskUsd": ceiling},
	}
}

# Cost per task above the baseline's by more than the tolerance.
violations contains v if {
	lib.progressing
	cost := input.spend.canaryCostPerTaskUsd
	baseline := input.spend.baselineCostPerTaskUsd
	baseline > 0
	tolerance := input.environment.budgets.costToleranceVsBaseline
	cost > baseline * (1 + tolerance)
	v := {
		"rule": "budgets.cost_per_task_vs_baseline",
		"effect": "rollback",
		"message": sprintf("cost per task %s is %s%% above baseline %s; budget tolerance %s", [lib.usd(cost), lib.fixed(((cost / baseline) - 1) * 100, 0), lib.usd(baseline), lib.percent(tolerance)]),
		"values": {"canaryCostPerTaskUsd": cost, "baselineCostPerTaskUsd": baseline, "costToleranceVsBaseline": tolerance},
	}
}

# A task rate over its ceiling: the canary is treated as a runaway loop.
violations contains v if {
	lib.progressing
	rate := input.spend.canaryTaskRatePerMinute
	ceiling := input.environment.budgets.maxTaskRatePerMinute
	rate > ceiling
	v := {
		"rule": "budgets.task_rate",
		"effect": "rollback",
		"message": sprintf("task rate %v per minute is above the ceiling of %v per minute: the canary looks like a runaway loop", [rate, ceiling]),
		"values": {"canaryTaskRatePerMinute": rate, "maxTaskRatePerMinute": ceiling},
	}
}

# Waiting for the first spend data is routine (see decision.rego): not recorded.
routine_holds := {"budgets.spend_unknown"}

# Without spend data no breaker can be checked: hold rather than spend blind.
violations contains v if {
	lib.progressing
	not input.spend
	v := {
		"rule": "budgets.spend_unknown",
		"effect": "hold",
		"message": sprintf("no spend data yet for this deploy, so the budget of %s cannot be checked", [lib.usd(input.environment.budgets.spendPerDeployUsd)]),
		"values": {"spendPerDeployUsd": input.environment.budgets.spendPerDeployUsd},
	}
}
