import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import { LeaseElector } from "../../src/cluster/leader/lease-elector.ts";
import { ClusterMetrics } from "../../src/cluster/metrics.ts";
import { opensslAvailable } from "../support/kube-apiserver/tls.ts";
import {
  LEASE_NAMESPACE,
  memoryLogger,
  needsOpenssl,
  roleRules,
  type TestCluster,
  TestClusters,
  TOLLGATE_TOKEN,
  TOLLGATE_USER,
} from "./fixtures.ts";

const LEASE = "tollgate-reconciler";

describe("leader election through a coordination.k8s.io/v1 Lease", () => {
  const clusters = new TestClusters();
  let cluster: TestCluster;
  before(async () => {
    if (!opensslAvailable()) return;
    cluster = await clusters.start("leases");
  });
  after(() => clusters.stop());

  /** Two reconciler replicas with the ServiceAccount token and the Role of deploy/, on one clock. */
  function replicas(
    clock: { now: number },
    names = ["tollgate-7d9f-a", "tollgate-7d9f-b"],
  ): [LeaseElector, LeaseElector] {
    const make = (identity: string): LeaseElector => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(cluster.standIn.kubeconfig({ token: TOLLGATE_TOKEN, context: identity }));
      return new LeaseElector({
        kubeConfig,
        namespace: LEASE_NAMESPACE,
        name: LEASE,
        identity,
        leaseDurationSeconds: 15,
        renewDeadlineMs: 10_000,
        now: () => clock.now,
        logger: memoryLogger().logger,
      });
    };
    return [make(names[0]!), make(names[1]!)];
  }

  async function lease(): Promise<{ holder: string; transitions: number; renewTime: string }> {
    const api = cluster.adminConfig.makeApiClient(CoordinationV1Api);
    const l = await api.readNamespacedLease({ name: LEASE, namespace: LEASE_NAMESPACE });
    return {
      holder: l.spec?.holderIdentity ?? "",
      transitions: l.spec?.leaseTransitions ?? 0,
      renewTime: String(l.spec?.renewTime),
    };
  }

  test("of two electors racing every round, exactly one leads; the other takes over only after the Lease expires", async (t) => {
    if (!needsOpenssl(t)) return;
    const clock = { now: Date.parse("2026-11-21T10:00:00Z") };
    const [a, b] = replicas(clock);

    // Twenty rounds, 2 s apart, both trying at the same moment.
    let leader: string | undefined;
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
      assert.equal(results.filter(Boolean).length, 1, `round ${round}: exactly one leader`);
      assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1);
      const now = a.isLeader() ? a.identity : b.identity;
      leader ??= now;
      assert.equal(now, leader, "leadership does not flap while the leader renews");
      clock.now += 2_000;
    }
    assert.equal((await lease()).holder, leader);
    assert.match(
      (await lease()).renewTime,
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
      "renewTime is a MicroTime",
    );

    // The leader stops renewing (paused, partitioned). The follower waits out the full lease duration.
    const [follower, stale] = leader === a.identity ? [b, a] : [a, b];
    for (let waited = 0; waited < 14_000; waited += 2_000) {
      assert.equal(await follower.tryAcquireOrRenew(), false, `still held after ${waited} ms`);
      clock.now += 2_000;
    }
    clock.now += 2_000;
    assert.equal(await follower.tryAcquireOrRenew(), true);
    assert.deepEqual([(await lease()).holder, (await lease()).transitions], [follower.identity, 1]);

    // The old leader has passed its renew deadline: it no longer believes it leads, and cannot renew.
    assert.equal(stale.isLeader(), false);
    assert.equal(await stale.tryAcquireOrRenew(), false);
    assert.equal(follower.isLeader(), true);
  });

  test("a leader that releases the Lease hands over at once", async (t) => {
    if (!needsOpenssl(t)) return;
    const clock = { now: Date.parse("2026-11-22T10:00:00Z") };
    const [a, b] = replicas(clock, ["tollgate-5c2e-c", "tollgate-5c2e-d"]);
    // The previous test's leader still holds the Lease; both see it, then wait it out.
    assert.equal(await a.tryAcquireOrRenew(), false);
    assert.equal(await b.tryAcquireOrRenew(), false);
    clock.now += 16_000;
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    await a.release();
    assert.equal(a.isLeader(), false);
    assert.equal((await lease()).holder, "");
    assert.equal(await b.tryAcquireOrRenew(), true, "no need to wait for expiry after a release");
    assert.equal(await a.tryAcquireOrRenew(), false);
  });

  test("run() calls back on gaining and losing leadership and reports it in metrics", async (t) => {
    if (!needsOpenssl(t)) return;
    const metrics = new ClusterMetrics();
    const elector = new LeaseElector({
      kubeConfig: cluster.adminConfig,
      namespace: LEASE_NAMESPACE,
      name: "tollgate-run-test",
      identity: "runner",
      retryPeriodMs: 5,
      metrics,
      logger: memoryLogger().logger,
    });
    const events: string[] = [];
    const stop = new AbortController();
    const running = elector.run(stop.signal, {
      onStartedLeading: () => {
        events.push("started");
        stop.abort();
      },
      onStoppedLeading: () => events.push("stopped"),
    });
    await running;
    assert.deepEqual(events, ["started", "stopped"]);
    const gauge = (await metrics.registry.getSingleMetric("tollgate_leader")!.get()).values;
    assert.equal(gauge[0]!.value, 0, "released on stop");
    assert.equal(
      (await metrics.registry.getSingleMetric("tollgate_leader_transitions_total")!.get()).values[0]!.value,
      1,
    );
  });

  test("the Lease requests use exactly the permissions of deploy/role-leader-election.yaml", async (t) => {
    if (!needsOpenssl(t)) return;
    const used = new Set(
      cluster.standIn.requests
        .filter((r) => r.user === TOLLGATE_USER && r.path.includes("/leases"))
        .map((r) => {
          const verb = { GET: "get", POST: "create", PUT: "update" }[r.method] ?? r.method;
          const name = r.path.split("/")[7];
          return `${verb} ${verb === "create" ? "" : (name ?? "")}`.trim();
        }),
    );
    const rules = roleRules("role-leader-election.yaml");
    const granted = new Set(
      rules.flatMap((rule) => rule.verbs.flatMap((v) => (rule.resourceNames ?? [""]).map((n) => `${v} ${n}`.trim()))),
    );
    assert.deepEqual([...used].sort(), [...granted].sort());

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(cluster.standIn.kubeconfig({ token: TOLLGATE_TOKEN, context: "other" }));
    const other = new LeaseElector({
      kubeConfig,
      namespace: LEASE_NAMESPACE,
      name: "someone-elses-lease",
      identity: "x",
      logger: memoryLogger().logger,
    });
    await assert.rejects(
      other.tryAcquireOrRenew(),
      (e: { code?: number }) => e.code === 403,
      "a Lease not named in the Role is forbidden",
    );
  });
});
