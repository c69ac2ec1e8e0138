/**
 * Normalises a web domain or URL to the bare lower-case host, the form
 * de-duplication compares: `https://www.Acme.io/about` -> `acme.io`.
 * Returns null when nothing host-like is left.
 */
export function normalizeDomain(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    const host = url.hostname.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
  } catch {
    return null;
  }
}
