package io.vigil.collectors;

import io.vertx.core.Future;
import io.vigil.rules.SampleBatch;

/**
 * Where every collector hands its parsed samples. The one contract all ingest paths share.
 *
 * <p>{@link #accept} must not block; it may be called from any event loop. The returned future
 * succeeds only once the whole batch is durable (all or nothing): a collector acknowledges its
 * client only then. It fails with {@link SinkUnavailableException} when the sink cannot take the
 * batch now (storage down or behind); the client should retry after the hinted delay. Nothing of
 * a failed batch is stored.
 */
@FunctionalInterface
public interface SampleSink {
  Future<Void> accept(SampleBatch batch);
}
