/**
 * Retries an admin call that failed with a retriable Kafka error.
 *
 * NOTE: right after topics are created, a broker may still answer metadata requests for them with
 * UNKNOWN_TOPIC_OR_PARTITION (retriable) while their leaders are elected, even with
 * `waitForLeaders`; the call succeeds a moment later.
 */
export async function retryingKafka<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const retriable =
        typeof error === 'object' &&
        error !== null &&
        'retriable' in error &&
        error.retriable === true;
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
