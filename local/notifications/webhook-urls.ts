import { ValidationError } from '../../lambdas/shared/errors';

/**
 * Parses a comma-separated list of webhook URLs (the local platform reads MLOPS_WEBHOOK_URLS).
 * Blank entries are ignored, duplicates kept once; anything but an absolute http(s) URL is refused.
 * Errors name the entry by position, not by value: webhook URLs often carry a secret in their path.
 */
export function parseWebhookUrls(value: string | undefined, field = 'MLOPS_WEBHOOK_URLS'): string[] {
  const entries = (value ?? '').split(',').map((entry) => entry.trim());
  const urls: string[] = [];
  const issues: { field: string; rule: string; message: string }[] = [];
  entries.forEach((entry, index) => {
    if (entry === '') return;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      issues.push({ field, rule: 'url', message: `entry ${index + 1} is not an absolute URL` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      issues.push({
        field,
        rule: 'url',
        message: `entry ${index + 1} uses ${url.protocol}; only http: and https: are allowed`,
      });
      return;
    }
    if (!urls.includes(url.href)) urls.push(url.href);
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return urls;
}
