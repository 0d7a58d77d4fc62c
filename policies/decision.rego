# The decision: the entrypoint `tollgate/decision`.
#
# Every guardrail reports violations with an effect (rollback, block or hold). The decision takes the
# strongest effect present: rollback beats block beats hold beats advance/promote. Its reasons are
# the violations of that effect (or, for advance and promote, the progress rule that completed the
# step), so every decision other than advance carries at least one reason; `violations` lists every
# guardrail that fired, whatever its effect. A hold that is only the routine wait of a step says
# `"routine": true`.
package tollgate

import rego.v1

import data.tollgate.budgets
import data.tollgate.gates
import data.tollgate.governance
import data.tollgate.progress
import data.tollgate.rollback
import data.tollgate.sync

decision := object.union(
	object.union(
		{
			"action": action,
			"mode": input.mode,
			"reasons": reasons,
			"violations": sort(violations),
		},
		next_step,
	),
	routine_flag,
)

violations := (((rollback.violations | budgets.violations) | governance.violations) | gates.violations) | sync.violations

rollbacks := reasons_with_effect("rollback")

blocks := reasons_with_effect("block")

holds := reasons_with_effect("hold") | progress.waits

reasons_with_effect(effect) := {reason |
	some v in violations
	v.effect == effect
	reason := {"rule": v.rule, "message": v.message, "values": v.values}
}

action := "rollback" if {
	count(rollbacks) > 0
} else := "block" if {
	count(blocks) > 0
} else := "hold" if {
	count(holds) > 0
} else := progress.outcome.action if {
	progress.outcome
} else := "hold"

reasons := sort(rollbacks) if action == "rollback"

reasons := sort(blocks) if action == "block"

reasons := sort(holds) if {
	action == "hold"
	count(holds) > 0
}

# Unreachable for an input that follows the schema; here so that a hold always says why.
reasons := [{
	"rule": "decision.undecided",
	"message": sprintf("no rule decided what %s should do in %s; holding", [input.service, input.environment.name]),
	"values": {"phase": input.status.phase},
}] if {
	action == "hold"
	count(holds) == 0
}

reasons := [progress.outcome.reason] if action in {"advance", "promote"}

next_step := {"next": progress.outcome.next} if {
	action == "advance"
	progress.outcome.next
} else := {}

# A routine hold is the wait of a step (too little data yet, a minimum time not reached): nothing in
# it is news, so the reconciler does not record it. Each guardrail package names its routine holds
# in `routine_holds`; a hold is routine when every one of its reasons is. A decision without
# `routine` (any other hold, or a policy that does not say) is recorded.
routine_holds := ((progress.routine_holds | rollback.routine_holds) | budgets.routine_holds) | sync.routine_holds

routine_flag := {"routine": true} if {
	action == "hold"
	every reason in reasons {
		reason.rule in routine_holds
	}
} else := {}
