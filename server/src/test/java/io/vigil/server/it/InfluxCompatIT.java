package io.vigil.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Vigil against the real thing: Debian's {@code influxd} 1.6 gets the same {@code /write} requests
 * and the answers are compared (status, error body shape, and the reason InfluxDB gives for each
 * bad line); Debian's {@code influx} CLI writes to Vigil with {@code -execute 'INSERT …'} and
 * {@code -import}, and reports the same counts as it does against influxd. (Debian's InfluxDB is
 * 1.6, which has no {@code /api/v2/write}; the 2.x shape is checked in {@link InfluxWriteIT}.)
 */
class InfluxCompatIT {
  private static TestVigil vigil;
  private static RealInfluxd influxd;
  private static String token;
  private final HttpClient client = HttpClient.newHttpClient();
  /** {@code unable to parse '<line>': <reason>} as both servers phrase a bad line. */
  private static final Pattern BAD_LINE = Pattern.compile("unable to parse '(.*?)': ([^\\n]*?)(?= stored=| dropped=|\\n|$)");

  @BeforeAll
  static void start() throws Exception {
    influxd = new RealInfluxd();
    influxd.query("CREATE DATABASE telegraf");
    vigil = new TestVigil();
    Http.Reply r = vigil.http.post("/api/v1/tokens", new JsonObject().put("name", "influx-cli").put("role", "ingest").encode());
    token = r.json().getString("token");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (vigil != null) vigil.close();
    } finally {
      if (influxd != null) influxd.close();
    }
  }

  record Answer(int status, String body) {}

  private Answer send(String base, String query, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/write" + query)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) b.headers(headers);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** The same request to both (credentials as u/p: influxd runs without auth and ignores them). */
  private void assertSameAnswer(String what, String query, String lines) throws Exception {
    String q = query + (query.isEmpty() ? "?" : "&") + "u=agent&p=" + token;
    Answer ours = send(vigil.http.base, q, lines.getBytes(UTF_8));
    Answer theirs = send(influxd.base(), q, lines.getBytes(UTF_8));
    assertEquals(theirs.status(), ours.status(), what + ": influxd said " + theirs + ", Vigil " + ours);
    if (theirs.status() == 204) return;
    String e1 = new JsonObject(theirs.body()).getString("error");
    String e2 = new JsonObject(ours.body()).getString("error");
    assertNotNull(e2, what + ": Vigil's body has no 'error': " + ours);
    assertEquals(e1.startsWith("partial write:"), e2.startsWith("partial write:"), what + ": influxd " + e1 + " / Vigil " + e2);
    assertEquals(badLines(e1), badLines(e2), what + ": the bad lines and their reasons");
    if (badLines(e1).isEmpty()) assertEquals(e1, e2, what);
  }

  private static TreeSet<String> badLines(String error) {
    TreeSet<String> out = new TreeSet<>();
    Matcher m = BAD_LINE.matcher(error);
    while (m.find()) out.add(m.group(1) + " => " + m.group(2));
    return out;
  }

  @Test
  void sameWritesGetTheSameStatusAndErrorShapeAsInfluxdb() throws Exception {
    assertSameAnswer("all good", "?db=telegraf", "cpu,host=a usage=1\ncpu,host=b usage=2i,ok=true 1763805600000000000\n");
    assertSameAnswer("partial", "?db=telegraf", "cpu,host=a v=1\ncpu,host=b v=\n# comment\nmem free=3i\ncpu v=1 abc\ncpu v=\"x\n");
    assertSameAnswer("every kind of bad line", "?db=telegraf", String.join("\n", "ok v=1", "cpu", "cpu,host=a", ",host=a v=1",
        "cpu,host v=1", "cpu,host= v=1", "cpu,=a v=1", "cpu v=", "cpu v", "cpu v=,w=1", "cpu =1", "cpu v=1,", "cpu v=tru",
        "cpu v=abc", "cpu v=1.5i", "cpu v=-1i2", "cpu v=1 12ab", "cpu,a=1,a=2 v=1", "cpu v=\"open"));
    assertSameAnswer("only bad lines", "?db=telegraf", "cpu\ncpu v=tru\n");
    assertSameAnswer("no database", "", "cpu v=1");
    assertSameAnswer("empty body", "?db=telegraf", "");
    assertSameAnswer("comments only", "?db=telegraf", "# nothing\n\n");
    assertSameAnswer("precision s", "?db=telegraf&precision=s", "cpu v=1 1763805600\n");
    assertSameAnswer("escapes", "?db=telegraf", "my\\ m\\,x,tag\\ key=va\\,l\\=ue f\\=k=1,s=\"q\\\"uote\"\n");
  }

  /**
   * How Vigil's answer differs from influxd's for the same body, or null when they agree: the
   * status, a partial write or not, and which lines were bad. The reasons' wording is compared
   * apart ({@link #wording}): InfluxDB words some of them with Go's {@code strconv} messages.
   */
  private static String difference(Answer theirs, Answer ours) {
    if (theirs.status() != ours.status()) return "influxd " + theirs.status() + ", Vigil " + ours.status() + " " + ours.body().strip();
    if (theirs.status() == 204) return null;
    String e1 = new JsonObject(theirs.body()).getString("error", "");
    String e2 = new JsonObject(ours.body()).getString("error", "");
    if (e1.startsWith("partial write:") != e2.startsWith("partial write:")) return "influxd " + e1 + " / Vigil " + e2;
    TreeSet<String> l1 = lineStarts(badLines(e1));
    TreeSet<String> l2 = lineStarts(badLines(e2));
    if (!l1.equals(l2)) return "bad lines: influxd " + badLines(e1) + " / Vigil " + badLines(e2);
    return badLines(e1).isEmpty() && !e1.equals(e2) ? "influxd " + e1 + " / Vigil " + e2 : null;
  }

  /** The bad lines' first 100 characters (Vigil shortens a long line in its message, influxd does not). */
  private static TreeSet<String> lineStarts(TreeSet<String> badLines) {
    TreeSet<String> out = new TreeSet<>();
    for (String b : badLines) {
      String line = b.substring(0, b.indexOf(" => "));
      out.add(line.length() > 100 ? line.substring(0, 100) : line);
    }
    return out;
  }

  /** The reasons, when both refused the same lines for differently worded reasons; else null. */
  private static String wording(Answer theirs, Answer ours) {
    if (theirs.status() != 400 || ours.status() != 400) return null;
    TreeSet<String> r1 = badLines(new JsonObject(theirs.body()).getString("error", ""));
    TreeSet<String> r2 = badLines(new JsonObject(ours.body()).getString("error", ""));
    return r1.equals(r2) ? null : "influxd " + r1 + " / Vigil " + r2;
  }

  /**
   * Where Vigil answers InfluxData's corpus differently from influxd 1.6, on purpose. Each entry
   * is the start of the case and why; a new difference, or one of these going away, fails the test.
   */
  private static final List<String> KNOWN_CORPUS_DIFFERENCES = List.of(
      "influxdbv2models.jsonl [cpu,host=serverA,region=us-west value=0000u] — unsigned integers: influxd 1.6 has them switched off, "
          + "InfluxDB 1.8+/2.x and Telegraf use them; Vigil takes them (up to 2^64 - 1)",
      "influxdbv2models.jsonl [cpu,host=serverA,region=us-west value=00018446744073709551615u] — unsigned integers, as above",
      "influxdbv2models.jsonl [cpu,host=serverA,region=us-west value=0u] — unsigned integers, as above",
      "influxdbv2models.jsonl [cpu,host=serverA,region=us-west value=18446744073709551615u] — unsigned integers, as above",
      "influxdbv2models.jsonl [cpu,regions=\\\\ east value=1.0] — influxd 1.x takes a space after an escaped backslash as escaped; "
          + "Vigil follows the line protocol reference: \\\\ is one backslash, and the space ends the tag set",
      "influxdbv2models.jsonl [cpu,regions=\\\\,\\,\\=east value=1.0] — the escaped backslash, as above",
      "influxdbv2models.jsonl [cpu,regions=eas\\\\ t value=1.0] — the escaped backslash, as above",
      "influxdbv2models.jsonl [cpu,tag0=v0,time=v0 value=1] — influxd reserves the tag key 'time' for InfluxQL; Vigil has no InfluxQL "
          + "and keeps it as a label",
      "influxdbv2models.jsonl [cpu,tag0=value0,tag1=value1,tag2=value2,tag3=value3,tag4=value4,tag5=v…] — 255 tags: Vigil's "
          + "VIGIL_MAX_LABELS_PER_SERIES (64) refuses the line, with the limit's name in the reason",
      "custom.jsonl [bad\uFFFD v=1] — invalid UTF-8 in the measurement: influxd answers 500; Vigil sanitises names to Prometheus' "
          + "charset and stores the line",
      "custom.jsonl [m bad\uFFFD=1] — invalid UTF-8 in a field key: influxd answers 500; Vigil sanitises it, as above");

  @Test
  void influxDataCorpusCasesAreAnsweredAsInfluxdAnswersThem() throws Exception {
    List<String> differences = new ArrayList<>();
    List<String> worded = new ArrayList<>();
    int cases = 0;
    int refused = 0;
    for (String file : List.of("influxdbv2models.jsonl", "custom.jsonl")) {
      String lines;
      try (InputStream in = getClass().getResourceAsStream("/influx-corpus/" + file)) {
        assertNotNull(in, "test resource /influx-corpus/" + file);
        lines = new String(in.readAllBytes(), UTF_8);
      }
      for (String line : lines.split("\n")) {
        JsonObject c = new JsonObject(line);
        byte[] body = c.containsKey("text") ? c.getString("text").getBytes(UTF_8) : Base64.getDecoder().decode(c.getString("base64"));
        String q = "?db=telegraf&precision=" + c.getString("precision") + "&u=agent&p=" + token;
        // a database a case: influxd's field types (a float `value` then `value=1i`) must not carry over
        String db = "corpus" + cases++;
        influxd.query("CREATE DATABASE " + db);
        q = q.replace("db=telegraf", "db=" + db);
        String before = vigil.sql("SELECT count(*) FROM samples");
        Answer ours = send(vigil.http.base, q, body);
        Answer theirs = send(influxd.base(), q, body);
        influxd.query("DROP DATABASE " + db);
        String shown = new String(body, UTF_8).replace("\n", "\\n");
        String label = file + " [" + (shown.length() > 70 ? shown.substring(0, 70) + "…" : shown) + "]";
        assertTrue(ours.status() < 500, label + ": Vigil answered " + ours);
        String d = difference(theirs, ours);
        if (d != null) differences.add(label + ": " + d);
        String w = wording(theirs, ours);
        if (w != null) worded.add(label + ": " + w);
        if (ours.status() == 400 && !ours.body().contains("partial write")) {
          refused++;
          assertEquals(before, vigil.sql("SELECT count(*) FROM samples"), label + ": refused, yet samples were stored");
        }
      }
    }
    assertEquals(187, cases, "cases in the corpus files");
    System.out.println("InfluxData corpus: " + cases + " cases, " + refused + " refused whole by Vigil, " + differences.size()
        + " answered differently from influxd (explained), " + worded.size() + " refused by both with other words:");
    worded.forEach(w -> System.out.println("  " + w));
    assertTrue(refused > 50, "the corpus is mostly bad input; refused: " + refused);
    List<String> unexplained = differences.stream()
        .filter(d -> KNOWN_CORPUS_DIFFERENCES.stream().noneMatch(k -> d.startsWith(k.substring(0, k.indexOf(" — ")))))
        .toList();
    assertEquals(List.of(), unexplained, "answers that differ from influxd 1.6's and are not explained");
    assertEquals(KNOWN_CORPUS_DIFFERENCES.size(), differences.size(), "explained differences that no longer occur: " + differences);
  }

  @Test
  void gzipWritesGetTheSameAnswerAsInfluxdb() throws Exception {
    byte[] gz = InfluxWriteIT.gzip("cpu,host=gz v=1\ncpu v=\n".getBytes(UTF_8));
    String q = "?db=telegraf&u=agent&p=" + token;
    Answer ours = send(vigil.http.base, q, gz, "Content-Encoding", "gzip");
    Answer theirs = send(influxd.base(), q, gz, "Content-Encoding", "gzip");
    assertEquals(theirs.status(), ours.status(), theirs + " / " + ours);
    assertEquals(badLines(new JsonObject(theirs.body()).getString("error")), badLines(new JsonObject(ours.body()).getString("error")));
  }

  private String influxCli(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("influx", "-host", "127.0.0.1", "-port", Integer.toString(port),
        "-username", "agent", "-password", token));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("influx CLI did not finish in 60 s: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    return "exit=" + p.exitValue() + "\n" + out;
  }

  @Test
  void influxCliInsertWritesToVigilAndTheRuleFires() throws Exception {
    String out = influxCli(vigil.port(), "-database", "telegraf", "-execute", "INSERT cpu,customer=acme,system=erp,host=cli1 usage=97.5");
    assertTrue(out.startsWith("exit=0"), out);
    assertEquals("97.5", vigil.sql("SELECT value FROM samples s JOIN series r ON r.id = s.series_id "
        + "WHERE metric = 'cpu_usage' AND labels->>'host' = 'cli1'"));
    Await.until(java.time.Duration.ofSeconds(10), "HighCpu firing for cli1", () ->
        vigil.http.get("/api/v1/faults?state=firing").raw().body().contains("cli1"));
  }

  @Test
  void influxCliImportReportsTheSameCountsForVigilAndInfluxdb() throws Exception {
    Path file = Files.createTempFile("vigil-import", ".txt");
    try {
      // The DDL section goes to /query, as Telegraf's CREATE DATABASE does.
      Files.writeString(file, """
          # DDL
          CREATE DATABASE telegraf
          CREATE RETENTION POLICY oneday ON telegraf DURATION 1d REPLICATION 1
          # DML
          # CONTEXT-DATABASE: telegraf
          import_probe,host=i1 v=1 1763805600
          import_probe,host=i2 v=2 1763805601
          import_probe,host=i3 v= 1763805602
          import_probe,host=i4 v=4 1763805603
          """);
      String ours = influxCli(vigil.port(), "-import", "-path", file.toString(), "-precision", "s");
      String theirs = influxCli(influxd.port, "-import", "-path", file.toString(), "-precision", "s");
      assertEquals(summary(theirs), summary(ours), "influxd:\n" + theirs + "\nVigil:\n" + ours);
      // The CLI logs a failed DDL statement as "error: …" and goes on importing.
      assertFalse(ours.contains("error:"), "the DDL section was refused:\n" + ours);
      // The CLI counts a partial write's whole batch as not inserted; both servers stored the 3 good lines.
      assertTrue(summary(ours).contains("points were not inserted"), ours);
      assertTrue(influxd.query("SELECT count(v) FROM telegraf..import_probe").contains("[\"1970-01-01T00:00:00Z\",3]"),
          influxd.query("SELECT count(v) FROM telegraf..import_probe"));
      assertEquals("3", vigil.sql("SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE metric = 'import_probe_v'"));
      assertEquals("1763805603000", vigil.sql("SELECT max((extract(epoch FROM time) * 1000)::bigint) FROM samples s "
          + "JOIN series r ON r.id = s.series_id WHERE metric = 'import_probe_v'"));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private Answer query(String base, String method, String q) throws Exception {
    String form = q == null ? "" : "q=" + java.net.URLEncoder.encode(q, UTF_8);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/query?u=agent&p=" + token + (method.equals("GET") ? "&" + form : "")));
    if (method.equals("POST")) {
      b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** Same status and JSON (influxd ends its body with a newline). */
  private static void assertSameJson(String what, Answer theirs, Answer ours) {
    assertEquals(theirs.status(), ours.status(), what + ": influxd said " + theirs + ", Vigil " + ours);
    assertEquals(new JsonObject(theirs.body()), new JsonObject(ours.body()), what);
  }

  @Test
  void createDatabaseGetsInfluxdbsAnswerAndAnyOtherQueryAClear400() throws Exception {
    for (String q : new String[] {"CREATE DATABASE \"telegraf\"", "CREATE DATABASE telegraf; CREATE RETENTION POLICY \"a_year\" ON \"telegraf\" DURATION 52w REPLICATION 1"}) {
      assertSameJson(q, query(influxd.base(), "POST", q), query(vigil.http.base, "POST", q));
    }
    assertSameJson("no q", query(influxd.base(), "POST", null), query(vigil.http.base, "POST", null));
    Answer select = query(vigil.http.base, "GET", "SELECT mean(usage) FROM cpu");
    assertEquals(400, select.status(), select.toString());
    assertTrue(new JsonObject(select.body()).getString("error").startsWith("statement 1 (SELECT MEAN(USAGE) …) is not supported"), select.body());
    assertEquals(401, client.send(HttpRequest.newBuilder(URI.create(vigil.http.base + "/query?q=CREATE+DATABASE+x")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "an ingest token is needed, as for /write");
  }

  /** The CLI's exit status and its written/failed line. */
  private static String summary(String cliOutput) {
    StringBuilder s = new StringBuilder(cliOutput.lines().findFirst().orElse(""));
    cliOutput.lines().filter(l -> l.matches(".*points (were written|were not inserted|failed).*")).forEach(l -> s.append(" | ").append(l.strip()));
    return s.toString();
  }
}
