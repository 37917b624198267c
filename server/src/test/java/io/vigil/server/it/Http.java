package io.vigil.server.it;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain JDK HTTP and websocket client, as an outside user would be. Blocking; test threads only. */
public final class Http {
  public record Reply(int status, HttpResponse<String> raw) {
    public JsonObject json() {
      return new JsonObject(raw.body());
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + raw.body();
    }
  }

  public final String base;
  public final String token;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public Http(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** Creates an API token with this (admin) client and returns its secret; {@code customer} null: unbound. */
  public String newToken(String name, String role, String customer) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("role", role);
    if (customer != null) body.put("customer", customer);
    Reply r = post("/api/v1/tokens", body.encode());
    if (r.status() != 201) throw new AssertionError("token " + name + " not created: " + r);
    return r.json().getString("token");
  }

  public Http as(String otherToken) {
    return new Http(base, otherToken);
  }

  public Reply get(String path) throws Exception {
    return send(request(path).GET());
  }

  public Reply post(String path, String json) throws Exception {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Reply put(String path, String json) throws Exception {
    return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Reply post(String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return send(b);
  }

  /** POST with the given headers (e.g. Content-Type and Content-Encoding of a remote_write body). */
  public Reply postWithHeaders(String path, java.util.Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b);
  }

  public Reply delete(String path) throws Exception {
    return send(request(path).DELETE());
  }

  public Reply ingest(String samplesJson) throws Exception {
    return post("/api/v1/ingest", "{\"samples\":[" + samplesJson + "]}");
  }

  /**
   * Ingests as a well-behaved client does: a 503 (storage behind, back-pressure) is retried after
   * its Retry-After, for up to 60 s; any other answer is returned as it is.
   */
  public Reply ingestHonouringRetryAfter(String samplesJson) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Reply r = ingest(samplesJson);
      if (r.status() != 503 || System.nanoTime() > deadline) return r;
      String after = r.header("Retry-After");
      Thread.sleep(after == null ? 200 : Math.min(1000, Long.parseLong(after.trim()) * 1000));
    }
  }

  public static String sample(String metric, String customer, String system, String host, double value) {
    return "{\"metric\":\"" + metric + "\",\"labels\":{\"customer\":\"" + customer + "\",\"system\":\"" + system
        + "\",\"host\":\"" + host + "\"},\"value\":" + value + "}";
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b;
  }

  private Reply send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r);
  }

  /** A websocket client collecting text messages in a queue. */
  public Stream stream() throws Exception {
    Stream s = new Stream();
    String ws = base.replaceFirst("^http", "ws") + "/api/v1/stream?token=" + token;
    s.socket = client.newWebSocketBuilder().buildAsync(URI.create(ws), s).get(10, TimeUnit.SECONDS);
    return s;
  }

  public static final class Stream implements WebSocket.Listener, AutoCloseable {
    public final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket socket;
    public volatile Integer closedWith;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject m = new JsonObject(partial.toString());
        partial.setLength(0);
        // A batch is the deltas that waited for the previous message: one message each, in order.
        if ("batch".equals(m.getString("type"))) m.getJsonArray("messages").forEach(x -> messages.add((JsonObject) x));
        else messages.add(m);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closedWith = code;
      return null;
    }

    /** The next message, failing after 10 s. */
    public JsonObject next() throws InterruptedException {
      JsonObject m = messages.poll(10, TimeUnit.SECONDS);
      if (m == null) throw new AssertionError("no websocket message within 10 s");
      return m;
    }

    /** Skips messages until one of {@code type} whose payload matches. */
    public JsonObject until(String type, java.util.function.Predicate<JsonObject> payload) throws InterruptedException {
      while (true) {
        JsonObject m = next();
        if (type.equals(m.getString("type")) && payload.test(m.getJsonObject(type))) return m;
      }
    }

    @Override
    public void close() {
      if (socket != null) socket.abort();
    }
  }
}
