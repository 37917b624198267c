package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.server.Config;
import io.vigil.server.Vigil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Vigil (the same {@link Vigil#start} main() uses) on a free port against a fresh database
 * of the shared throwaway PostgreSQL. Runs with a 200 ms event-loop budget; {@link #close()}
 * fails the test if Vert.x reported a blocked loop meanwhile.
 */
public final class TestVigil implements AutoCloseable {
  public static final String ADMIN = "test-admin-token";
  public static final String RULES = """
      rules:
        - name: SystemDown
          expr: up == 0
          for: 0s
          severity: P1
          annotations: {summary: "{{ $labels.system }} on {{ $labels.host }} is down"}
        - name: HighCpu
          expr: cpu_usage > 90
          for: 0s
          severity: P2
          labels: {team: noc}
          annotations: {summary: "CPU {{ $value }}% on {{ $labels.host }}"}
        - name: SlowDisk
          expr: disk_latency_ms > 100
          for: 1s
          severity: P3
      """;

  public final Config.Database db;
  public final Config config;
  private Vigil vigil;
  public final Http http;

  public TestVigil(Map<String, String> extraEnv) throws Exception {
    this(EphemeralPostgres.get().freshDatabase(), extraEnv);
  }

  public TestVigil() throws Exception {
    this(Map.of());
  }

  /** Starts on an existing database (restart tests). */
  public TestVigil(Config.Database db, Map<String, String> extraEnv) throws Exception {
    this(db, extraEnv, Clock.systemUTC());
  }

  /** Starts on an existing database with the server's clock {@code clock} (SLA tests move time by hand). */
  public TestVigil(Config.Database db, Map<String, String> extraEnv, Clock clock) throws Exception {
    this.db = db;
    Path rules = Files.createTempFile("vigil-rules", ".yaml");
    Files.writeString(rules, RULES);
    rules.toFile().deleteOnExit();
    Map<String, String> env = new HashMap<>();
    env.put("VIGIL_DATABASE_URL", EphemeralPostgres.get().url(db));
    env.put("VIGIL_PORT", "0");
    env.put("VIGIL_HOST", "127.0.0.1");
    env.put("VIGIL_ADMIN_TOKEN", ADMIN);
    env.put("VIGIL_RULES", rules.toString());
    env.putAll(extraEnv);
    config = Config.fromEnv(env);
    BlockedLoopRecorder.WARNINGS.clear();
    // 200 ms unless -Dvigil.it.loopBudgetMs says otherwise (developing with other builds on 2 cores).
    vigil = Vigil.start(config, clock, Long.getLong("vigil.it.loopBudgetMs", 200)).await(60, TimeUnit.SECONDS);
    vigil.ready().await(60, TimeUnit.SECONDS);
    http = new Http("http://127.0.0.1:" + vigil.port(), ADMIN);
  }

  /** A rules file with {@code yaml}, for {@code VIGIL_RULES} in a test's environment. */
  public static String rulesFile(String yaml) throws java.io.IOException {
    return tempYaml("vigil-rules", yaml);
  }

  /** A {@code VIGIL_SLA} file: {@code warnAt}, a {@code default} policy of the built-in targets, and {@code tiers} (more policies, YAML at policy level). */
  public static String slaFile(double warnAt, String tiers) throws java.io.IOException {
    return tempYaml("vigil-sla", "warn_at: " + warnAt + "\npolicies:\n  default:\n"
        + "    P1: {respond: 15m, resolve: 4h, calendar: 7x24}\n    P2: {respond: 1h, resolve: 24h, calendar: 7x24}\n"
        + "    P3: {respond: 4h, resolve: 3bd, calendar: 7x24}\n    P4: {respond: 2bd, resolve: 10bd, calendar: 7x24}\n" + tiers);
  }

  private static String tempYaml(String prefix, String yaml) throws java.io.IOException {
    Path p = Files.createTempFile(prefix, ".yaml");
    Files.writeString(p, yaml);
    p.toFile().deleteOnExit();
    return p.toString();
  }

  public int port() {
    return vigil.port();
  }

  public Vigil vigil() {
    return vigil;
  }

  /** SQL against this instance's database. */
  public String sql(String query) {
    return EphemeralPostgres.get().psql(db.name(), query);
  }

  public long count(String table) {
    return Long.parseLong(sql("SELECT count(*) FROM " + table));
  }

  /** Stops Vigil but keeps the database. */
  public void stop() throws Exception {
    if (vigil != null) {
      vigil.close().await(20, TimeUnit.SECONDS);
      vigil = null;
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    assertEquals(java.util.List.of(), BlockedLoopRecorder.WARNINGS, "an event loop was blocked");
  }
}
