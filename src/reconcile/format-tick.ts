/** One tick of the reconciler in words, for `tollgate reconcile --once`: what people read, what goes to stderr. */
import { engineOwnsDrift, type TickResult } from "./reconciler.ts";

export function formatTick(result: TickResult): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  for (const d of result.decisions) {
    out.push(
      `${d.change.action.padEnd(8)} ${d.change.environment}/${d.change.service}  ${d.change.why}  (commit ${d.commit.slice(0, 12)})`,
    );
  }
  for (const e of result.errors) err.push(`error    ${e.environment}/${e.service}: ${e.message}`);
  if (result.problems.length > 0)
    err.push(`${result.problems.length} invalid file(s) at HEAD were skipped; run \`tollgate validate\``);
  if (result.conflict) err.push("the remote kept moving: no decision was published; run again");
  for (const p of result.pruned ?? []) {
    for (const c of p.clusters) {
      for (const set of c.orphans) {
        const objects = set.objects.map((o) => `${o.kind}/${o.name}`).join(", ");
        out.push(
          p.prune
            ? `pruned   ${p.environment}/${set.service} in ${c.cluster}: ${objects}`
            : `orphaned ${p.environment}/${set.service} in ${c.cluster} (no release in git; prune is off): ${objects}`,
        );
      }
      if (!c.ok && c.error) err.push(`prune    ${p.environment} in ${c.cluster}: ${c.error.message}`);
    }
  }
  for (const c of result.engineApplied ?? []) out.push(`gitops   ${engineOwnsDrift(c)}`);
  const clusters = result.applied.flatMap((a) => a.clusters);
  const failed = clusters.filter((c) => !c.ok);
  for (const c of failed) err.push(`cluster  ${c.error?.message ?? c.cluster}`);
  out.push(
    `${result.decisions.length} decision(s) committed${result.skipped ? `, ${result.skipped} already recorded` : ""}; ${result.applied.length} service(s) applied to ${clusters.length - failed.length}/${clusters.length} cluster target(s); head ${result.head?.slice(0, 12) ?? "none"} (${Math.round(result.durationMs)} ms)`,
  );
  return { out, err };
}
