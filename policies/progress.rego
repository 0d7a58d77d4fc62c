# Rollout progress: what happens when no guardrail objects.
#
# A rollout starts at the first step. A step is complete when it has been observed for its minimum
# time and either every judged metric passed (the canary is shown to be no worse) or the step's cap
# has been reached with no metric failed ("decided with what is known"). The last step promotes,
# and only after the whole rollout has been observed for `analysis.minSeconds`. Until then the
# rollout holds; these waits are reasons, not violations.
package tollgate.progress

import rego.v1

import data.tollgate.lib

steps := input.environment.rollout.steps

last := count(steps) - 1

# The current step while progressing.
step := steps[input.status.step]

already_live if input.status.liveDigest == lib.digest

# In check mode the question is only whether the release is admissible.
outcome := {
	"action": "advance",
	"reason": {
		"rule": "progress.admissible",
		"message": sprintf("%s of %s may be released to %s: every governance and promotion gate passed", [lib.short(lib.digest), input.service, input.environment.name]),
		"values": {"digest": lib.digest, "environment": input.environment.name},
	},
} if input.mode == "check"

outcome := {
	"action": "advance",
	"next": {"step": 0, "weight": steps[0].weight},
	"reason": {
		"rule": "progress.start",
		"message": sprintf("start rolling out %s to %s: step 1 of %d at %d%% of traffic", [lib.short(lib.digest), input.environment.name, count(steps), steps[0].weight]),
		"values": {"digest": lib.digest, "step": 0, "weight": steps[0].weight},
	},
} if {
	lib.starting
	not already_live
}

outcome := {
	"action": "advance",
	"next": {"step": input.status.step + 1, "weight": steps[input.status.step + 1].weight},
	"reason": {
		"rule": "progress.step_complete",
		"message": sprintf("step %d of %d (%d%% of traffic) is complete after %s: %s%s; moving to %d%%", [input.status.step + 1, count(steps), step.weight, lib.duration(input.status.stepSeconds), completion, confirmation, steps[input.status.step + 1].weight]),
		"values": {"step": input.status.step, "stepSeconds": input.status.stepSeconds, "verdicts": verdicts},
	},
} if {
	lib.progressing
	input.status.step < last
}

outcome := {
	"action": "promote",
	"reason": {
		"rule": "progress.promote",
		"message": sprintf("the last step (%d%% of traffic) is complete after %s, %s of rollout in all: %s%s", [step.weight, lib.duration(input.status.stepSeconds), lib.duration(input.status.rolloutSeconds), completion, confirmation]),
		"values": {"step": input.status.step, "stepSeconds": input.status.stepSeconds, "rolloutSeconds": input.status.rolloutSeconds, "verdicts": verdicts},
	},
} if {
	lib.progressing
	input.status.step == last
}

verdicts := {name: verdict.verdict | some name, verdict in lib.judged}

all_passed if {
	every verdict in lib.judged {
		verdict.verdict == "pass"
	}
}

completion := "the canary served all traffic with no baseline to compare against, and every backstop held" if {
	count(lib.judged) == 0
	count(lib.reported) > 0
} else := sprintf("every judged metric passed (%s)", [lib.listing(sort(object.keys(lib.judged)))]) if {
	all_passed
} else := sprintf("the step cap of %s was reached with no metric failed", [lib.duration(step.maxSeconds)])

# The waits that are routine (see decision.rego): every one but a person's confirmation, which is
# news (the reconciler records it once).
routine_holds := {
	"progress.already_live",
	"progress.unknown_step",
	"progress.step_minimum",
	"progress.rollout_minimum",
	"progress.awaiting_evidence",
	"progress.low_traffic",
}

# The release is what runs already: there is nothing to roll out.
waits contains r if {
	lib.starting
	already_live
	r := {
		"rule": "progress.already_live",
		"message": sprintf("%s is already live in %s; nothing to roll out", [lib.short(lib.digest), input.environment.name]),
		"values": {"digest": lib.digest},
	}
}

# The status names a step this environment does not have (its steps were edited mid-rollout).
waits contains r if {
	lib.progressing
	not step
	r := {
		"rule": "progress.unknown_step",
		"message": sprintf("the rollout is at step %d but %s has %d steps", [input.status.step + 1, input.environment.name, count(steps)]),
		"values": {"step": input.status.step, "steps": count(steps)},
	}
}

# Every step is observed for at least its minimum time.
waits contains r if {
	lib.progressing
	input.status.stepSeconds < step.minSeconds
	r := {
		"rule": "progress.step_minimum",
		"message": sprintf("step %d of %d (%d%% of traffic) has been observed for %s of its minimum %s", [input.status.step + 1, count(steps), step.weight, lib.duration(input.status.stepSeconds), lib.duration(step.minSeconds)]),
		"values": {"step": input.status.step, "stepSeconds": input.status.stepSeconds, "minSeconds": step.minSeconds},
	}
}

# The whole rollout is observed for at least `analysis.minSeconds` before it promotes.
waits contains r if {
	lib.progressing
	input.status.step == last
	minimum := input.environment.analysis.minSeconds
	input.status.rolloutSeconds < minimum
	r := {
		"rule": "progress.rollout_minimum",
		"message": sprintf("the rollout has been observed for %s of the minimum %s before promotion", [lib.duration(input.status.rolloutSeconds), lib.duration(minimum)]),
		"values": {"rolloutSeconds": input.status.rolloutSeconds, "minSeconds": minimum},
	}
}

# Before its cap a step waits until every judged metric has passed.
waits contains r if {
	lib.progressing
	input.status.stepSeconds >= step.minSeconds
	input.status.stepSeconds < step.maxSeconds
	pending := sort([name | some name, verdict in lib.judged; verdict.verdict != "pass"])
	count(pending) > 0
	r := {
		"rule": "progress.awaiting_evidence",
		"message": sprintf("%s not yet shown to be no worse after %s of step %d (%d%% of traffic); the step is decided at its cap of %s", [lib.listing(pending), lib.duration(input.status.stepSeconds), input.status.step + 1, step.weight, lib.duration(step.maxSeconds)]),
		"values": {"pending": pending, "stepSeconds": input.status.stepSeconds, "maxSeconds": step.maxSeconds},
	}
}

# At its cap, a step whose metrics traffic was too low to show no worse waits for a person when the
# environment says `analysis.lowTraffic: hold` (with `advance`, the default, the step completes as
# "decided with what is known"). A confirmation recorded in the release lets it complete.
waits contains r if {
	lib.progressing
	input.environment.analysis.lowTraffic == "hold"
	input.status.stepSeconds >= step.maxSeconds
	pending := sort([name | some name, verdict in lib.judged; verdict.verdict == "inconclusive"])
	count(pending) > 0
	count(object.get(input.status, "confirmedBy", [])) == 0
	r := {
		"rule": "progress.low_traffic",
		"message": sprintf("step %d of %d (%d%% of traffic) reached its cap of %s with %s not shown to be no worse: traffic is too low%s; holding for a person (analysis.lowTraffic: hold): record a confirmation in the release's confirmations for %s, step %d, to advance", [input.status.step + 1, count(steps), step.weight, lib.duration(step.maxSeconds), lib.listing(pending), needed_text, lib.short(lib.digest), input.status.step + 1]),
		"values": {"pending": pending, "stepSeconds": input.status.stepSeconds, "maxSeconds": step.maxSeconds, "neededSeconds": {name: verdict.neededSeconds | some name, verdict in lib.judged; verdict.neededSeconds}},
	}
}

# "(error_rate needs about 1h35m more at current traffic)", or "" when no metric says.
needed_text := sprintf(" (%s at current traffic)", [concat(", ", needs)]) if {
	needs := [sprintf("%s needs about %s more", [name, lib.duration(verdict.neededSeconds)]) |
		some name, verdict in lib.judged
		verdict.verdict == "inconclusive"
		verdict.neededSeconds
	]
	count(needs) > 0
} else := ""

# A step marked `confirm` waits, once complete, for a person's confirmation recorded in the release.
waits contains r if {
	lib.progressing
	step.confirm
	count(object.get(input.status, "confirmedBy", [])) == 0
	step_complete
	r := {
		"rule": "progress.awaiting_confirmation",
		"message": sprintf("step %d of %d (%d%% of traffic) is complete (%s) and waits for a person's confirmation: record one in the release's confirmations for %s, step %d", [input.status.step + 1, count(steps), step.weight, completion, lib.short(lib.digest), input.status.step + 1]),
		"values": {"step": input.status.step, "digest": lib.digest},
	}
}

# The current step has served its time and its metrics are decided: nothing but a confirmation is missing.
step_complete if {
	input.status.stepSeconds >= step.minSeconds
	decided
	not rollout_minimum_pending
}

decided if all_passed

decided if input.status.stepSeconds >= step.maxSeconds

rollout_minimum_pending if {
	input.status.step == last
	input.status.rolloutSeconds < input.environment.analysis.minSeconds
}

confirmation := sprintf("; confirmed by %s", [concat(", ", input.status.confirmedBy)]) if {
	step.confirm
	count(input.status.confirmedBy) > 0
} else := ""

