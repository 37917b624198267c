package io.vigil.server.it;

import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) inside the test JVM, from the
 * kafka_2.13 jar on the test classpath: free ports, a temp directory, formatted and started before
 * the class's tests, shut down and deleted after them. Register with
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}. Helpers are
 * blocking and for test threads only.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
  public static final String SASL_PASSWORD = "vigil-kafka-secret";
  private Path dir;
  private KafkaRaftServer server;
  private int port;
  private int saslPort;
  private Admin admin;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("vigil-kafka");
    port = freePort();
    saslPort = freePort();
    int controller = freePort();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",CONTROLLER://127.0.0.1:" + controller);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    // A second listener that only lets in user "vigil" with SASL/PLAIN (password SASL_PASSWORD).
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_vigil=\"" + SASL_PASSWORD + "\";");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    Path props = dir.resolve("server.properties");
    try (FileWriter w = new FileWriter(props.toFile())) {
      p.store(w, null);
    }
    // kafka-storage format; execute() returns the exit code where main() would System.exit.
    int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()},
        new PrintStream(java.io.OutputStream.nullOutputStream()));
    if (rc != 0) throw new IllegalStateException("kafka-storage format failed with " + rc);
    server = new KafkaRaftServer(KafkaConfig.fromProps(p), Time.SYSTEM);
    server.startup();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (admin != null) admin.close(Duration.ofSeconds(5));
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The listener that needs SASL/PLAIN as user {@code vigil} with {@link #SASL_PASSWORD}. */
  public String saslBootstrap() {
    return "127.0.0.1:" + saslPort;
  }

  public void createTopic(String topic, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
  }

  /** Sends each value (key = its index) and waits until the broker has them all. */
  public void produce(String topic, List<String> values) throws Exception {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      for (int i = 0; i < values.size(); i++) p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k" + i, values.get(i)));
      p.flush();
    }
  }

  /** A producer for tests that send over time. */
  public KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  /** The group's committed offset summed over the topic's partitions (0 when nothing is committed). */
  public long committed(String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS);
    long sum = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (e.getKey().topic().equals(topic) && e.getValue() != null) sum += e.getValue().offset();
    }
    return sum;
  }

  /** The topic's end offsets summed over its partitions: how many records it has had. */
  public long endOffset(String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
    for (int i = 0; i < partitions; i++) ask.put(new TopicPartition(topic, i), OffsetSpec.latest());
    long sum = 0;
    for (var info : admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS).values()) sum += info.offset();
    return sum;
  }

  /** Reads a topic from the beginning until {@code expected} records arrived (or the time is up). */
  public List<ConsumerRecord<String, String>> readAll(String topic, int expected, Duration max) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + Uuid.randomUuid(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      c.subscribe(List.of(topic));
      long end = System.nanoTime() + max.toNanos();
      while (out.size() < expected && System.nanoTime() < end) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static int freePort() throws IOException {
    return EphemeralPostgres.freePort();
  }
}
