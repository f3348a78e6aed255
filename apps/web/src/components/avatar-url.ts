/**
 * The avatar URL the page may load, or null. Only https images: the gateway's CSP allows
 * `img-src 'self' data: blob: https:` and nothing else (ADR 0029), and profile accepts only
 * https URLs without credentials — a stored value that is anything else shows the initial.
 */
export function displayableAvatarUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && !parsed.username && !parsed.password
      ? parsed.href
      : null;
  } catch {
    return null;
  }
}
