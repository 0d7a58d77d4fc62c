# Promotion gates: whether this digest may be here at all, and whether now is the time.
#
# In both modes: a digest must have been verified (promoted) in the `promotesFrom` environment, and a
# digest rolled back here is never promoted again. In live mode also: deployment windows and freezes
# (in the environment's time zone; `input.now` carries the local weekday and time), the freeze after a
# rollback, and the service's dependencies (being rolled out themselves, or unhealthy).
#
# Closed windows and freezes block a rollout that would start now; a rollout already under way holds
# its current weight instead (it is neither abandoned nor advanced) until the window opens again.
package tollgate.gates

import rego.v1

import data.tollgate.lib

# The digest was verified upstream.
violations contains v if {
	upstream := input.environment.promotesFrom
	upstream != null
	not verified_upstream
	v := {
		"rule": "gates.not_verified_upstream",
		"effect": "block",
		"message": sprintf("%s has not been verified in %s, the environment %s promotes from", [lib.short(lib.digest), upstream, input.environment.name]),
		"values": {"digest": lib.digest, "promotesFrom": upstream},
	}
}

verified_upstream if {
	input.upstream.environment == input.environment.promotesFrom
	some entry in input.upstream.verified
	entry.digest == lib.digest
}

# A rejected digest is never promoted again.
violations contains v if {
	some rejection in input.status.rejected
	rejection.digest == lib.digest
	v := {
		"rule": "gates.rejected_digest",
		"effect": "block",
		"message": sprintf("%s was rolled back in %s at %s (%s); a rejected digest is never promoted again", [lib.short(lib.digest), input.environment.name, rejection.at, rejection.reason]),
		"values": {"digest": lib.digest, "rejected": rejection},
	}
}

# Outside every deployment window.
violations contains v if {
	input.mode == "live"
	not window_open
	v := {
		"rule": "gates.outside_window",
		"effect": timing_effect,
		"message": sprintf("%s %s %s is outside the deployment windows of %s (%s)", [input.now.weekday, input.now.localTime, input.now.timeZone, input.environment.name, windows_text]),
		"values": {"weekday": input.now.weekday, "localTime": input.now.localTime, "timeZone": input.now.timeZone, "allow": input.environment.windows.allow},
	}
}

window_open if not input.environment.windows

window_open if count(input.environment.windows.allow) == 0

window_open if {
	some window in input.environment.windows.allow
	input.now.weekday in window.days
	window.start <= input.now.localTime
	input.now.localTime < window.end
}

windows_text := concat("; ", [sprintf("%s %s-%s", [concat(",", w.days), w.start, w.end]) | some w in input.environment.windows.allow])

# Inside a change freeze.
violations contains v if {
	input.mode == "live"
	some freeze in input.environment.windows.freezes
	freeze.from <= input.now.time
	input.now.time < freeze.until
	v := {
		"rule": "gates.freeze",
		"effect": timing_effect,
		"message": sprintf("%s is in a change freeze from %s until %s (%s)", [input.environment.name, freeze.from, freeze.until, freeze.reason]),
		"values": {"now": input.now.time, "freeze": freeze},
	}
}

timing_effect := "hold" if lib.progressing

timing_effect := "block" if lib.starting

# Frozen after a rollback: no new rollout of the service until the freeze ends.
violations contains v if {
	lib.starting
	until := input.status.frozenUntil
	input.now.time < until
	v := {
		"rule": "gates.frozen_after_rollback",
		"effect": "block",
		"message": sprintf("%s is frozen after a rollback until %s (now %s)", [input.service, until, input.now.time]),
		"values": {"frozenUntil": until, "now": input.now.time},
	}
}

dependency_names := {d.service | some d in input.dependencies}

# A dependency is being rolled out itself: wait for it, so two changes are never judged at once.
violations contains v if {
	input.mode == "live"
	some deployment in input.deployments
	deployment.service in dependency_names
	deployment.phase == "progressing"
	v := {
		"rule": "gates.dependency_deploying",
		"effect": "hold",
		"message": sprintf("dependency %s has a rollout in progress%s; waiting for it to finish", [deployment.service, rollout_position(deployment)]),
		"values": {"deployment": deployment},
	}
}

rollout_position(deployment) := text if {
	text := sprintf(" (%d%% of its traffic on its canary)", [deployment.weight])
} else := ""

# A dependency is unhealthy: a canary judged now would be judged on someone else's outage.
violations contains v if {
	input.mode == "live"
	some dependency in input.dependencies
	dependency.healthy == false
	v := {
		"rule": "gates.dependency_unhealthy",
		"effect": "hold",
		"message": sprintf("dependency %s is unhealthy: %s", [dependency.service, object.get(dependency, "detail", "no detail reported")]),
		"values": {"dependency": dependency},
	}
}
