import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * N websocket clients of the live stream (Vert.x/Netty from vigil.jar, 2 event loops), each reading every
 * message as a wall does. For each {@code fault} delta: latency = receive time - its {@code value}
 * (the publish time in epoch µs, see FanoutServer), grouped by its {@code phase} label.
 *
 * <p>{@code java -cp vigil.jar bench/fanout/FanoutClients.java <ws-url> <clients> <max-seconds>}. Prints one
 * {@code PHASE rate=… messages=… p50_ms=… p99_ms=… p999_ms=… max_ms=…} line per phase, and
 * {@code CLIENTS connected=… closed=… overflow=…} once the server has closed every connection
 * (or after {@code seconds}). Exit 1 if a client was dropped (an overflow message) or did not connect.
 */
public final class FanoutClients {
  /** Latency histogram per phase: 10 µs buckets up to 10 s. */
  static final int BUCKETS = 1_000_000;
  static final Map<String, AtomicLongArray> HIST = new ConcurrentHashMap<>();
  static final Map<String, AtomicLong> MAX = new ConcurrentHashMap<>();
  static final AtomicLong closed = new AtomicLong();
  static final AtomicLong overflow = new AtomicLong();

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    int n = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    // Netty through Vert.x (the jar's): the JDK's WebSocket client could not keep up with 1M messages/s.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(16 << 20)
        .setMaxConnections(n + 10));
    List<Future<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ClientWebSocket ws = client.webSocket();
      ws.textMessageHandler(FanoutClients::handle);
      ws.closeHandler(v -> closed.incrementAndGet());
      opening.add(ws.connect(uri.getPort(), uri.getHost(), uri.getRawPath()));
      if (i % 50 == 49) Thread.sleep(20); // do not SYN-flood the backlog
    }
    int connected = 0;
    for (Future<WebSocket> f : opening) {
      try {
        f.await(60, TimeUnit.SECONDS);
        connected++;
      } catch (Exception e) {
        System.err.println("connect failed: " + e);
      }
    }
    System.out.println("CONNECTED " + connected);
    System.out.flush();
    // Until the server closes every connection after its last phase (or the time is up).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (closed.get() < connected && System.nanoTime() < until) Thread.sleep(200);
    for (Map.Entry<String, AtomicLongArray> e : new TreeMap<>(HIST).entrySet()) {
      AtomicLongArray h = e.getValue();
      long total = 0;
      for (int i = 0; i < BUCKETS; i++) total += h.get(i);
      System.out.printf("PHASE rate=%s messages=%d p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%n", e.getKey(), total,
          pct(h, total, 0.50), pct(h, total, 0.99), pct(h, total, 0.999), MAX.get(e.getKey()).get() / 1000.0);
    }
    System.out.println("CLIENTS connected=" + connected + " closed=" + closed.get() + " overflow=" + overflow.get());
    System.exit(overflow.get() > 0 || connected < n ? 1 : 0);
  }

  static double pct(AtomicLongArray h, long total, double q) {
    long want = (long) Math.ceil(total * q);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += h.get(i);
      if (seen >= want && want > 0) return i * 10 / 1000.0;
    }
    return Double.NaN;
  }

  private static void handle(String m) {
    if (m.startsWith("{\"type\":\"overflow\"")) {
      overflow.incrementAndGet();
      return;
    }
    Instant now = Instant.now();
    long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    // One delta, or a batch of them ({"type":"batch","messages":[…]}): each fault delta in it.
    for (int at = m.indexOf("{\"type\":\"fault\""); at >= 0; at = m.indexOf("{\"type\":\"fault\"", at + 1)) {
      int v = m.indexOf("\"value\":", at);
      int p = m.indexOf("\"phase\":\"", at);
      if (v < 0 || p < 0) return;
      int vEnd = v + 8;
      while (vEnd < m.length() && "0123456789.E+-".indexOf(m.charAt(vEnd)) >= 0) vEnd++;
      long sent = (long) Double.parseDouble(m.substring(v + 8, vEnd));
      String phase = m.substring(p + 9, m.indexOf('"', p + 9));
      long lat = Math.max(0, nowMicros - sent);
      HIST.computeIfAbsent(phase, k -> new AtomicLongArray(BUCKETS)).incrementAndGet((int) Math.min(BUCKETS - 1, lat / 10));
      MAX.computeIfAbsent(phase, k -> new AtomicLong()).accumulateAndGet(lat, Math::max);
    }
  }
}
