import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * bench/kafka.sh's Kafka side (single-file program: java -cp KAFKA_JARS KafkaBench.java MODE …).
 *   produce --bootstrap= --topic= --partitions= --samples= --batch= --series=
 *       creates the topic, sends samples/batch records of `batch` JSON samples (metric bench_load,
 *       `series` distinct series, as /api/v1/ingest), waits for every ack; prints PRODUCED records= samples= bytes= seconds=
 *   await --bootstrap= --topic= --group= --timeout=
 *       polls the group's committed offsets every 100 ms until they reach the topic's end; prints
 *       AWAITED seconds= committed= end= (seconds from this program's start)
 */
public class KafkaBench {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String s : args) if (s.startsWith("--")) a.put(s.substring(2, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
    switch (args[0]) {
      case "produce" -> produce(a);
      case "await" -> await(a);
      default -> throw new IllegalArgumentException("mode: produce | await");
    }
  }

  static void produce(Map<String, String> a) throws Exception {
    String topic = a.get("topic");
    int partitions = Integer.parseInt(a.get("partitions"));
    long samples = Long.parseLong(a.get("samples"));
    int batch = Integer.parseInt(a.get("batch"));
    int series = Integer.parseInt(a.get("series"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", a.get("bootstrap")))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    Random random = new Random(42);
    long t0 = System.nanoTime();
    long bytes = 0;
    long records = (samples + batch - 1) / batch;
    try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", a.get("bootstrap"), "acks", "all",
        "linger.ms", "5", "batch.size", "1048576", "max.request.size", "4194304",
        "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class))) {
      long n = 0;
      for (long r = 0; r < records; r++) {
        StringBuilder b = new StringBuilder(batch * 110).append("{\"samples\":[");
        for (int i = 0; i < batch && n < samples; i++, n++) {
          if (i > 0) b.append(',');
          long s = n % series;
          b.append("{\"metric\":\"bench_load\",\"labels\":{\"customer\":\"bench\",\"system\":\"s").append(s % 100)
              .append("\",\"host\":\"h").append(s).append("\"},\"value\":").append(random.nextInt(1000)).append('}');
        }
        String v = b.append("]}").toString();
        bytes += v.length();
        p.send(new ProducerRecord<>(topic, "r" + r, v), (md, e) -> {
          if (e != null) {
            System.err.println("send failed: " + e);
            System.exit(1);
          }
        });
      }
      p.flush();
    }
    System.out.printf("PRODUCED records=%d samples=%d bytes=%d seconds=%.2f%n", records, samples, bytes, (System.nanoTime() - t0) / 1e9);
  }

  static void await(Map<String, String> a) throws Exception {
    long t0 = System.nanoTime();
    String topic = a.get("topic");
    long deadline = t0 + TimeUnit.SECONDS.toNanos(Long.parseLong(a.get("timeout")));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", a.get("bootstrap")))) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      for (int i = 0; i < partitions; i++) ask.put(new TopicPartition(topic, i), OffsetSpec.latest());
      long end = 0;
      for (var info : admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS).values()) end += info.offset();
      long committed = 0;
      while (System.nanoTime() < deadline) {
        committed = 0;
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(a.get("group")).partitionsToOffsetAndMetadata()
            .get(10, TimeUnit.SECONDS);
        for (var e : offsets.entrySet()) if (e.getKey().topic().equals(topic) && e.getValue() != null) committed += e.getValue().offset();
        if (committed >= end) break;
        Thread.sleep(100);
      }
      System.out.printf("AWAITED seconds=%.2f committed=%d end=%d%n", (System.nanoTime() - t0) / 1e9, committed, end);
      if (committed < end) System.exit(3);
    }
  }
}
