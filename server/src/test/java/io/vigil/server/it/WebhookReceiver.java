package io.vigil.server.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver in a process of its own, as a pager bridge would be: the notification tests
 * make it fail, hang and come back, and read what reached it. {@code main(port)} serves:
 * <ul>
 *   <li>{@code POST /hook/...}: records the request (path, headers, body, arrival time) and answers
 *       as the current mode says: {@code ok} (200), {@code fail} (500), {@code hang} (holds the
 *       request 60 s), {@code reject} (400), {@code busy} (429 with Retry-After: 1);</li>
 *   <li>{@code POST /control?mode=…}: changes the mode;</li>
 *   <li>{@code GET /received}: every request so far, as a JSON array, whatever mode answered it.</li>
 * </ul>
 * The parent ({@link Handle}) starts it with the test JVM's java and classpath and kills it with
 * SIGKILL when done.
 */
public final class WebhookReceiver {
  private static volatile String mode = "ok";
  private static final List<JsonObject> RECEIVED = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/hook", WebhookReceiver::hook);
    server.createContext("/control", ex -> {
      String q = ex.getRequestURI().getQuery();
      mode = q == null ? "ok" : q.replace("mode=", "");
      answer(ex, 204, "");
    });
    server.createContext("/received", ex -> {
      JsonArray all;
      synchronized (RECEIVED) {
        all = new JsonArray(new ArrayList<>(RECEIVED));
      }
      answer(ex, 200, all.encode());
    });
    server.start();
    System.out.println("receiver listening on " + port);
  }

  private static void hook(HttpExchange ex) throws IOException {
    long at = System.currentTimeMillis();
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    String m = mode;
    JsonObject headers = new JsonObject();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    synchronized (RECEIVED) {
      RECEIVED.add(new JsonObject().put("path", ex.getRequestURI().getPath()).put("headers", headers)
          .put("body", new String(body, StandardCharsets.UTF_8)).put("at", at).put("mode", m));
    }
    switch (m) {
      case "fail" -> answer(ex, 500, "{\"error\":\"down for maintenance\"}");
      case "reject" -> answer(ex, 400, "{\"error\":\"bad payload\"}");
      case "busy" -> {
        ex.getResponseHeaders().add("Retry-After", "1");
        answer(ex, 429, "{\"error\":\"slow down\"}");
      }
      case "hang" -> {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        answer(ex, 200, "{}");
      }
      default -> answer(ex, 200, "{\"ok\":true}");
    }
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, status == 204 ? -1 : b.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (status != 204) out.write(b);
    }
  }

  /** The receiver process, seen from a test. */
  public static final class Handle implements AutoCloseable {
    private final Process process;
    public final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Handle() throws Exception {
      this.port = EphemeralPostgres.freePort();
      Path log = java.nio.file.Files.createTempFile("vigil-receiver", ".log");
      process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-cp",
          System.getProperty("java.class.path"), WebhookReceiver.class.getName(), Integer.toString(port))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Await.until(Duration.ofSeconds(20), "the webhook receiver on " + port, () -> {
        try {
          received();
          return true;
        } catch (IOException e) {
          return false;
        }
      });
    }

    public String url(String path) {
      return "http://127.0.0.1:" + port + "/hook/" + path;
    }

    public void mode(String m) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/control?mode=" + m))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 204) throw new IOException("receiver control: " + r.statusCode());
    }

    /** Every request that reached it, in arrival order. */
    public List<JsonObject> received() throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/received")).build(),
          HttpResponse.BodyHandlers.ofString());
      List<JsonObject> out = new ArrayList<>();
      for (Object o : new JsonArray(r.body())) out.add((JsonObject) o);
      return out;
    }

    /** The requests answered 200, in arrival order. */
    public List<JsonObject> accepted() throws IOException, InterruptedException {
      return received().stream().filter(j -> j.getString("mode").equals("ok")).toList();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
