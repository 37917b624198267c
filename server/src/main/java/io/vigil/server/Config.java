package io.vigil.server;

import io.vigil.collectors.kafka.KafkaSettings;
import io.vigil.collectors.kafka.RecordDecoders;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every setting Vigil reads, from the environment (names as in the README). Immutable;
 * {@link #toString()} never prints a secret.
 */
public record Config(int port, String host, Database database, String adminToken, String rulesFile,
    long maxBodyBytes, int maxSamplesPerRequest, int dbPoolSize, int maxInFlightBatches,
    int streamQueueBytes, int retentionDays, int warmupMaxSamples,
    int maxLabelsPerSeries, int maxLabelValueChars, int maxNewSeriesPerMinute, PatrolConfig patrol, KafkaSettings kafka,
    io.vigil.rules.alerts.AlertSeverityMap alertSeverity, java.time.Duration alertResolveTimeout,
    io.vigil.server.storage.PgSampleStore.Settings storage, String slaFile, java.time.Duration slaScanInterval,
    io.vigil.server.storage.PgFaultStore.Recurrence recurrence, String publicUrl, int maxPendingFaultWrites) {

  /** The ingest limits every collector applies (README: settings). */
  public io.vigil.collectors.IngestLimits.Settings ingestLimits() {
    return new io.vigil.collectors.IngestLimits.Settings(maxBodyBytes, maxSamplesPerRequest, maxLabelsPerSeries, maxLabelValueChars,
        maxNewSeriesPerMinute);
  }

  /** Where PostgreSQL is, parsed from {@code VIGIL_DATABASE_URL} ({@code postgresql://user:pass@host:port/db}). */
  public record Database(String host, int port, String name, String user, String password) {
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    @Override
    public String toString() {
      return "postgresql://" + user + ":***@" + host + ":" + port + "/" + name;
    }

    public static Database parse(String url) {
      URI u;
      try {
        u = URI.create(url.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("VIGIL_DATABASE_URL is not a URL: " + e.getMessage());
      }
      if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
        throw new IllegalArgumentException("VIGIL_DATABASE_URL must start with postgresql://, e.g. postgresql://vigil:secret@127.0.0.1:5432/vigil");
      }
      String user = "postgres";
      String password = "";
      if (u.getRawUserInfo() != null) {
        String[] up = u.getRawUserInfo().split(":", 2);
        user = URLDecoder.decode(up[0], StandardCharsets.UTF_8);
        if (up.length > 1) password = URLDecoder.decode(up[1], StandardCharsets.UTF_8);
      }
      String path = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
      if (u.getHost() == null) throw new IllegalArgumentException("VIGIL_DATABASE_URL has no host");
      return new Database(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), path.isEmpty() ? user : path, user, password);
    }
  }

  public static Config fromEnv(Map<String, String> env) {
    String db = env.get("VIGIL_DATABASE_URL");
    if (db == null || db.isBlank()) {
      throw new IllegalArgumentException("VIGIL_DATABASE_URL is not set (./vigil run sets it to a local PostgreSQL it starts)");
    }
    return new Config(
        intSetting(env, "VIGIL_PORT", 8080, 0, 65535),
        env.getOrDefault("VIGIL_HOST", "0.0.0.0"),
        Database.parse(db),
        blankToNull(env.get("VIGIL_ADMIN_TOKEN")),
        blankToNull(env.get("VIGIL_RULES")),
        intSetting(env, "VIGIL_MAX_BODY_BYTES", 10 * 1024 * 1024, 1024, Integer.MAX_VALUE),
        intSetting(env, "VIGIL_MAX_SAMPLES_PER_REQUEST", 100_000, 1, 10_000_000),
        intSetting(env, "VIGIL_DB_POOL_SIZE", 8, 1, 200),
        intSetting(env, "VIGIL_MAX_INFLIGHT_BATCHES", 64, 1, 100_000),
        intSetting(env, "VIGIL_STREAM_QUEUE_BYTES", 1024 * 1024, 1024, Integer.MAX_VALUE),
        intSetting(env, "VIGIL_RETENTION_DAYS", 30, 1, 36500),
        intSetting(env, "VIGIL_WARMUP_MAX_SAMPLES", 2_000_000, 0, 100_000_000),
        intSetting(env, "VIGIL_MAX_LABELS_PER_SERIES", 64, 1, 1000),
        intSetting(env, "VIGIL_MAX_LABEL_VALUE_CHARS", 2048, 16, 1_000_000),
        intSetting(env, "VIGIL_MAX_NEW_SERIES_PER_MINUTE", 20_000, 0, 100_000_000),
        PatrolConfig.fromEnv(env),
        kafka(env),
        alertSeverity(env.get("VIGIL_ALERT_SEVERITY")),
        durationSetting(env, "VIGIL_ALERT_RESOLVE_TIMEOUT", java.time.Duration.ofMinutes(5)),
        new io.vigil.server.storage.PgSampleStore.Settings(
            intSetting(env, "VIGIL_STORAGE_FLUSH_SAMPLES", 2_000_000, 1, 100_000_000),
            durationSetting(env, "VIGIL_STORAGE_FLUSH_INTERVAL", java.time.Duration.ofMinutes(5))),
        blankToNull(env.get("VIGIL_SLA")),
        durationSetting(env, "VIGIL_SLA_SCAN_INTERVAL", java.time.Duration.ofSeconds(1)),
        new io.vigil.server.storage.PgFaultStore.Recurrence(
            java.time.Duration.ofDays(intSetting(env, "VIGIL_RECURRENCE_DAYS", 7, 0, 3650)), recurrenceMode(env.get("VIGIL_RECURRENCE_MODE"))),
        publicUrl(env.get("VIGIL_PUBLIC_URL")),
        intSetting(env, "VIGIL_MAX_PENDING_FAULT_WRITES", 20_000, 100, 10_000_000));
  }

  /**
   * {@code VIGIL_PUBLIC_URL}: where people reach this server (links sent to customers, such as
   * survey links), without a trailing slash; null when unset (links are then paths only).
   */
  static String publicUrl(String raw) {
    if (raw == null || raw.isBlank()) return null;
    String u = raw.strip().replaceAll("/+$", "");
    try {
      java.net.URI uri = new java.net.URI(u);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) throw new java.net.URISyntaxException(u, "not http(s)");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("VIGIL_PUBLIC_URL must be an http:// or https:// URL such as https://vigil.example.com, got '" + raw + "'");
    }
    return u;
  }

  /** {@code VIGIL_RECURRENCE_MODE}: {@code reopen} (default) or {@code link}. */
  static boolean recurrenceMode(String raw) {
    if (raw == null || raw.isBlank() || raw.trim().equals("reopen")) return true;
    if (raw.trim().equals("link")) return false;
    throw new IllegalArgumentException("VIGIL_RECURRENCE_MODE must be reopen or link, got '" + raw + "'");
  }

  /** The Kafka collector's settings, or null (off) when {@code VIGIL_KAFKA_BOOTSTRAP} is unset. */
  static KafkaSettings kafka(Map<String, String> env) {
    String bootstrap = blankToNull(env.get("VIGIL_KAFKA_BOOTSTRAP"));
    if (bootstrap == null) return null;
    String topic = blankToNull(env.get("VIGIL_KAFKA_TOPIC"));
    if (topic == null) throw new IllegalArgumentException("VIGIL_KAFKA_TOPIC must be set when VIGIL_KAFKA_BOOTSTRAP is");
    String group = blankToNull(env.get("VIGIL_KAFKA_GROUP"));
    String dlq = blankToNull(env.get("VIGIL_KAFKA_DLQ_TOPIC"));
    String format = blankToNull(env.get("VIGIL_KAFKA_FORMAT"));
    return new KafkaSettings(bootstrap, topic, group == null ? "vigil" : group,
        format == null ? RecordDecoders.Format.AUTO : RecordDecoders.Format.parse(format),
        dlq == null ? topic + ".dlq" : dlq,
        intSetting(env, "VIGIL_KAFKA_MAX_INFLIGHT", 8, 1, 1024),
        java.time.Duration.ofMillis(intSetting(env, "VIGIL_KAFKA_COMMIT_INTERVAL_MS", 1000, 10, 600_000)),
        blankToNull(env.get("VIGIL_KAFKA_CUSTOMER")),
        kafkaClientProperties(blankToNull(env.get("VIGIL_KAFKA_PROPERTIES"))));
  }

  /** {@code VIGIL_KAFKA_PROPERTIES}: a Java properties file of Kafka client settings (security, timeouts). */
  static Map<String, String> kafkaClientProperties(String path) {
    if (path == null) return Map.of();
    java.util.Properties p = new java.util.Properties();
    try (java.io.Reader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(path), java.nio.charset.StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("VIGIL_KAFKA_PROPERTIES: cannot read '" + path + "': " + e);
    }
    Map<String, String> out = new java.util.HashMap<>();
    for (String k : p.stringPropertyNames()) out.put(k.trim(), p.getProperty(k).trim());
    return out;
  }

  private static io.vigil.rules.alerts.AlertSeverityMap alertSeverity(String raw) {
    if (raw == null || raw.isBlank()) return io.vigil.rules.alerts.AlertSeverityMap.defaults();
    try {
      return io.vigil.rules.alerts.AlertSeverityMap.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("VIGIL_ALERT_SEVERITY: " + e.getMessage() + " (e.g. " + io.vigil.rules.alerts.AlertSeverityMap.DEFAULT_SPEC + ")");
    }
  }

  private static java.time.Duration durationSetting(Map<String, String> env, String name, java.time.Duration fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) return fallback;
    try {
      java.time.Duration d = io.vigil.rules.Durations.parse(raw.trim());
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("must be positive");
      return d;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " must be a positive duration like 5m or 30s, got '" + raw + "'");
    }
  }

  private static int intSetting(Map<String, String> env, String name, int fallback, int min, int max) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) return fallback;
    try {
      int v = Integer.parseInt(raw.trim());
      if (v < min || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    return "Config[port=" + port + ", host=" + host + ", database=" + database + ", adminToken="
        + (adminToken == null ? "generated" : "***") + ", rules=" + (rulesFile == null ? "bundled demo rules" : rulesFile)
        + ", maxBodyBytes=" + maxBodyBytes + ", maxSamplesPerRequest=" + maxSamplesPerRequest + ", dbPoolSize=" + dbPoolSize
        + ", maxInFlightBatches=" + maxInFlightBatches + ", maxPendingFaultWrites=" + maxPendingFaultWrites + ", streamQueueBytes=" + streamQueueBytes
        + ", retentionDays=" + retentionDays + ", warmupMaxSamples=" + warmupMaxSamples
        + ", maxLabelsPerSeries=" + maxLabelsPerSeries + ", maxLabelValueChars=" + maxLabelValueChars
        + ", maxNewSeriesPerMinute=" + maxNewSeriesPerMinute + ", patrol=" + patrol
        + ", kafka=" + (kafka == null ? "off" : kafka.bootstrap() + "/" + kafka.topic()
            + (kafka.customer() == null ? "" : " for customer " + kafka.customer())
            + (kafka.client().isEmpty() ? "" : " client settings " + new java.util.TreeSet<>(kafka.client().keySet())))
        + ", alertSeverity=" + alertSeverity + ", alertResolveTimeout=" + alertResolveTimeout
        + ", storageFlushSamples=" + storage.flushSamples() + ", storageFlushInterval=" + storage.flushInterval() + "]";
  }
}
