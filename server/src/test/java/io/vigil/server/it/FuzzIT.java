package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing every way data comes in (issue 14): JSON ingest, Influx line protocol, remote_write
 * (protobuf and snappy), Alertmanager-style alert intake, and an admin JSON API (manual tickets).
 * Each body starts from a valid one carrying a unique marker, then is mutated: bytes flipped,
 * truncated, slices repeated, hostile tokens inserted ({@code NaN}, {@code 1e400}, NUL, deep
 * nesting, huge numbers and strings, quotes, newlines). The server must answer every one with a
 * 2xx or a 4xx (never a 5xx), never block its event loop (TestVigil's recorder), stay up, and store
 * nothing of a body it refused: no marker of a refused body is found in the database afterwards.
 *
 * <p>Bodies per protocol: {@code -Dvigil.fuzz.n} (default 4,000 in the suite; {@code bench/fuzz.sh}
 * runs 1,000,000). Seeded ({@code -Dvigil.fuzz.seed}), so a failure replays. Counts by status go to
 * stdout and {@code target/fuzz-report.md}.
 */
class FuzzIT {
  static final int N = Integer.getInteger("vigil.fuzz.n", 4_000);
  static final long SEED = Long.getLong("vigil.fuzz.seed", 20261207L);
  private static final int WINDOW = 16;
  private static TestVigil vigil;
  private static Vertx vertx;
  private static HttpClient client;
  private static final StringBuilder REPORT = new StringBuilder();
  private static final byte[][] HOSTILE = tokens("NaN", "1e400", "-1e400", "Infinity", "-0", "\"", "\\", "\u0000", "{", "}", "[", "]", ",",
      ":", "\n", "\r\n", " ", "=", "\\u0000", "\\ud800", "99999999999999999999999999", "-9223372036854775809", "true", "null", "\"\"",
      "é中文", "\u00ff\u00fe", "a".repeat(70_000), "[".repeat(5_000), "{\"a\":".repeat(2_000), "0x1F", "1_000", "1e-400", "#");

  private static byte[][] tokens(String... s) {
    byte[][] out = new byte[s.length][];
    for (int i = 0; i < s.length; i++) out[i] = s[i].getBytes(StandardCharsets.UTF_8);
    return out;
  }

  @BeforeAll
  static void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_MAX_NEW_SERIES_PER_MINUTE", "0"));
    assertEquals(201, vigil.http.post("/api/v1/customers", "{\"id\":\"acme\",\"tier\":\"7x24\",\"timeZone\":\"UTC\"}").status());
    assertEquals(201, vigil.http.post("/api/v1/customers/acme/systems", "{\"id\":\"erp\"}").status());
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(vigil.port()),
        new PoolOptions().setHttp1MaxSize(WINDOW));
    REPORT.append("# Fuzzing (FuzzIT)\n\n").append(N).append(" bodies per protocol, seed ").append(SEED).append(".\n\n")
        .append("| protocol | bodies | 2xx | 400 | 413 | 415 | 422 | 429 | other 4xx | 5xx | refused bodies checked | stored though refused |\n")
        .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      System.out.println(REPORT);
      Files.writeString(Path.of("target", "fuzz-report.md"), REPORT.toString());
    } finally {
      if (client != null) client.close().await(10, TimeUnit.SECONDS);
      if (vertx != null) vertx.close().await(10, TimeUnit.SECONDS);
      if (vigil != null) vigil.close(); // fails on any blocked event loop
    }
  }

  // ---- markers: fz<i>x<check>, so that a mutated digit does not pass for another body's marker ----

  /** Body i's marker; {@code tag} keeps the protocols' markers apart (they share one database). */
  static String marker(char tag, int i) {
    return "fz" + tag + i + "x" + check(i);
  }

  private static int check(int i) {
    return (int) ((i * 7919L + 17) % 9973);
  }

  private static final Pattern MARKER = Pattern.compile("fz([a-z])(\\d{1,9})x(\\d{1,4})");

  /** The bodies (by index) of protocol {@code tag} whose intact marker is in {@code text}. */
  private static Set<Integer> markersIn(String text, char tag) {
    Set<Integer> out = new HashSet<>();
    Matcher m = MARKER.matcher(text);
    while (m.find()) {
      if (m.group(1).charAt(0) != tag) continue;
      int i = Integer.parseInt(m.group(2));
      if (Integer.parseInt(m.group(3)) == check(i) && m.group(0).equals(marker(tag, i))) out.add(i);
    }
    return out;
  }

  // ---- the campaign ----

  /** One protocol: how to build body i, where to send it, and where a stored marker would show. */
  record Protocol(String name, char tag, String path, Map<String, String> headers, IntFunction<byte[]> valid, java.util.function.BooleanSupplier afterEncoding,
      java.util.function.UnaryOperator<byte[]> encode, String storedQuery, boolean singleLineOnly) {}

  @Test
  void jsonIngestAnswersEveryBodyWith2xxOr4xxAndStoresNothingItRefused() throws Exception {
    run(new Protocol("JSON ingest", 'j', "/api/v1/ingest", Map.of("Content-Type", "application/json"), i -> ("{\"samples\":[{\"metric\":\""
        + marker('j', i) + "\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"h" + (i % 7) + "\"},\"value\":" + (i % 100) / 3.0
        + ",\"ts\":" + (System.currentTimeMillis() - i % 1000) + "},{\"metric\":\"fzok\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\"},"
        + "\"value\":1}]}").getBytes(StandardCharsets.UTF_8), () -> false, b -> b, "SELECT string_agg(metric, ' ') FROM series", false));
  }

  @Test
  void lineProtocolAnswersEveryBodyWith2xxOr4xxAndStoresNothingItRefused() throws Exception {
    run(new Protocol("line protocol", 'l', "/write?db=fuzz&precision=ms", Map.of("Content-Type", "text/plain"), i -> (marker('l', i)
        + ",customer=acme,system=erp,host=h" + (i % 7) + " value=" + (i % 100) / 3.0 + ",count=" + i + "i,ok=true,msg=\"m " + i + "\" "
        + (System.currentTimeMillis() - i % 1000) + "\n").getBytes(StandardCharsets.UTF_8), () -> false, b -> b,
        "SELECT string_agg(metric, ' ') FROM series", true));
  }

  @Test
  void remoteWriteAnswersEveryBodyWith2xxOr4xxAndStoresNothingItRefused() throws Exception {
    // Half the mutations hit the protobuf before compression (the decoder), half the snappy stream.
    Random coin = new Random(SEED ^ 0x5eed);
    run(new Protocol("remote_write", 'r', "/api/v1/write", Map.of("Content-Type", RemoteWriteBodies.CONTENT_TYPE, "Content-Encoding", "snappy",
        "X-Prometheus-Remote-Write-Version", "0.1.0"), i -> new RemoteWriteBodies().series(marker('r', i),
            new TreeMap<>(Map.of("customer", "acme", "system", "erp", "host", "h" + (i % 7))), System.currentTimeMillis() - i % 1000,
            (i % 100) / 3.0, 1.0).protobuf(), coin::nextBoolean, b -> {
              try {
                return org.xerial.snappy.Snappy.compress(b);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }, "SELECT string_agg(metric, ' ') FROM series", false));
  }

  @Test
  void alertIntakeAnswersEveryBodyWith2xxOr4xxAndStoresNothingItRefused() throws Exception {
    run(new Protocol("alert intake", 'a', "/api/v2/alerts", Map.of("Content-Type", "application/json"), i -> ("[{\"labels\":{\"alertname\":\""
        + marker('a', i) + "\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P4\"},\"annotations\":{\"summary\":\"s " + i + "\"},"
        + "\"startsAt\":\"2026-12-07T10:00:00Z\",\"generatorURL\":\"http://prom/graph\"}]").getBytes(StandardCharsets.UTF_8), () -> false,
        b -> b, "SELECT string_agg(rule, ' ') FROM faults", false));
  }

  @Test
  void theTicketApiAnswersEveryBodyWith2xxOr4xxAndStoresNothingItRefused() throws Exception {
    run(new Protocol("admin JSON (POST /api/v1/tickets)", 't', "/api/v1/tickets", Map.of("Content-Type", "application/json",
        "Authorization", "Bearer " + TestVigil.ADMIN), i -> ("{\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P" + (1 + i % 4)
            + "\",\"summary\":\"" + marker('t', i) + "\",\"description\":\"phoned in by li.wei, line " + i + "\",\"channel\":\"phone\","
            + "\"reporter\":\"Li Wei +86 10 1234 5678\"}").getBytes(StandardCharsets.UTF_8), () -> false, b -> b,
        "SELECT string_agg(summary, ' ') FROM tickets", false));
  }

  private void run(Protocol p) throws Exception {
    Random rnd = new Random(SEED ^ p.name().hashCode());
    Map<Integer, AtomicInteger> byStatus = new TreeMap<>();
    BitSet refused = new BitSet(N);
    Map<Integer, String> firstOf5xx = new ConcurrentHashMap<>();
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
    AtomicInteger failures = new AtomicInteger();
    List<String> transportErrors = new ArrayList<>();
    Map<String, String> headers = new java.util.HashMap<>(p.headers());
    if (!headers.containsKey("Authorization")) headers.put("Authorization", "Bearer " + TestVigil.ADMIN);
    for (int i = 0; i < N; i++) {
      byte[] raw = p.valid().apply(i);
      boolean intact = rnd.nextInt(10) == 0; // a tenth stay valid: what is accepted must work too
      byte[] body;
      if (intact) body = p.encode().apply(raw);
      else if (p.afterEncoding().getAsBoolean()) body = mutate(p.encode().apply(raw), rnd);
      else body = p.encode().apply(mutate(raw, rnd));
      boolean checkable = !p.singleLineOnly() || singleLine(body);
      int index = i;
      window.acquire();
      RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setURI(p.path());
      headers.forEach(req::putHeader);
      // Our own deadline on the whole exchange: a request the server never answers is a finding, named with its body.
      client.request(req).compose(r -> r.send(Buffer.buffer(body))).compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b}))
          .timeout(20, TimeUnit.SECONDS)
          .onComplete(ar -> {
            try {
              if (ar.failed()) {
                failures.incrementAndGet();
                synchronized (transportErrors) {
                  if (transportErrors.size() < 5) {
                    transportErrors.add(index + ": " + ar.cause() + " body: " + new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8));
                  }
                }
                return;
              }
              int status = (Integer) ar.result()[0];
              synchronized (byStatus) {
                byStatus.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
              }
              if (status >= 500) firstOf5xx.putIfAbsent(status, index + ": " + ((Buffer) ar.result()[1]).toString());
              if (status >= 400 && status < 500 && checkable) {
                synchronized (refused) {
                  refused.set(index);
                }
              }
            } finally {
              window.release();
            }
          });
    }
    window.acquire(WINDOW);
    window.release(WINDOW);
    // Whatever a refused body carried must not be stored (samples reach the series table at once).
    String stored = vigil.sql(p.storedQuery());
    Set<Integer> found = markersIn(stored == null ? "" : stored, p.tag());
    List<Integer> leaked = new ArrayList<>();
    for (int i : found) if (refused.get(i)) leaked.add(i);
    int n2xx = 0, n5xx = 0, other4xx = 0;
    for (Map.Entry<Integer, AtomicInteger> e : byStatus.entrySet()) {
      int s = e.getKey();
      if (s / 100 == 2) n2xx += e.getValue().get();
      else if (s >= 500) n5xx += e.getValue().get();
      else if (!List.of(400, 413, 415, 422, 429).contains(s)) other4xx += e.getValue().get();
    }
    synchronized (REPORT) {
      REPORT.append("| ").append(p.name()).append(" | ").append(N).append(" | ").append(n2xx);
      for (int s : new int[] {400, 413, 415, 422, 429}) REPORT.append(" | ").append(byStatus.getOrDefault(s, new AtomicInteger()).get());
      REPORT.append(" | ").append(other4xx).append(" | ").append(n5xx).append(" | ").append(refused.cardinality()).append(" | ")
          .append(leaked.size()).append(" |\n");
    }
    assertEquals(0, failures.get(), p.name() + ": requests without an answer (connection closed, timeout): " + transportErrors);
    assertEquals(Map.of(), firstOf5xx, p.name() + ": 5xx answers, by status, the first of each (index: body)");
    assertEquals(List.of(), leaked, p.name() + ": bodies refused with a 4xx whose data was stored anyway (indexes)");
    assertTrue(n2xx > 0, p.name() + ": no body was accepted, so the valid ones are broken: " + byStatus);
    assertTrue(!found.isEmpty(), p.name() + ": no accepted body's marker is stored, so the leak check looks in the wrong place");
    assertEquals(200, vigil.http.get("/healthz").status(), "the server is still up");
  }

  private static boolean singleLine(byte[] b) {
    for (int i = 0; i < b.length - 1; i++) if (b[i] == '\n' || b[i] == '\r') return false;
    return true;
  }

  /** One to three mutations of {@code in}. */
  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in;
    int rounds = 1 + rnd.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      if (b.length == 0) return HOSTILE[rnd.nextInt(HOSTILE.length)].clone();
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(6)) {
        case 0 -> { // flip a byte to anything
          b = b.clone();
          b[at] = (byte) rnd.nextInt(256);
        }
        case 1 -> b = java.util.Arrays.copyOf(b, at); // truncate
        case 2 -> { // repeat a slice
          int len = Math.min(b.length - at, 1 + rnd.nextInt(40));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, at + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          b = out;
        }
        case 3, 4 -> { // insert a hostile token
          byte[] t = HOSTILE[rnd.nextInt(HOSTILE.length)];
          byte[] out = new byte[b.length + t.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(t, 0, out, at, t.length);
          System.arraycopy(b, at, out, at + t.length, b.length - at);
          b = out;
        }
        default -> { // replace a short run with a hostile token
          byte[] t = HOSTILE[rnd.nextInt(HOSTILE.length)];
          int len = Math.min(b.length - at, 1 + rnd.nextInt(8));
          byte[] out = new byte[b.length - len + t.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(t, 0, out, at, t.length);
          System.arraycopy(b, at + len, out, at + t.length, b.length - at - len);
          b = out;
        }
      }
    }
    return b;
  }
}
