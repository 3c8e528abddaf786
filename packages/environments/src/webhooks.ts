import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookTarget {
  url: string;
  secretEnv?: string | undefined;
  events?: Array<'build' | 'promote' | 'rollback'> | undefined;
}

/** What happened, for every webhook of the event's kind. */
export interface DevkitEvent {
  kind: 'build' | 'promote' | 'rollback';
  outcome: 'success' | 'failure';
  name: string;
  environment: string | null;
  from: string | null;
  to: string | null;
  commits: { from: string | null; to: string | null };
  actor: string;
  durationMs: number;
  error?: string | undefined;
  /** Where the events come from (CloudEvents `source`). */
  source: string;
}

export interface WebhookResult {
  url: string;
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
}

/** The JSON body (pure): CloudEvents 1.0 structured mode, plus a Slack-compatible `text`. */
export function webhookBody(event: DevkitEvent, id: string, time: string): string {
  const short = (d: string | null) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : 'nothing');
  const where = event.environment ? ` to ${event.environment}` : '';
  const verb =
    event.kind === 'build'
      ? 'built'
      : event.kind === 'promote'
        ? `promoted${where}`
        : `rolled back in ${event.environment}`;
  const text =
    event.outcome === 'success'
      ? `${event.name} ${verb}: ${short(event.from)} → ${short(event.to)} by ${event.actor}`
      : `${event.name} ${event.kind}${where} FAILED (${event.actor}): ${event.error ?? 'unknown error'}`;
  return JSON.stringify({
    specversion: '1.0',
    type: `dev.devkit.${event.kind}.${event.outcome}`,
    source: event.source,
    id,
    time,
    subject: event.environment ? `${event.name}/${event.environment}` : event.name,
    datacontenttype: 'application/json',
    text,
    data: {
      name: event.name,
      environment: event.environment,
      from: event.from,
      to: event.to,
      commits: event.commits,
      actor: event.actor,
      durationMs: Math.round(event.durationMs),
      outcome: event.outcome,
      ...(event.error ? { error: event.error } : {}),
    },
  });
}

/** `sha256=<hex>` HMAC of the exact body bytes, as the X-Devkit-Signature header carries it. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SendOptions {
  env: NodeJS.ProcessEnv;
  /** Total time budget for all attempts of one webhook (default 5 s). */
  budgetMs?: number;
  /** Attempts per webhook (default 3). */
  attempts?: number;
}

/**
 * POSTs the event to every webhook that wants it, in parallel, each with bounded retries
 * inside a fixed time budget. Never throws: a dead or slow webhook is reported in the
 * results and never holds the caller past the budget.
 */
export async function sendWebhooks(
  targets: readonly WebhookTarget[],
  event: DevkitEvent,
  options: SendOptions,
): Promise<WebhookResult[]> {
  const wanted = targets.filter((t) => !t.events || t.events.includes(event.kind));
  const body = webhookBody(event, randomUUID(), new Date().toISOString());
  return Promise.all(wanted.map((t) => sendOne(t, body, options)));
}

async function sendOne(target: WebhookTarget, body: string, options: SendOptions): Promise<WebhookResult> {
  const budget = options.budgetMs ?? 5_000;
  const attempts = options.attempts ?? 3;
  const deadline = Date.now() + budget;
  const headers: Record<string, string> = {
    'content-type': 'application/cloudevents+json; charset=utf-8',
    'user-agent': 'devkit',
  };
  if (target.secretEnv) {
    const secret = options.env[target.secretEnv];
    if (!secret)
      return {
        url: target.url,
        ok: false,
        attempts: 0,
        status: null,
        error: `${target.secretEnv} is not set: refusing to send an unsigned event`,
      };
    headers['x-devkit-signature'] = signBody(body, secret);
  }
  let last: WebhookResult = { url: target.url, ok: false, attempts: 0, status: null, error: 'not sent' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(left),
        redirect: 'error',
      });
      await response.arrayBuffer().catch(() => undefined);
      last = {
        url: target.url,
        ok: response.ok,
        attempts: attempt,
        status: response.status,
        error: response.ok ? null : `HTTP ${response.status}`,
      };
      // A 4xx other than 408/429 will not change on retry.
      if (
        response.ok ||
        (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
      )
        return last;
    } catch (error) {
      last = {
        url: target.url,
        ok: false,
        attempts: attempt,
        status: null,
        error: (error as Error).name === 'TimeoutError' ? `no answer within ${budget} ms` : (error as Error).message,
      };
    }
    const pause = Math.min(200 * 2 ** (attempt - 1), deadline - Date.now());
    if (pause > 0 && attempt < attempts) await new Promise((r) => setTimeout(r, pause));
  }
  return last;
}
