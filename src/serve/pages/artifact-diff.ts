/** The five-part artifact diff as a table: each part before and after, the changed ones marked. */
import { ARTIFACT_PARTS, type Artifact, type ArtifactPartName, diffArtifacts } from "../../model/index.ts";
import { digest, esc, paths } from "../html.ts";

export function artifactDiffTable(from: Artifact | undefined, to: Artifact, service: string): string {
  const diff = diffArtifacts(from, to);
  const rows = ARTIFACT_PARTS.map((part) => {
    const changed = !from || diff.changed.includes(part);
    return `<tr data-part="${part}" data-changed="${changed}"${changed ? ` class="changed"` : ""}><th scope="row">${part}</th><td>${changed ? (from ? "changed" : "new") : "unchanged"}</td><td class="value">${from ? partValue(from, part) : "–"}</td><td class="value">${partValue(to, part)}</td></tr>`;
  });
  const header = from
    ? `${diff.changed.length} of 5 parts changed: ${esc(diff.summary)}`
    : "first deploy here: all five parts are new";
  return [
    `<table data-table="artifact-diff"><caption>${header}. Digests link to where each went.</caption>`,
    `<thead><tr><th scope="col">part</th><th scope="col">change</th><th scope="col">before ${from ? digestLink(from, service) : ""}</th><th scope="col">after ${digestLink(to, service)}</th></tr></thead>`,
    `<tbody>${rows.join("")}</tbody></table>`,
  ].join("");
}

function digestLink(a: Artifact, service: string): string {
  return `<a href="${paths.service(service)}#artifact-${esc(a.digest.slice(7, 19))}" data-artifact-link="${esc(a.digest)}">${digest(a.digest)}</a>`;
}

function partValue(a: Artifact, part: ArtifactPartName): string {
  switch (part) {
    case "code":
      return `<code>${esc(a.code.image)}</code><br>source <code>${esc(a.code.sourceCommit)}</code>`;
    case "model":
      return `${esc(a.model.provider)} / ${esc(a.model.name)} @ <code>${esc(a.model.snapshot)}</code>`;
    case "prompts":
      return `<code>${esc(a.prompts.digest)}</code>`;
    case "tools":
      return `${esc([...a.tools.allowed].sort().join(", ") || "(no tools)")}<br>manifest <code>${esc(a.tools.manifestDigest)}</code>`;
    case "index":
      return `<code>${esc(a.index.buildId)}</code><br><code>${esc(a.index.digest)}</code>`;
  }
}
