import * as z from 'zod';

/** Query parameters every list route accepts. */
export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size, 1..1000.'),
  // A cursor holds the last key base64url-encoded: up to ~5,500 characters for 1,024 non-ASCII chars.
  nextToken: z.string().min(1).max(8192).optional().describe('Token from the previous page.'),
});

/** The shape of every paginated response: `nextToken` is present only when another page exists. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextToken: z.string().optional(),
  });
