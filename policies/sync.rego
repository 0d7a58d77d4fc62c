# Sync: a step change in `gitops` clusters is only a commit until their GitOps engine applies it.
#
# While the step's clock waits (`input.sync`, present only then), every cluster that does not serve
# the step yet holds the rollout, naming what was read; one that has not served it within its
# `syncTimeout` rolls it back. A cluster whose status cannot be read is waiting, never synced: a
# missing or stale signal never promotes.
package tollgate.sync

import rego.v1

import data.tollgate.lib

waiting contains cluster if {
	lib.progressing
	some cluster in input.sync.clusters
	cluster.state != "synced"
}

what(cluster) := sprintf("%s to sync %s", [cluster.cluster, substring(cluster.wants, 0, 7)]) if {
	cluster.wants
} else := sprintf("%s to serve step %d", [cluster.cluster, input.status.step + 1])

# Waiting for the engine within its timeout is the routine wait of a step: not recorded.
routine_holds := {"sync.waiting"}

violations contains v if {
	some cluster in waiting
	input.sync.waitedSeconds <= cluster.timeoutSeconds
	v := {
		"rule": "sync.waiting",
		"effect": "hold",
		"message": sprintf("waiting for %s… (%s, %s of %s): %s", [what(cluster), cluster.source, lib.duration(input.sync.waitedSeconds), lib.duration(cluster.timeoutSeconds), cluster.detail]),
		"values": {"cluster": cluster.cluster, "source": cluster.source, "state": cluster.state, "waitedSeconds": input.sync.waitedSeconds, "timeoutSeconds": cluster.timeoutSeconds},
	}
}

violations contains v if {
	some cluster in waiting
	input.sync.waitedSeconds > cluster.timeoutSeconds
	v := {
		"rule": "sync.timeout",
		"effect": "rollback",
		"message": sprintf("%s has not served step %d within its sync timeout of %s (%s): %s", [cluster.cluster, input.status.step + 1, lib.duration(cluster.timeoutSeconds), cluster.source, cluster.detail]),
		"values": {"cluster": cluster.cluster, "source": cluster.source, "state": cluster.state, "waitedSeconds": input.sync.waitedSeconds, "timeoutSeconds": cluster.timeoutSeconds},
	}
}
