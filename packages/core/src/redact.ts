const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::([^/\s@]+))?@/gi;

/** Replaces `user:password@` in any URL inside `text` with `***@`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string) => `${scheme}***@`);
}

/**
 * Redacts URL credentials and every literal secret given. Secrets shorter than 4 characters
 * are left alone: replacing them would shred ordinary words and tell an attacker little.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactUrlCredentials(text);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
