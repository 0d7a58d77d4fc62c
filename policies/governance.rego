# Model governance, checked in both modes (a pull-request check and every live decision).
#
# A change of model, prompts or tools changes what an agent does as much as a change of code. The
# parts the environment lists in `governance.requireEvalFor` need a passing eval attestation for
# this exact digest with a score at least `governance.minEvalScore`; where
# `governance.requireSignedEvals` is set, only attestations an eval runner of signers.yaml signed
# count (`verification.verified`, which tollgate fills in). In a protected environment the parts
# listed in `approvals.for` need `approvals.required` distinct approvers; adding a tool permission
# needs at least one approver everywhere. Otherwise the release is blocked, naming what is missing.
package tollgate.governance

import rego.v1

import data.tollgate.lib

# Changed parts that need a passing eval here.
eval_parts contains part if {
	some part in input.diff.changed
	part in input.environment.governance.requireEvalFor
}

# Eval attestations about exactly this digest (an eval of another digest says nothing about it).
evals contains attestation if {
	some attestation in input.release.attestations
	attestation.kind == "eval"
	attestation.digest == lib.digest
}

# Where the environment requires signed evals, only those an allowed eval runner signed count.
signed_evals_required if input.environment.governance.requireSignedEvals == true

counted(attestation) if not signed_evals_required

counted(attestation) if attestation.verification.verified == true

passing_evals contains attestation if {
	some attestation in evals
	counted(attestation)
	attestation.pass == true
	attestation.score >= input.environment.governance.minEvalScore
}

violations contains v if {
	count(eval_parts) > 0
	count(passing_evals) == 0
	parts := sort(eval_parts)
	minimum := input.environment.governance.minEvalScore
	v := {
		"rule": "governance.eval_required",
		"effect": "block",
		"message": sprintf("%s needs %s eval attestation for %s with pass=true and score >= %s; found %s", [changes_text(parts), eval_kind_text, lib.short(lib.digest), lib.fixed(minimum, 2), evals_text]),
		"values": {"parts": parts, "digest": lib.digest, "minEvalScore": minimum, "attestations": sort(evals)},
	}
}

evals_text := "none for this digest" if count(evals) == 0

evals_text := lib.listing(sort([sprintf("%s score %s pass=%v%s", [a.suite, lib.fixed(a.score, 2), a.pass, not_counted_text(a)]) | some a in evals])) if count(evals) > 0

eval_kind_text := "a signed" if signed_evals_required

eval_kind_text := "an" if not signed_evals_required

not_counted_text(a) := "" if counted(a)

not_counted_text(a) := sprintf(" (not counted: %s)", [object.get(a, ["verification", "problem"], "not verified")]) if not counted(a)

# Approvals a changed part needs here, if any.
needed_approvals(part) := n if {
	input.environment.protected
	n := input.environment.approvals.required
	n > 0
	approval_scope(part)
} else := 1 if {
	part == "tools"
	count(tools_added) > 0
}

approval_scope(part) if part in input.environment.approvals["for"]

approval_scope(_) if "release" in input.environment.approvals["for"]

# New tool permissions: tools added by the change, or every tool of a first release.
tools_added contains tool if {
	some change in input.diff.changes
	change.part == "tools"
	some tool in change.added
}

tools_added contains tool if {
	input.previous == null
	some tool in input.release.artifact.tools.allowed
}

# Distinct eligible people who approved this digest for a change of the part.
approvers(part) := {a.by |
	some a in input.approvals
	a.digest == lib.digest
	eligible(a)
	covers(a, part)
}

eligible(_) if count(input.environment.approvals.approvers) == 0

eligible(approval) if approval.by in input.environment.approvals.approvers

eligible(approval) if {
	some team in approval.teams
	sprintf("team:%s", [team]) in input.environment.approvals.approvers
}

# An approval without `for` covers the whole release.
covers(approval, _) if not approval["for"]

covers(approval, _) if "release" in approval["for"]

covers(approval, part) if part in approval["for"]

violations contains v if {
	some part in input.diff.changed
	required := needed_approvals(part)
	have := approvers(part)
	count(have) < required
	who := lib.listing(input.environment.approvals.approvers)
	v := {
		"rule": "governance.approvals_required",
		"effect": "block",
		"message": sprintf("%s needs %s for %s from %s; has %d (%s)", [changes_text([part]), lib.count_of(required, "approval"), lib.short(lib.digest), eligible_text(who), count(have), lib.listing(sort(have))]),
		"values": {"part": part, "required": required, "approvedBy": sort(have), "approvers": input.environment.approvals.approvers},
	}
}

eligible_text(who) := who if count(input.environment.approvals.approvers) > 0

eligible_text(_) := "anyone" if count(input.environment.approvals.approvers) == 0

# "model anthropic/claude-sonnet-4-5@20250929 -> anthropic/claude-sonnet-4-5@20251101; prompts ..."
changes_text(parts) := concat("; ", [change_text(part) | some part in parts])

change_text(part) := text if {
	some change in input.diff.changes
	change.part == part
	text := describe(change)
} else := sprintf("%s (first release of %s here)", [part, input.service])

describe(change) := sprintf("model %s/%s@%s -> %s/%s@%s", [f.provider, f.name, f.snapshot, t.provider, t.name, t.snapshot]) if {
	change.part == "model"
	f := change.from
	t := change.to
}

describe(change) := sprintf("prompts %s -> %s", [lib.short(change.from), lib.short(change.to)]) if change.part == "prompts"

describe(change) := sprintf("code %s -> %s", [substring(change.from.sourceCommit, 0, 7), substring(change.to.sourceCommit, 0, 7)]) if change.part == "code"

describe(change) := sprintf("index %s -> %s", [change.from.buildId, change.to.buildId]) if change.part == "index"

describe(change) := concat("", ["tools ", lib.listing(tool_edits(change))]) if change.part == "tools"

# ["+refund_order", "-escalate", "manifest sha256:... -> sha256:..."]
tool_edits(change) := array.concat(
	array.concat(
		[sprintf("+%s", [t]) | some t in change.added],
		[sprintf("-%s", [t]) | some t in change.removed],
	),
	[sprintf("manifest %s -> %s", [lib.short(change.manifestFrom), lib.short(change.manifestTo)]) | change.manifestFrom != change.manifestTo],
)
