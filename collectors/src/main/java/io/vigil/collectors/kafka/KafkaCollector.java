package io.vigil.collectors.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.collectors.SampleSink;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.util.retry.Retry;

/**
 * Consumes a topic of sample records (Reactor Kafka, one consumer in {@code group}) into the
 * {@link SampleSink}, committing a record's offset only once its samples are durable.
 *
 * <p>Per record: decode ({@link RecordDecoder}), {@code sink.accept}, retried with backoff while
 * storage is unavailable; a poison record (undecodable, or rejected by the sink as invalid) is
 * written to the dead-letter topic instead. Only then is its offset <em>acknowledged</em>.
 * Reactor Kafka treats an acknowledged offset as "everything before it in this partition is done"
 * and commits acknowledged offsets every {@code commitInterval} (and on revocation and close), so
 * acknowledgements must follow the partition's order: records are processed up to
 * {@code maxInFlight} at once but handed back in arrival order ({@code flatMapSequential}), so a
 * record waiting for storage holds back the acknowledgement — never the durability — of the ones
 * behind it. Back-pressure: at most {@code maxInFlight} records are being processed and a few
 * polls' worth are buffered; beyond that Reactor Kafka pauses the partitions (still polling, so
 * the consumer stays in its group) until demand returns.
 *
 * <p>Delivery is at least once: after a crash, records processed but not yet committed are
 * delivered again (their samples are stored again; the rules see them again). Nothing
 * acknowledged is ever lost, because nothing is acknowledged before it is durable.
 *
 * <p>{@link #start()} and {@link #stop()} must be called on a Vert.x context; the sink is called
 * on that context. Nothing here blocks an event loop.
 */
public final class KafkaCollector {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaCollector.class);
  private final Vertx vertx;
  private final SampleSink sink;
  private final RecordDecoder decoder;
  private final KafkaSettings settings;
  private final Clock clock;
  private final KafkaMeters meters;
  private Scheduler workers;
  private KafkaSender<byte[], byte[]> sender;
  private KafkaReceiver<byte[], byte[]> receiver;
  private Disposable consuming;
  private Disposable lagProbe;

  public KafkaCollector(Vertx vertx, SampleSink sink, RecordDecoder decoder, KafkaSettings settings, Clock clock, MeterRegistry registry) {
    this.vertx = vertx;
    this.sink = sink;
    this.decoder = decoder;
    this.settings = settings;
    this.clock = clock;
    this.meters = new KafkaMeters(registry);
  }

  /** Subscribes; the consumer connects in the background (an unreachable broker is retried by the Kafka client). */
  public Future<Void> start() {
    Context context = vertx.getOrCreateContext();
    // Decoding and every step after the sink's future runs here, off the event loops.
    workers = Schedulers.newParallel("vigil-kafka", Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    sender = KafkaSender.create(SenderOptions.<byte[], byte[]>create(producerProps()));
    receiver = KafkaReceiver.create(receiverOptions());
    RecordProcessor processor = new RecordProcessor(sink, decoder, clock, task -> context.runOnContext(v -> task.run()), workers, meters,
        Duration.ofMillis(100), Duration.ofSeconds(5));
    DeadLetters deadLetters = new DeadLetters(sender, settings.deadLetterTopic(), meters, Duration.ofMillis(200), Duration.ofSeconds(10));
    consuming = receiver.receive()
        // The KafkaConsumer is constructed on subscription: on a worker, not this event loop.
        .subscribeOn(workers)
        .flatMapSequential(r -> process(r, processor), settings.maxInFlight(), 1)
        // In arrival order, one at a time: dead letters keep the partition's order, and a record is
        // acknowledged only after everything before it is durable or dead-lettered.
        .concatMap(done -> done.outcome().isPoison()
            ? deadLetters.publish(done.record(), done.outcome()).thenReturn(done.record())
            : Mono.just(done.record()), settings.maxInFlight())
        .doOnNext(r -> {
          r.receiverOffset().acknowledge();
          meters.acknowledged.increment();
        })
        // Only the consumer itself failing ends up here (records never fail); a new consumer
        // resumes from the committed offsets.
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
            .doBeforeRetry(s -> LOG.warn("kafka.consumer_restart attempt={} cause=\"{}\"", s.totalRetries() + 1, s.failure().toString())))
        .subscribe(r -> { }, t -> LOG.error("kafka.consumer_stopped cause=\"{}\"", t.toString(), t));
    lagProbe = Flux.interval(Duration.ofSeconds(5), workers)
        .concatMap(i -> receiver.doOnConsumer(c -> {
          long lag = 0;
          for (TopicPartition tp : c.assignment()) lag += c.currentLag(tp).orElse(0);
          return lag;
        }).onErrorResume(t -> Mono.empty()))
        .subscribe(meters.fetchLag::set);
    LOG.info("kafka.consuming bootstrap={} topic={} group={} format={} dlq={} maxInFlight={} commitIntervalMs={}", settings.bootstrap(),
        settings.topic(), settings.group(), settings.format().name().toLowerCase(java.util.Locale.ROOT), settings.deadLetterTopic(),
        settings.maxInFlight(), settings.commitInterval().toMillis());
    return Future.succeededFuture();
  }

  private record Processed(ReceiverRecord<byte[], byte[]> record, Outcome outcome) {}

  private Mono<Processed> process(ReceiverRecord<byte[], byte[]> r, RecordProcessor processor) {
    meters.inFlight.incrementAndGet();
    return processor.process(r)
        .doOnNext(o -> meters.samples.increment(o.samples()))
        .map(o -> new Processed(r, o))
        .doFinally(s -> meters.inFlight.decrementAndGet());
  }

  private ReceiverOptions<byte[], byte[]> receiverOptions() {
    Map<String, Object> p = new HashMap<>(settings.consumerOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-" + settings.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group starts at the beginning of what the topic retains: starting at the end would
    // silently skip everything produced before Vigil first ran.
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    // A Vigil killed (or a machine lost) holds its partitions until the broker gives up on its
    // session: Kafka's default of 45 s is 45 s of no Kafka ingest after every crash restart (the
    // kill -9 campaign found it). 10 s, with heartbeats every 3 s; brokers allow 6 s and up.
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    // Bounds what one poll hands over (and Reactor Kafka buffers) to a few times what is in flight.
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(16, 2 * settings.maxInFlight()));
    return ReceiverOptions.<byte[], byte[]>create(p)
        .commitInterval(settings.commitInterval())
        .commitBatchSize(0)
        .subscription(List.of(settings.topic()));
  }

  private Map<String, Object> producerProps() {
    Map<String, Object> p = new HashMap<>(settings.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "vigil-" + settings.group() + "-dlq");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A dead-letter write that cannot get metadata fails within this and is retried by us.
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /**
   * Stops consuming: in-flight records are abandoned (not acknowledged, so delivered again
   * later), the consumer commits what was acknowledged and closes on Reactor Kafka's thread.
   */
  public Future<Void> stop() {
    if (consuming == null) return Future.succeededFuture();
    consuming.dispose();
    lagProbe.dispose();
    // KafkaSender.close() waits for the producer to flush: a worker thread, never the event loop.
    return vertx.executeBlocking(() -> {
      sender.close();
      workers.dispose();
      return null;
    }, false).mapEmpty();
  }
}
