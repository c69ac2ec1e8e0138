import { z } from 'zod';

/** A role name: lower-case letters, digits and dashes (`read-only`, `field-sales`). */
export const roleNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a role name is lower-case letters, digits and dashes');
