/**
 * Notifications: every published decision is POSTed as a JSON event to the configured webhooks, with
 * retries. A failing webhook is logged and never blocks or undoes a decision. The event's `text` is
 * the decision in one line, so chat incoming webhooks (Slack, Mattermost) take the event as it is.
 */
import type { Logger } from "pino";
import { retry } from "../async/index.ts";
import { decisionSubject, type WrittenDecision } from "../gitops/index.ts";
import { diffArtifacts } from "../model/index.ts";

export interface DecisionEvent {
  type: "tollgate.decision";
  /** The decision in one line for people: what chat incoming webhooks show. */
  text: string;
  environment: string;
  service: string;
  action: string;
  artifact: string;
  from: string | null;
  to: string;
  why: string;
  reasons: { rule: string; message: string }[];
  artifactDiff: { changed: string[]; summary: string };
  commit: string;
  evidence: string;
  policy: string;
}

export function decisionEvent(d: WrittenDecision): DecisionEvent {
  const c = d.change;
  const diff = diffArtifacts(c.from, c.to);
  return {
    type: "tollgate.decision",
    text: `${decisionSubject(c.action, c.environment, c.service, c.from?.digest, c.to.digest)}: ${c.why} (commit ${d.commit.slice(0, 12)})`,
    environment: c.environment,
    service: c.service,
    action: c.action,
    artifact: c.artifact,
    from: c.from?.digest ?? null,
    to: c.to.digest,
    why: c.why,
    reasons: (c.reasons ?? []).map((r) => ({ rule: r.rule, message: r.message })),
    artifactDiff: { changed: diff.changed, summary: diff.summary },
    commit: d.commit,
    evidence: d.evidence,
    policy: c.policy,
  };
}

export interface WebhookOptions {
  urls: string[];
  logger: Logger;
  /** Tries per webhook and event; default 3. */
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

export class WebhookNotifier {
  constructor(private readonly options: WebhookOptions) {}

  /** Sends to every webhook; resolves when all are done (delivered or given up), never rejects. */
  async notify(decision: WrittenDecision): Promise<void> {
    const event = decisionEvent(decision);
    await Promise.all(this.options.urls.map((url) => this.send(url, event)));
  }

  private async send(url: string, event: DecisionEvent): Promise<void> {
    const body = JSON.stringify(event);
    const { result } = await retry(
      { attempts: this.options.attempts ?? 3, backoffMs: this.options.backoffMs ?? 500 },
      async (): Promise<{ delivered: boolean; error: string; again: boolean }> => {
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", "user-agent": "tollgate" },
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
          });
          if (response.ok) return { delivered: true, error: "", again: false };
          // A refusal other than throttling or a server error will not change on a second try.
          return {
            delivered: false,
            error: `HTTP ${response.status}`,
            again: response.status >= 500 || response.status === 429,
          };
        } catch (error) {
          return { delivered: false, error: error instanceof Error ? error.message : String(error), again: true };
        }
      },
      (sent) => sent.again,
    );
    if (result.delivered) return;
    this.options.logger.warn(
      {
        event: "webhook-failed",
        url: redact(url),
        decision: event.action,
        environment: event.environment,
        service: event.service,
        error: result.error,
      },
      "a decision notification could not be delivered",
    );
  }
}

/** Webhook URLs often carry a token in the path or query: log only the origin. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}
