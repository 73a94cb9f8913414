import { z } from 'zod';

/** Query parameters every list route accepts. */
export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size, 1..1000.'),
  nextToken: z.string().min(1).max(2048).optional().describe('Token from the previous page.'),
});

/** The shape of every paginated response: `nextToken` is present only when another page exists. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextToken: z.string().optional(),
  });
