package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.ManualClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What comes after a resolution, through the real API and PostgreSQL: a fault that comes back is a
 * recurrence (reopen or link), resolutions are searchable (Chinese too), and the customer answers a
 * signed survey link without an account; a low answer opens a review ticket.
 */
class TicketFollowUpIT {
  private TestVigil vigil;
  private Http http;

  @AfterEach
  void stop() throws Exception {
    if (vigil != null) vigil.close();
  }

  private void await(String query, String expected) throws Exception {
    Await.until(Duration.ofSeconds(15), query + " = " + expected, () -> expected.equals(vigil.sql(query)));
  }

  private JsonObject post(String path, String body) throws Exception {
    Http.Reply r = http.post(path, body);
    assertEquals(200, r.status(), path + " " + body + " -> " + r);
    return r.json();
  }

  private JsonObject ticket(long id) throws Exception {
    Http.Reply r = http.get("/api/v1/tickets/" + id);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  private void resolve(long id, String cause, String fix, String prevention) throws Exception {
    post("/api/v1/tickets/" + id + "/resolve", new JsonObject().put("cause", cause).put("fix", fix).put("prevention", prevention)
        .put("kind", "remote").encode());
  }

  private List<String> kinds(long ticket) throws Exception {
    JsonArray timeline = http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) out.add(timeline.getJsonObject(i).getString("kind"));
    return out;
  }

  /** db1 goes down (a P1 fault and its ticket), the ticket is resolved, db1 comes back up. Returns the ticket id. */
  private long downResolvedAndUp() throws Exception {
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    await("SELECT count(*) FROM tickets", "1");
    long id = Long.parseLong(vigil.sql("SELECT id FROM tickets"));
    resolve(id, "listener crashed", "restarted the listener", "watchdog on the listener");
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
    await("SELECT count(*) FROM faults WHERE state = 'resolved'", "1");
    return id;
  }

  @Test
  void aFaultFiringAgainWithinTheWindowReopensItsResolvedTicketAndCountsARecurrence() throws Exception {
    vigil = new TestVigil(Map.of());
    http = vigil.http;
    long id = downResolvedAndUp();
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    await("SELECT count(*) FROM faults WHERE state = 'firing'", "1");
    await("SELECT state FROM tickets WHERE id = " + id, "reopened");
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets"), "no second ticket: the first one is reopened");
    JsonObject t = ticket(id);
    assertEquals(1, t.getInteger("recurrences"));
    assertNull(t.getString("resolvedAt"));
    assertEquals(Long.parseLong(vigil.sql("SELECT id FROM faults WHERE state = 'firing'")), t.getLong("faultId"), "the new fault is the ticket's");
    JsonObject reopened = lastEvent(id, "reopened");
    assertEquals("recurrence", reopened.getJsonObject("detail").getString("reason"));
    assertEquals("resolved", reopened.getJsonObject("detail").getString("from"));
    // The stretch it stood resolved does not count against the resolve clock.
    assertEquals("resolved", vigil.sql("SELECT pauses->-1->>'reason' FROM tickets WHERE id = " + id));
  }

  @Test
  void aFaultFiringAgainAfterTheWindowIsANewTicketAndNoRecurrence() throws Exception {
    vigil = new TestVigil(Map.of());
    http = vigil.http;
    long first = downResolvedAndUp();
    // Eight days ago, as far as the window (default 7 days) is concerned.
    vigil.sql("UPDATE tickets SET resolved_at = resolved_at - interval '8 days' WHERE id = " + first);
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    await("SELECT count(*) FROM tickets", "2");
    long second = Long.parseLong(vigil.sql("SELECT max(id) FROM tickets"));
    assertEquals("open", ticket(second).getString("state"));
    assertNull(ticket(second).getLong("recurrenceOf"));
    assertEquals(0, ticket(first).getInteger("recurrences"));
    assertEquals("resolved", ticket(first).getString("state"), "outside the window the old ticket is left alone");
  }

  /** Under {@code env}: db1 down, resolved, up, down again; waits for the second ticket. Returns {first, second}. */
  private long[] twoTicketsUnder(Map<String, String> env) throws Exception {
    vigil = new TestVigil(env);
    http = vigil.http;
    long first = downResolvedAndUp();
    assertEquals(204, http.ingest(sample("up", "acme", "erp", "db1", 0)).status());
    await("SELECT count(*) FROM tickets", "2");
    return new long[] {first, Long.parseLong(vigil.sql("SELECT max(id) FROM tickets"))};
  }

  @Test
  void inLinkModeARecurrenceOpensANewTicketPointingAtTheEarlierOne() throws Exception {
    long[] ids = twoTicketsUnder(Map.of("VIGIL_RECURRENCE_MODE", "link"));
    long first = ids[0];
    long second = ids[1];
    JsonObject t = ticket(second);
    assertEquals("open", t.getString("state"));
    assertEquals(first, t.getLong("recurrenceOf"));
    assertEquals(1, ticket(first).getInteger("recurrences"));
    assertEquals("resolved", ticket(first).getString("state"), "the earlier ticket keeps its resolution");
    assertEquals(second, lastEvent(first, "recurred").getJsonObject("detail").getLong("ticketId"));
  }

  @Test
  void withRecurrenceOffAFaultFiringAgainIsAnUnrelatedNewTicket() throws Exception {
    long[] ids = twoTicketsUnder(Map.of("VIGIL_RECURRENCE_DAYS", "0"));
    long first = ids[0];
    long second = ids[1];
    assertNull(ticket(second).getLong("recurrenceOf"));
    assertEquals(0, ticket(first).getInteger("recurrences"));
  }

  private JsonObject lastEvent(long ticket, String kind) throws Exception {
    JsonArray timeline = http.get("/api/v1/tickets/" + ticket + "/timeline").json().getJsonArray("timeline");
    JsonObject found = null;
    for (int i = 0; i < timeline.size(); i++) {
      if (kind.equals(timeline.getJsonObject(i).getString("kind"))) found = timeline.getJsonObject(i);
    }
    assertNotNull(found, kind + " on the timeline of " + ticket + ": " + timeline);
    return found;
  }

  private long phoneTicket(String system, String description) throws Exception {
    Http.Reply r = http.post("/api/v1/tickets", new JsonObject().put("channel", "phone").put("customer", "acme").put("system", system)
        .put("severity", "P3").put("reporter", "hotline").put("description", description).encode());
    assertEquals(201, r.status(), r.toString());
    return r.json().getLong("id");
  }

  private void inventory() throws Exception {
    assertEquals(201, http.post("/api/v1/customers", "{\"id\":\"acme\",\"tier\":\"7x24\",\"timeZone\":\"Asia/Shanghai\"}").status());
    for (String s : List.of("erp", "crm")) {
      assertEquals(201, http.post("/api/v1/customers/acme/systems", "{\"id\":\"" + s + "\",\"criticality\":\"high\"}").status());
    }
  }

  private List<Long> knowledge(String query) throws Exception {
    Http.Reply r = http.get("/api/v1/knowledge?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    assertEquals(200, r.status(), r.toString());
    JsonArray results = r.json().getJsonArray("results");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) ids.add(results.getJsonObject(i).getLong("ticketId"));
    return ids;
  }

  @Test
  void resolutionsAreSearchableInChineseAndEnglishAndANewTicketShowsEarlierOnesOfItsSystem() throws Exception {
    vigil = new TestVigil(Map.of());
    http = vigil.http;
    inventory();
    long pool = phoneTicket("erp", "ERP 登录缓慢");
    resolve(pool, "数据库连接池耗尽，应用未释放连接", "扩大连接池并修复连接泄漏", "连接池使用率告警");
    long disk = phoneTicket("crm", "CRM reports fail at night");
    resolve(disk, "archive volume full", "rotated the archive logs", "disk usage alarm at 80%");
    long open = phoneTicket("erp", "ERP 又登录缓慢");

    assertEquals(List.of(pool), knowledge("连接池"), "a Chinese word inside a sentence, no spaces around it");
    assertEquals(List.of(pool), knowledge("连接泄漏"));
    assertEquals(List.of(disk), knowledge("Archive LOGS"), "case does not matter; every word must be there");
    assertEquals(List.of(), knowledge("archive 连接池"), "words from two resolutions match neither");
    assertEquals(List.of(), knowledge("ERP 又"), "an open ticket is not knowledge yet");

    Http.Reply none = http.get("/api/v1/knowledge");
    assertEquals(400, none.status());
    assertEquals("q", none.json().getString("field"));
    Http.Reply punctuation = http.get("/api/v1/knowledge?q=" + URLEncoder.encode("，。!", StandardCharsets.UTF_8));
    assertEquals(400, punctuation.status(), punctuation.toString());

    Http.Reply similar = http.get("/api/v1/tickets/" + open + "/similar");
    assertEquals(200, similar.status(), similar.toString());
    JsonArray earlier = similar.json().getJsonArray("resolutions");
    assertEquals(1, earlier.size(), earlier.encode());
    assertEquals(pool, earlier.getJsonObject(0).getLong("ticketId"), "the same system's resolution, not the other system's");
    assertEquals("扩大连接池并修复连接泄漏", earlier.getJsonObject(0).getString("fix"));
    assertEquals(404, http.get("/api/v1/tickets/999999/similar").status());
    resolve(open, "连接池再次耗尽", "重启应用", "发布前做连接泄漏检查");
    assertEquals(0, http.get("/api/v1/tickets/" + pool + "/similar").json().getJsonArray("resolutions").size(),
        "a resolution of a later ticket is not an earlier one");
  }

  // ---- satisfaction surveys ----

  private static final HttpClient ANONYMOUS = HttpClient.newHttpClient();

  /** A request without any token, as the customer's browser makes it. */
  private HttpResponse<String> anonymous(String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vigil.port() + path)).timeout(Duration.ofSeconds(20));
    if (body == null) b.GET();
    else b.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
    return ANONYMOUS.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String closedTicketSurveyLink(long id) throws Exception {
    resolve(id, "cause", "fix", "prevention");
    post("/api/v1/tickets/" + id + "/close", "{}");
    Http.Reply survey = http.get("/api/v1/tickets/" + id + "/survey");
    assertEquals(200, survey.status(), survey.toString());
    assertNull(survey.json().getInteger("score"));
    String link = survey.json().getString("link");
    assertTrue(link.startsWith("/survey/" + id + "."), link);
    return link;
  }

  @Test
  void aClosedTicketsSurveyTakesOneAnswerThroughItsSignedLinkWithoutAnAccount() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of("VIGIL_PUBLIC_URL", "https://vigil.example.com/"), clock);
    http = vigil.http;
    inventory();
    long id = phoneTicket("erp", "打印服务停止");
    assertEquals(404, http.get("/api/v1/tickets/" + id + "/survey").status(), "no survey before the ticket is closed");
    String link = closedTicketSurveyLink(id);
    assertEquals("https://vigil.example.com" + link, http.get("/api/v1/tickets/" + id + "/survey").json().getString("url"),
        "the full link to send, under VIGIL_PUBLIC_URL");

    HttpResponse<String> page = anonymous(link, null, null);
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
    assertTrue(page.body().contains("打印服务停止"), "the page names the ticket");
    assertTrue(page.body().contains("name=score"), "and asks for a score");

    HttpResponse<String> outOfRange = anonymous(link, "application/json", "{\"score\":7}");
    assertEquals(400, outOfRange.statusCode(), outOfRange.body());
    assertEquals("score", new JsonObject(outOfRange.body()).getString("field"));
    HttpResponse<String> answered = anonymous(link, "application/json", "{\"score\":5,\"comment\":\"很快，谢谢\"}");
    assertEquals(200, answered.statusCode(), answered.body());
    assertEquals(5, new JsonObject(answered.body()).getInteger("score"));
    assertNull(new JsonObject(answered.body()).getLong("reviewTicketId"), "a good answer opens no review");
    HttpResponse<String> again = anonymous(link, "application/json", "{\"score\":1}");
    assertEquals(409, again.statusCode(), again.body());
    assertEquals("5|很快，谢谢", vigil.sql("SELECT score || '|' || comment FROM ticket_surveys WHERE ticket_id = " + id), "the first answer stands");
    assertTrue(kinds(id).contains("survey_answered"), kinds(id).toString());
    assertEquals("1", vigil.sql("SELECT count(*) FROM tickets"));

    // A forged or altered link opens nothing.
    String[] parts = link.substring("/survey/".length()).split("\\.");
    String otherTicket = "/survey/" + (id + 1) + "." + parts[1] + "." + parts[2];
    assertEquals(404, anonymous(otherTicket, null, null).statusCode());
    assertEquals(404, anonymous(otherTicket, "application/json", "{\"score\":1}").statusCode());
    assertEquals(404, anonymous("/survey/not-a-token", null, null).statusCode());
    assertEquals(415, anonymous(link, "text/plain", "score=1").statusCode());

    // The link expires after 30 days.
    long late = phoneTicket("crm", "CRM slow");
    String lateLink = closedTicketSurveyLink(late);
    clock.advance(Duration.ofDays(31));
    HttpResponse<String> expired = anonymous(lateLink, null, null);
    assertEquals(410, expired.statusCode(), expired.body());
    assertEquals(410, anonymous(lateLink, "application/json", "{\"score\":4}").statusCode());
  }

  @Test
  void aLowAnswerFromTheHtmlFormOpensAReviewTicketForTheServiceManager() throws Exception {
    vigil = new TestVigil(Map.of());
    http = vigil.http;
    inventory();
    long id = phoneTicket("erp", "ERP 报表导出失败");
    String link = closedTicketSurveyLink(id);
    HttpResponse<String> thanks = anonymous(link, "application/x-www-form-urlencoded",
        "score=2&comment=" + URLEncoder.encode("第二天才有人联系我", StandardCharsets.UTF_8));
    assertEquals(200, thanks.statusCode(), thanks.body());
    assertTrue(thanks.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));

    assertEquals("2", vigil.sql("SELECT count(*) FROM tickets"));
    long review = Long.parseLong(vigil.sql("SELECT id FROM tickets WHERE id <> " + id));
    JsonObject t = ticket(review);
    assertEquals(id, t.getLong("reviewOf"));
    assertEquals("open", t.getString("state"));
    assertEquals("P3", t.getString("severity"));
    assertEquals("portal", t.getJsonObject("report") == null ? t.getString("channel") : t.getJsonObject("report").getString("channel"));
    assertNotNull(t.getString("respondBy"), "the review runs on the customer's SLA like any ticket");
    assertTrue(kinds(id).contains("review_opened"), kinds(id).toString());

    HttpResponse<String> badForm = anonymous(link, "application/x-www-form-urlencoded", "score=abc");
    assertEquals(400, badForm.statusCode(), badForm.body());
    assertTrue(badForm.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), "a person gets a page, not JSON");
  }
}
