/**
 * Leader election against a real kube-apiserver: two `tollgate reconcile` processes campaign for the
 * Lease of deploy/deployment.yaml with the ServiceAccount token and deploy/role-leader-election.yaml.
 * One acts; when it is killed the other takes over once the Lease has expired, and the Lease's
 * history (the audit log's record of every write) never shows two holders at once.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import type { Environment } from "../../src/model/types.ts";
import { exampleGitopsRepo, git } from "../support/gitops-repo.ts";
import {
  type AuditEvent,
  type DeploymentRollouts,
  type KubeCluster,
  startKubeClusterForTests,
  TOLLGATE_NAMESPACE,
} from "../support/kube-cluster/index.ts";
import { PROJECT_ROOT } from "../support/tmp-repo.ts";

const LEASE = "tollgate-reconciler";
/** LeaseElector's defaults, which `tollgate reconcile` uses. */
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;

interface Replica {
  identity: string;
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

interface LeaseWrite {
  holder: string;
  acquireTime: number;
  renewTime: number;
  transitions: number;
  at: number;
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now();
}

/** The Lease as each successful write left it, in the order the server accepted them. */
function leaseHistory(events: AuditEvent[]): LeaseWrite[] {
  return events
    .filter(
      (e) =>
        e.objectRef?.resource === "leases" &&
        e.objectRef.name === LEASE &&
        (e.verb === "create" || e.verb === "update") &&
        (e.responseStatus?.code ?? 0) < 300,
    )
    .map((e) => {
      const spec = (e.responseObject as { spec: Record<string, unknown> }).spec;
      return {
        holder: String(spec["holderIdentity"] ?? ""),
        acquireTime: Date.parse(String(spec["acquireTime"])),
        renewTime: Date.parse(String(spec["renewTime"])),
        transitions: Number(spec["leaseTransitions"] ?? 0),
        at: Date.parse(e.stageTimestamp),
      };
    });
}

describe("leader election: two `tollgate reconcile` processes on one Lease of a real kube-apiserver", () => {
  let cluster: KubeCluster | undefined;
  let skip: string | undefined;
  let rollouts: DeploymentRollouts | undefined;
  let repo: { dir: string; cleanup: () => Promise<void> } | undefined;
  const replicas: Replica[] = [];

  before(async () => {
    ({ cluster, skip } = await startKubeClusterForTests({ workloadNamespaces: ["agents"], gatewayApi: false }));
  });
  after(async () => {
    for (const r of replicas) r.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));
    await rollouts?.stop();
    await cluster?.stop();
    await repo?.cleanup();
  });

  function start(identity: string, kubeconfig: string): Replica {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin/tollgate.js"),
        "reconcile",
        "--repo",
        repo!.dir,
        "--env",
        "dev",
        "--interval",
        "500ms",
        "--listen",
        "0",
      ],
      {
        cwd: repo!.dir,
        env: {
          ...process.env,
          KUBECONFIG: kubeconfig,
          TOLLGATE_LOG_LEVEL: "debug",
          TOLLGATE_LEADER_ELECTION: "true",
          TOLLGATE_LEASE_NAME: LEASE,
          TOLLGATE_LEASE_NAMESPACE: TOLLGATE_NAMESPACE,
          TOLLGATE_IDENTITY: identity,
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const replica: Replica = {
      identity,
      child,
      logs: [],
      exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    };
    let partial = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines)
        if (line.startsWith("{")) replica.logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    replicas.push(replica);
    return replica;
  }

  const events = (r: Replica, event: string): Record<string, unknown>[] => r.logs.filter((l) => l["event"] === event);

  test("one acts; killed, the other takes over after the Lease expires; never two leaders", async (t) => {
    if (!cluster) return t.skip(skip);
    rollouts = cluster.deploymentRollouts(["agents"]).start();
    const kubeconfig = cluster.writeKubeconfig("tollgate", { token: cluster.tollgateToken, context: "real" });

    // The GitOps repository: dev deploys to the real cluster's `agents` namespace.
    repo = await exampleGitopsRepo();
    const envFile = join(repo.dir, "environments/dev/environment.yaml");
    const document = parse(await readFile(envFile, "utf8")) as Environment;
    document.clusters = [{ name: "real", kubeconfig, context: "real", namespace: "agents" }];
    await writeFile(envFile, stringify(document));
    git(repo.dir, "commit", "-q", "-am", "dev: deploy to the real test cluster");

    const a = start("tollgate-a", kubeconfig);
    await waitFor("a leads", () => events(a, "leader-elected").length > 0, 60_000);
    const b = start("tollgate-b", kubeconfig);
    // b stands by while a acts (applies every tick).
    await waitFor("b stands by", () => events(b, "standby").length >= 4, 60_000);
    const appliedByA = events(a, "applied").length;
    await waitFor("a keeps applying", () => events(a, "applied").length > appliedByA + 2, 30_000);
    assert.equal(events(b, "applied").length, 0, "the standby replica never applies");
    assert.equal(events(b, "leader-elected").length, 0);

    // Kill a without letting it release the Lease: b must wait for it to expire.
    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    await a.exited;
    const tookOverAt = await waitFor(
      "b takes over",
      () => events(b, "leader-elected").length > 0,
      LEASE_DURATION_MS + 4 * RETRY_PERIOD_MS + 10_000,
    );
    await waitFor("b applies", () => events(b, "applied").length > 0, 60_000);
    t.diagnostic(`b took over ${((tookOverAt - killedAt) / 1000).toFixed(1)} s after a was killed`);

    // Stopped politely, b releases the Lease.
    b.child.kill("SIGTERM");
    assert.equal(await b.exited, 0);

    // The Lease's history: every accepted write, in order.
    const history = leaseHistory(await cluster.audit.since(0));
    const holders = history.map((w) => w.holder).filter((h, i, all) => i === 0 || all[i - 1] !== h);
    assert.deepEqual(holders, ["tollgate-a", "tollgate-b", ""]);
    const lastOfA = history.filter((w) => w.holder === "tollgate-a").at(-1)!;
    const firstOfB = history.find((w) => w.holder === "tollgate-b")!;
    // b acquired only after a's last renewal had expired, and within one lease duration (plus the
    // time b needs to notice the last renewal and its next try) of it.
    assert.ok(
      firstOfB.acquireTime - lastOfA.renewTime >= LEASE_DURATION_MS,
      `b acquired ${firstOfB.acquireTime - lastOfA.renewTime} ms after a's last renewal`,
    );
    assert.ok(
      firstOfB.acquireTime - lastOfA.renewTime <= LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 1_000,
      `b acquired ${firstOfB.acquireTime - lastOfA.renewTime} ms after a's last renewal`,
    );
    assert.ok(tookOverAt - killedAt <= LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS + 2_000);
    assert.equal(firstOfB.transitions, lastOfA.transitions + 1);
    // Renewals by the holder only: between a's first and last write nobody else wrote the Lease.
    const aWrites = history.filter((w) => w.holder === "tollgate-a");
    const aSpan = history.slice(history.indexOf(aWrites[0]!), history.indexOf(lastOfA) + 1);
    assert.ok(aSpan.every((w) => w.holder === "tollgate-a"));
    // And what each process did: a's ticks all happened before b became leader.
    const lastAppliedByA = Math.max(...events(a, "applied").map((l) => Number(l["time"])));
    const firstAppliedByB = Math.min(...events(b, "applied").map((l) => Number(l["time"])));
    assert.ok(lastAppliedByA < firstOfB.acquireTime && firstAppliedByB >= firstOfB.acquireTime);
    // Two candidates racing over one Lease: the loser's update was refused with 409, never accepted.
    const refused = (await cluster.audit.since(0)).filter(
      (e) => e.objectRef?.resource === "leases" && e.responseStatus?.code === 409,
    );
    t.diagnostic(`Lease writes: ${history.length} accepted, ${refused.length} refused with 409`);
  });
});
