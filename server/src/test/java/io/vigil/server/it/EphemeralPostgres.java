package io.vigil.server.it;

import io.vigil.server.Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL cluster in a temp directory on a free port, started once per test JVM and
 * stopped at JVM exit. Each test gets its own fresh database ({@link #freshDatabase()}), so
 * tests never see each other's rows. As root, the server binaries run as the postgres user
 * ({@code initdb} refuses root). Requires Debian's postgresql package ({@code ./vigil test} installs it).
 */
public final class EphemeralPostgres implements AutoCloseable {
  private static EphemeralPostgres instance;
  private final Path dir;
  private final int port;
  private final String bin;
  private final AtomicInteger databases = new AtomicInteger();

  private EphemeralPostgres() throws Exception {
    bin = findBin();
    dir = Files.createTempDirectory("vigil-pgtest");
    port = freePort();
    if (root()) run(List.of("chown", "postgres:postgres", dir.toString()));
    run(asPg(bin + "/initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--locale=C.UTF-8"));
    startServer();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
  }

  /**
   * A cluster of its own, for a test that stops and starts PostgreSQL itself (the shared one
   * serves every other test): close it at the end.
   */
  public static EphemeralPostgres dedicated() throws Exception {
    return new EphemeralPostgres();
  }

  /** Starts the server again after {@link #stopServer()} (same port, same data). */
  public void startServer() throws IOException, InterruptedException {
    run(asPg(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start"));
  }

  /** A real outage: {@code pg_ctl stop -m fast} (open connections are closed, new ones refused). */
  public void stopServer() throws IOException, InterruptedException {
    run(asPg(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
  }

  @Override
  public void close() {
    if (this == instance) return; // the shared cluster stops with the JVM
    stop();
  }

  public static synchronized EphemeralPostgres get() {
    if (instance == null) {
      try {
        instance = new EphemeralPostgres();
      } catch (Exception e) {
        throw new IllegalStateException("could not start a throwaway PostgreSQL (is Debian's postgresql package installed?): " + e.getMessage(), e);
      }
    }
    return instance;
  }

  /** Creates an empty database and returns how to reach it. */
  public Config.Database freshDatabase() {
    String name = "vigil_test_" + databases.incrementAndGet();
    psql("CREATE DATABASE " + name);
    return new Config.Database("127.0.0.1", port, name, "postgres", "");
  }

  public String url(Config.Database db) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + db.name();
  }

  /** Runs SQL through psql as the superuser; returns unaligned, tuples-only output. */
  public String psql(String database, String sql) {
    try {
      return run(List.of(bin + "/psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", database,
          "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql)).strip();
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public String psql(String sql) {
    return psql("postgres", sql);
  }

  public int port() {
    return port;
  }

  private void stop() {
    try {
      run(asPg(bin + "/pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
      run(List.of("rm", "-rf", dir.toString()));
    } catch (Exception ignored) {
      // JVM is exiting; nothing useful to do with a failed cleanup of a temp directory.
    }
  }

  private static String findBin() throws IOException {
    try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
      return s.map(p -> p.resolve("bin")).filter(p -> Files.exists(p.resolve("initdb"))).map(Path::toString)
          .max(String::compareTo).orElseThrow(() -> new IOException("no initdb under /usr/lib/postgresql/*/bin"));
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asPg(String... cmd) {
    List<String> out = new ArrayList<>();
    if (root()) out.addAll(List.of("runuser", "-u", "postgres", "--"));
    out.addAll(List.of(cmd));
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
