import { z } from 'zod';

/** Every error answer: the HTTP status as error_code and a message naming what was wrong (never a stack). */
export const errorBodySchema = z
  .object({
    error_code: z.number().int().describe('The HTTP status of the error'),
    message: z.string(),
  })
;

export type ErrorBody = z.infer<typeof errorBodySchema>;
