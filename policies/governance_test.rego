package tollgate.governance_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f
import data.tollgate.governance

unprotected := object.union(f.check, {"environment": {"protected": false}})

with_attestations(base, attestations) := object.union(
	object.remove(base, ["release"]),
	{"release": {"artifact": f.new_artifact, "attestations": attestations}},
)

with_approvals(base, approvals) := object.union(object.remove(base, ["approvals"]), {"approvals": approvals})

model_line := "model anthropic/claude-sonnet-4-5@20250929 -> anthropic/claude-sonnet-4-5@20251101"

test_model_change_with_eval_and_approvals_is_admissible if {
	d := decision with input as f.check
	d.action == "advance"
	count(d.violations) == 0
	d.reasons[0].rule == "progress.admissible"
}

test_model_change_without_eval_blocks if {
	d := decision with input as with_attestations(f.check, [])
	d.action == "block"
	some r in d.reasons
	r.rule == "governance.eval_required"
	r.message == concat("", [model_line, " needs an eval attestation for sha256:a1a1a1a1a1a1 with pass=true and score >= 0.90; found none for this digest"])
}

test_eval_of_another_digest_does_not_count if {
	other := object.union(f.passing_eval, {"digest": f.old_digest})
	vs := governance.violations with input as with_attestations(f.check, [other])
	"governance.eval_required" in f.rules(vs)
}

test_failed_eval_blocks if {
	failed := object.union(f.passing_eval, {"pass": false})
	vs := governance.violations with input as with_attestations(f.check, [failed])
	some v in vs
	v.rule == "governance.eval_required"
	endswith(v.message, "found support-golden-v7 score 0.93 pass=false")
}

test_eval_score_below_minimum_blocks if {
	low := object.union(f.passing_eval, {"score": 0.87})
	vs := governance.violations with input as with_attestations(f.check, [low])
	some v in vs
	v.rule == "governance.eval_required"
	endswith(v.message, "score >= 0.90; found support-golden-v7 score 0.87 pass=true")
}

test_eval_score_at_minimum_passes if {
	exact := object.union(f.passing_eval, {"score": 0.9})
	vs := governance.violations with input as with_attestations(f.check, [exact])
	count(vs) == 0
}

test_minimum_eval_score_comes_from_the_environment if {
	inp := object.union(f.check, {"environment": {"governance": {"minEvalScore": 0.95}}})
	vs := governance.violations with input as inp
	"governance.eval_required" in f.rules(vs)
}

test_prompt_change_needs_a_passing_eval if {
	inp := with_attestations(f.with_changes(unprotected, ["prompts"], [f.prompts_change]), [])
	vs := governance.violations with input as inp
	some v in vs
	v.rule == "governance.eval_required"
	startswith(v.message, "prompts sha256:111111111111 -> sha256:222222222222 needs an eval attestation")
}

test_code_only_change_needs_no_eval if {
	inp := with_attestations(f.with_changes(f.check, ["code"], [f.code_change]), [])
	vs := governance.violations with input as inp
	count(vs) == 0
}

test_model_change_needs_approvals_in_protected_environment if {
	d := decision with input as with_approvals(f.check, [f.approval("alice")])
	d.action == "block"
	some r in d.reasons
	r.rule == "governance.approvals_required"
	r.message == concat("", [model_line, " needs 2 approvals for sha256:a1a1a1a1a1a1 from team:ml-platform, alice, bob; has 1 (alice)"])
	r.values.approvedBy == ["alice"]
}

test_model_change_needs_no_approval_when_unprotected if {
	vs := governance.violations with input as with_approvals(unprotected, [])
	count(vs) == 0
}

test_approval_of_another_digest_does_not_count if {
	stale := object.union(f.approval("bob"), {"digest": f.old_digest})
	vs := governance.violations with input as with_approvals(f.check, [f.approval("alice"), stale])
	"governance.approvals_required" in f.rules(vs)
}

test_approver_outside_the_list_does_not_count if {
	vs := governance.violations with input as with_approvals(f.check, [f.approval("alice"), f.approval("carol")])
	"governance.approvals_required" in f.rules(vs)
}

test_member_of_an_approving_team_counts if {
	carol := object.union(f.approval("carol"), {"teams": ["ml-platform"]})
	vs := governance.violations with input as with_approvals(f.check, [f.approval("alice"), carol])
	count(vs) == 0
}

test_anyone_may_approve_when_no_approvers_are_listed if {
	inp := object.union(
		with_approvals(f.check, [f.approval("carol"), f.approval("dave")]),
		{"environment": {"approvals": {"approvers": []}}},
	)
	vs := governance.violations with input as inp
	count(vs) == 0
}

test_the_same_approver_counts_once if {
	vs := governance.violations with input as with_approvals(f.check, [f.approval("alice"), f.approval("alice")])
	"governance.approvals_required" in f.rules(vs)
}

test_approval_scoped_to_another_part_does_not_cover_the_model if {
	bob := object.union(f.approval("bob"), {"for": ["prompts"]})
	vs := governance.violations with input as with_approvals(f.check, [f.approval("alice"), bob])
	"governance.approvals_required" in f.rules(vs)
}

test_approval_scoped_to_the_release_covers_every_part if {
	bob := object.union(f.approval("bob"), {"for": ["release"]})
	alice := object.union(f.approval("alice"), {"for": ["model"]})
	vs := governance.violations with input as with_approvals(f.check, [alice, bob])
	count(vs) == 0
}

test_adding_a_tool_needs_an_approval_anywhere if {
	inp := with_approvals(f.with_changes(unprotected, ["tools"], [f.tools_change]), [])
	d := decision with input as inp
	d.action == "block"
	some r in d.reasons
	r.rule == "governance.approvals_required"
	r.message == "tools +refund_order, manifest sha256:333333333333 -> sha256:444444444444 needs 1 approval for sha256:a1a1a1a1a1a1 from team:ml-platform, alice, bob; has 0 (none)"
}

test_an_added_tool_with_an_approval_passes if {
	inp := with_approvals(f.with_changes(unprotected, ["tools"], [f.tools_change]), [f.approval("bob")])
	vs := governance.violations with input as inp
	count(vs) == 0
}

test_removing_a_tool_needs_no_approval_when_unprotected if {
	removal := object.union(f.tools_change, {"added": [], "removed": ["lookup_order"]})
	inp := with_approvals(f.with_changes(unprotected, ["tools"], [removal]), [])
	vs := governance.violations with input as inp
	not "governance.approvals_required" in f.rules(vs)
}

test_first_release_needs_eval_and_approvals_for_every_listed_part if {
	first := object.union(
		with_approvals(with_attestations(f.check, []), []),
		{"previous": null, "diff": {"fromDigest": null, "changed": ["code", "model", "prompts", "tools", "index"], "changes": []}},
	)
	vs := governance.violations with input as first
	some v in vs
	v.rule == "governance.eval_required"
	startswith(v.message, "model (first release of support-agent here); prompts (first release of support-agent here); tools (first release")
	parts := {w.values.part | some w in vs; w.rule == "governance.approvals_required"}
	parts == {"model", "prompts", "tools"}
}

signed_required := object.union(f.check, {"environment": {"governance": {"requireSignedEvals": true}}})

verified_eval := object.union(f.passing_eval, {"verification": {"verified": true, "signer": "eval-runner@ci.acme.dev"}})

test_signed_evals_required_a_verified_one_counts if {
	vs := governance.violations with input as with_attestations(signed_required, [verified_eval])
	count(vs) == 0
}

test_signed_evals_required_an_unsigned_one_does_not_count if {
	unsigned := object.union(f.passing_eval, {"verification": {"verified": false, "problem": "not signed"}})
	vs := governance.violations with input as with_attestations(signed_required, [unsigned])
	some v in vs
	v.rule == "governance.eval_required"
	v.message == concat("", [model_line, " needs a signed eval attestation for sha256:a1a1a1a1a1a1 with pass=true and score >= 0.90; found support-golden-v7 score 0.93 pass=true (not counted: not signed)"])
}

test_signed_evals_required_the_problem_is_named if {
	edited := object.union(f.passing_eval, {"verification": {"verified": false, "problem": "the signature by key SHA256:abc does not match the envelope's payload (changed after it was signed)"}})
	vs := governance.violations with input as with_attestations(signed_required, [edited])
	some v in vs
	endswith(v.message, "pass=true (not counted: the signature by key SHA256:abc does not match the envelope's payload (changed after it was signed))")
}

test_unsigned_evals_count_where_signatures_are_not_required if {
	unsigned := object.union(f.passing_eval, {"verification": {"verified": false, "problem": "not signed"}})
	vs := governance.violations with input as with_attestations(f.check, [unsigned])
	count(vs) == 0
}
