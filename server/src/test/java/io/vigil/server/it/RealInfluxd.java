package io.vigil.server.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's real {@code influxd} (package {@code influxdb}, 1.6) on free ports with a throwaway
 * config whose meta/data/wal directories are in a temp dir: the reference the line protocol
 * endpoints are compared with. Auth disabled (it ignores credentials). Stopped and deleted by
 * {@link #close()}.
 */
final class RealInfluxd implements AutoCloseable {
  static final String BINARY = "/usr/bin/influxd";
  final Path dir;
  final int port;
  private final Process process;

  RealInfluxd() throws Exception {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new IllegalStateException(BINARY + " is missing: install Debian's influxdb and influxdb-client (./vigil test does)");
    }
    dir = Files.createTempDirectory("vigil-influxd");
    port = freePort();
    int bind = freePort();
    Path conf = dir.resolve("influxdb.conf");
    Files.writeString(conf, """
        reporting-enabled = false
        bind-address = "127.0.0.1:%d"
        [meta]
          dir = "%s/meta"
        [data]
          dir = "%s/data"
          wal-dir = "%s/wal"
          query-log-enabled = false
        [monitor]
          store-enabled = false
        [http]
          bind-address = "127.0.0.1:%d"
          log-enabled = false
        [logging]
          level = "warn"
        """.formatted(bind, dir, dir, dir, port));
    process = new ProcessBuilder(BINARY, "-config", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("influxd.log").toFile()).start();
    HttpClient c = HttpClient.newHttpClient();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        if (c.send(HttpRequest.newBuilder(URI.create(base() + "/ping")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 204) break;
      } catch (IOException e) {
        // not listening yet
      }
      if (!process.isAlive() || System.nanoTime() > end) {
        String log = Files.exists(dir.resolve("influxd.log")) ? Files.readString(dir.resolve("influxd.log")) : "";
        close();
        throw new IllegalStateException("influxd did not start: " + log);
      }
      Thread.sleep(100);
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** Runs an InfluxQL statement (e.g. CREATE DATABASE) through /query. */
  String query(String q) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/query"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("influxd /query " + q + ": " + r.statusCode() + " " + r.body());
    return r.body();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
