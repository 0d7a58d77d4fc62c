package tollgate.sync_test

import rego.v1

import data.tollgate.decision
import data.tollgate.fixtures as f
import data.tollgate.sync

argo_waiting := {
	"cluster": "prod-eu-west-1",
	"source": "argocd",
	"state": "waiting",
	"revision": "19bc2d0000000000000000000000000000000000",
	"wants": "3f2a9e0000000000000000000000000000000000",
	"detail": "Application argocd/prod-eu-west-1 is at 19bc2d0 (health Healthy)",
	"timeoutSeconds": 600,
}

telemetry_synced := {
	"cluster": "prod-us-east-1",
	"source": "telemetry",
	"state": "synced",
	"detail": "the canary receives 24% of requests, expected 25%",
	"timeoutSeconds": 600,
}

waiting_for(clusters, waited) := object.union(
	f.with_status(f.live, {"stepSeconds": 0}),
	{"sync": {"waitedSeconds": waited, "synced": false, "clusters": clusters}},
)

test_a_cluster_not_serving_the_step_holds_naming_the_commit if {
	d := decision with input as waiting_for([argo_waiting, telemetry_synced], 80)
	d.action == "hold"
	some r in d.reasons
	r.rule == "sync.waiting"
	r.message == "waiting for prod-eu-west-1 to sync 3f2a9e0… (argocd, 1m20s of 10m): Application argocd/prod-eu-west-1 is at 19bc2d0 (health Healthy)"
	r.values.cluster == "prod-eu-west-1"
}

test_a_cluster_read_from_telemetry_names_the_step if {
	waiting := object.union(telemetry_synced, {"state": "waiting", "detail": "the canary receives 5% of requests, expected 25%: the step is not served yet"})
	vs := sync.violations with input as waiting_for([waiting], 30)
	some v in vs
	v.message == "waiting for prod-us-east-1 to serve step 2… (telemetry, 30s of 10m): the canary receives 5% of requests, expected 25%: the step is not served yet"
}

test_an_unreadable_status_never_counts_as_synced if {
	unknown := object.union(argo_waiting, {"state": "unknown", "detail": "the Application could not be read"})
	d := decision with input as waiting_for([unknown], 10)
	d.action == "hold"
	"sync.waiting" in f.rules(d.reasons)
}

test_waiting_past_the_timeout_rolls_back if {
	d := decision with input as waiting_for([argo_waiting, telemetry_synced], 601)
	d.action == "rollback"
	d.reasons[0].rule == "sync.timeout"
	d.reasons[0].message == "prod-eu-west-1 has not served step 2 within its sync timeout of 10m (argocd): Application argocd/prod-eu-west-1 is at 19bc2d0 (health Healthy)"
}

test_synced_clusters_add_nothing if {
	inp := object.union(f.live, {"sync": {"waitedSeconds": 700, "synced": true, "clusters": [telemetry_synced]}})
	count(sync.violations) == 0 with input as inp
}

test_no_sync_no_violation if {
	count(sync.violations) == 0 with input as f.live
}
