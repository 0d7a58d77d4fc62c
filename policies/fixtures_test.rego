# Inputs the guardrail tests start from. `live` is a healthy canary of support-agent in prod at step
# 2 of 4 (25% of traffic) whose every guardrail is satisfied, so its decision is to advance to 50%;
# each test changes one thing and checks what that changes. `check` is the same release judged by a
# pull-request check.
package tollgate.fixtures

import rego.v1

new_digest := "sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

old_digest := "sha256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"

other_digest := "sha256:c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"

prompts_old := "sha256:1111111111111111111111111111111111111111111111111111111111111111"

prompts_new := "sha256:2222222222222222222222222222222222222222222222222222222222222222"

manifest_old := "sha256:3333333333333333333333333333333333333333333333333333333333333333"

manifest_new := "sha256:4444444444444444444444444444444444444444444444444444444444444444"

index_digest := "sha256:5555555555555555555555555555555555555555555555555555555555555555"

environment := {
	"name": "prod",
	"promotesFrom": "staging",
	"protected": true,
	"rollout": {
		"steps": [
			{"weight": 5, "minSeconds": 600, "maxSeconds": 1800},
			{"weight": 25, "minSeconds": 600, "maxSeconds": 1800},
			{"weight": 50, "minSeconds": 600, "maxSeconds": 1800},
			{"weight": 100, "minSeconds": 300, "maxSeconds": 900},
		],
		"freezeAfterRollbackSeconds": 14400,
	},
	"telemetry": {"missingGraceSeconds": 60, "missingLimitSeconds": 600},
	"analysis": {
		"minSeconds": 600,
		"metrics": {
			"error_rate": {"tolerance": 0.05, "materialRatio": 1.5, "enabled": true},
			"latency": {"tolerance": 0.05, "materialRatio": 1.25, "enabled": true},
			"cost_per_task": {"tolerance": 0.1, "materialRatio": 1.3, "enabled": true},
		},
		"ceilings": {"errorRate": 0.05, "p99LatencyMs": 2000, "podRestarts": 3},
	},
	"budgets": {
		"spendPerDeployUsd": 250,
		"maxCostPerTaskUsd": 0.08,
		"costToleranceVsBaseline": 0.2,
		"maxTaskRatePerMinute": 1200,
	},
	"approvals": {
		"required": 2,
		"approvers": ["team:ml-platform", "alice", "bob"],
		"for": ["model", "tools", "prompts"],
	},
	"windows": {
		"timeZone": "Europe/Berlin",
		"allow": [
			{"days": ["mon", "tue", "wed", "thu"], "start": "09:00", "end": "17:00"},
			{"days": ["fri"], "start": "09:00", "end": "12:00"},
		],
		"freezes": [{"from": "2026-12-20T23:00:00Z", "until": "2027-01-04T08:00:00Z", "reason": "year-end change freeze"}],
	},
	"governance": {"minEvalScore": 0.9, "requireEvalFor": ["model", "prompts", "tools"]},
}

old_artifact := {
	"digest": old_digest,
	"code": {
		"image": "ghcr.io/acme/support-agent@sha256:9999999999999999999999999999999999999999999999999999999999999999",
		"sourceCommit": "5547c2451939998f951aba3e9dae05b88a9f15b1",
	},
	"model": {"provider": "anthropic", "name": "claude-sonnet-4-5", "snapshot": "20250929"},
	"prompts": {"digest": prompts_old},
	"tools": {"manifestDigest": manifest_old, "allowed": ["create_ticket", "lookup_order", "search_kb"]},
	"index": {"buildId": "kb-2026-11-14.2", "digest": index_digest},
}

new_artifact := {
	"digest": new_digest,
	"code": {
		"image": "ghcr.io/acme/support-agent@sha256:8888888888888888888888888888888888888888888888888888888888888888",
		"sourceCommit": "9c1e0f7d2b4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e",
	},
	"model": {"provider": "anthropic", "name": "claude-sonnet-4-5", "snapshot": "20251101"},
	"prompts": {"digest": prompts_old},
	"tools": {"manifestDigest": manifest_old, "allowed": ["create_ticket", "lookup_order", "search_kb"]},
	"index": {"buildId": "kb-2026-11-14.2", "digest": index_digest},
}

code_change := {
	"part": "code",
	"from": old_artifact.code,
	"to": new_artifact.code,
}

model_change := {
	"part": "model",
	"from": old_artifact.model,
	"to": new_artifact.model,
}

prompts_change := {"part": "prompts", "from": prompts_old, "to": prompts_new}

tools_change := {
	"part": "tools",
	"manifestFrom": manifest_old,
	"manifestTo": manifest_new,
	"added": ["refund_order"],
	"removed": [],
}

passing_eval := {
	"kind": "eval",
	"digest": new_digest,
	"suite": "support-golden-v7",
	"score": 0.93,
	"pass": true,
	"by": "eval-runner@ci.acme.dev",
	"at": "2026-11-18T10:12:44Z",
}

approval(by) := {"by": by, "at": "2026-11-20T09:30:00Z", "digest": new_digest}

passing(canary, baseline) := {
	"verdict": "pass",
	"reason": "not-worse",
	"canary": canary,
	"baseline": baseline,
	"effect": {"estimate": 1.01, "lower": 0.9, "upper": 1.12},
	"eValue": 140,
	"eValueThreshold": 100,
	"samples": {"canary": 9000, "baseline": 9100},
	"dataAgeSeconds": 5,
}

undecided := {
	"verdict": "inconclusive",
	"reason": "undecided",
	"canary": 212,
	"baseline": 205,
	"effect": {"estimate": 1.03, "lower": 0.96, "upper": 1.31},
	"eValue": 4.2,
	"eValueThreshold": 100,
	"samples": {"canary": 9000, "baseline": 9100},
	"dataAgeSeconds": 5,
}

failing_error_rate := {
	"verdict": "fail",
	"reason": "regression",
	"canary": 0.021,
	"baseline": 0.009,
	"effect": {"estimate": 2.33, "lower": 1.8, "upper": 3},
	"eValue": 240,
	"eValueThreshold": 100,
	"samples": {"canary": 9000, "baseline": 9100},
	"dataAgeSeconds": 5,
}

thin := {
	"verdict": "inconclusive",
	"reason": "insufficient-data",
	"samples": {"canary": 12, "baseline": 15},
	"dataAgeSeconds": 5,
}

live := {
	"mode": "live",
	"now": {"time": "2026-11-24T10:15:00Z", "timeZone": "Europe/Berlin", "weekday": "tue", "localTime": "11:15"},
	"service": "support-agent",
	"environment": environment,
	"release": {"artifact": new_artifact, "attestations": [passing_eval]},
	"previous": old_artifact,
	"diff": {
		"fromDigest": old_digest,
		"toDigest": new_digest,
		"changed": ["code", "model"],
		"changes": [code_change, model_change],
		"summary": "code support-agent@sha256:99999999 -> support-agent@sha256:88888888; model claude-sonnet-4-5 snapshot 20250929 -> 20251101",
	},
	"status": {
		"phase": "progressing",
		"liveDigest": old_digest,
		"canaryDigest": new_digest,
		"step": 1,
		"weight": 25,
		"stepSeconds": 900,
		"rolloutSeconds": 1800,
		"rejected": [],
	},
	"upstream": {"environment": "staging", "verified": [{"digest": new_digest, "at": "2026-11-21T16:00:00Z"}]},
	"analysis": {
		"judge": "sequential",
		"metrics": {
			"error_rate": passing(0.009, 0.009),
			"latency": passing(204, 201),
			"cost_per_task": passing(0.021, 0.02),
		},
		"absolute": {
			"errorRate": {"value": 0.009, "windowSeconds": 120},
			"p99LatencyMs": {"value": 640, "windowSeconds": 180},
			"podRestarts": {"value": 0, "windowSeconds": 300},
		},
	},
	"spend": {
		"deployUsd": 42.5,
		"canaryCostPerTaskUsd": 0.021,
		"baselineCostPerTaskUsd": 0.02,
		"canaryTaskRatePerMinute": 300,
	},
	"approvals": [object.union(approval("alice"), {"teams": ["support-eng"]}), approval("bob")],
	"deployments": [{"service": "billing-api", "phase": "progressing", "digest": other_digest, "step": 0, "weight": 5}],
	"dependencies": [{"service": "retrieval-api", "healthy": true}],
}

check := object.union(
	object.remove(live, ["analysis", "spend", "status"]),
	{"mode": "check", "status": {"phase": "promoted", "liveDigest": old_digest, "rejected": []}},
)

# The same prod input before its rollout starts.
starting := object.union(
	object.remove(live, ["analysis", "spend", "status"]),
	{"status": {"phase": "promoted", "liveDigest": old_digest, "rejected": []}},
)

# `live` with its analysis' metrics replaced (a deep merge would keep the old metrics).
with_metrics(metrics) := object.union(
	object.remove(live, ["analysis"]),
	{"analysis": {"judge": "sequential", "metrics": metrics, "absolute": live.analysis.absolute}},
)

# `live` with one metric's verdict replaced.
with_metric(name, verdict) := with_metrics(object.union(object.remove(live.analysis.metrics, [name]), {name: verdict}))

# `live` (or any input) with status fields changed.
with_status(base, changes) := object.union(base, {"status": changes})

# `live` with the artifact change replaced by the given diff entries.
with_changes(base, changed, changes) := object.union(
	object.remove(base, ["diff"]),
	{"diff": {
		"fromDigest": old_digest,
		"toDigest": new_digest,
		"changed": changed,
		"changes": changes,
		"summary": "test change",
	}},
)

# The rule ids among a set of violations or a list of reasons.
rules(items) := {item.rule | some item in items}

# What the analysis reports at full weight: the canary serves everything, there is no baseline.
no_baseline := {
	"verdict": "inconclusive",
	"reason": "no-baseline",
	"detail": "the canary serves all traffic; there is no baseline to compare with",
	"canary": 0.011,
	"samples": {"canary": 42000, "baseline": 0},
	"dataAgeSeconds": 10,
}

# The last step (100%) with every metric reported without a baseline.
full_weight(step_seconds, rollout_seconds) := with_status(
	with_metrics({name: no_baseline | some name, _ in live.analysis.metrics}),
	{"step": 3, "weight": 100, "stepSeconds": step_seconds, "rolloutSeconds": rollout_seconds},
)
