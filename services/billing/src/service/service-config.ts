import { kafkaServiceEnv } from '@cs/runtime';
import { z } from 'zod';

/** The billing service's environment (parsed once, in main, with parseEnv). */
export const billingEnvSchema = z.object({
  ...kafkaServiceEnv,
  CS_BILLING_GROUP_ID: z.string().min(1).default('cs-billing'),
  // 0 asks the OS for a free port (tests).
  CS_BILLING_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(18202),
  /** Input records per transaction (outputs + changelog + offsets). */
  CS_BILLING_COMMIT_EVERY: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** How long one partition's changelog restore may take before it is retried. */
  CS_BILLING_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(20_000),
});

export type BillingEnv = z.infer<typeof billingEnvSchema>;
