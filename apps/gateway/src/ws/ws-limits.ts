/**
 * Every bound of the WebSocket endpoint in one place. Hitting one means back-pressure (pause the
 * consumer, stop reading the socket) or an error frame, never silent buffering.
 */
export const WS_LIMITS = {
  /** Largest client frame; ws closes the socket with 1009 (message too big) above it. */
  maxFrameBytes: 1024 * 1024,
  /** Open sockets per gateway process; later upgrades are refused with 503. */
  maxSockets: 10_000,
  maxSubscriptionsPerSocket: 16,
  maxTopicsPerSubscription: 64,
  maxPartitionsPerSubscription: 1024,
  /** Offsets named by one ack frame. */
  maxAckOffsetsPerFrame: 1024,
  /** Credit a client may have outstanding on one subscription (the sum of its grants not yet used). */
  maxCredit: 1_000_000,
  /**
   * Bytes of encoded records fetched but not yet sent for lack of credit. Above it the
   * subscription pauses its partitions (no more Fetch requests); below half of it, it resumes them.
   */
  maxBufferedBytes: 64 * 1024,
  /**
   * Bytes of records (and their encodings) that direct subscriptions share, over all partitions;
   * least recently read chunks leave first and are fetched again if still needed.
   */
  fanoutCacheBytes: 64 * 1024 * 1024,
  /** Fetch sizes of the shared feeds: a chunk is one partition's answer, about a frame or two of small records. */
  fanoutFetchMaxBytes: 4 * 1024 * 1024,
  fanoutPartitionFetchMaxBytes: 128 * 1024,
  /** Pause of the shared fetchers after a failed request or while a partition has no leader. */
  fanoutRetryBackoffMs: 200,
  /** Fetch sizes of a group subscription's consumer: with one response queued ahead, its memory stays near these. */
  fetchMaxBytes: 64 * 1024,
  partitionFetchMaxBytes: 64 * 1024,
  fetchMaxWaitMs: 250,
  /** Records per `records` frame. */
  maxRecordsPerFrame: 500,
  /** Bytes queued on a socket and not yet written to the kernel; above it deliveries wait for the flush. */
  maxSocketBufferedBytes: 1024 * 1024,
  /** Produce frames awaiting the cluster's answer; above it the gateway stops reading the socket. */
  maxProducesInFlightPerSocket: 1_000,
  /** Commit attempts for one batch of acks before an error frame reports the failure. */
  commitAttempts: 5,
  commitRetryBackoffMs: 500,
  /** Pending acks are flushed before a closing subscription leaves its group, at most this long. */
  closeCommitTimeoutMs: 5_000,
  /** A socket that does not answer a ping within this interval is terminated (its consumers released). */
  pingIntervalMs: 30_000,
  /** Client-chosen ids of subscriptions and produce messages. */
  maxIdLength: 128,
} as const;
