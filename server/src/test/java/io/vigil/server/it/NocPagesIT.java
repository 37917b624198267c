package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vigil.rules.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The NOC wall and the operator console together in real headless Chromium windows: the P1 banner
 * and alarm, the acknowledgement from the console reaching the wall, countdowns turning amber and
 * red, a reconnect that resumes with {@code since}, Chinese, and customer tokens. Screenshots land
 * in server/target/screenshots/.
 */
class NocPagesIT {
  private TestVigil vigil;
  private final List<ChromeDriver> browsers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ChromeDriver d : browsers) d.quit();
    if (vigil != null) vigil.close();
  }

  private ChromeDriver browser(String path) {
    ChromeDriver d = Browser.start(1600, 900);
    browsers.add(d);
    d.get("http://127.0.0.1:" + vigil.port() + path);
    return d;
  }

  private static WebDriverWait waitUpTo(ChromeDriver d, int seconds) {
    WebDriverWait w = new WebDriverWait(d, Duration.ofSeconds(seconds));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  private static void live(ChromeDriver d) {
    waitUpTo(d, 15).until(x -> "live".equals(x.findElement(By.id("status")).getAttribute("data-state")));
  }

  private static String upAt(String host, double v, Instant at) {
    return "{\"metric\":\"up\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"" + host + "\"},\"value\":" + v
        + ",\"ts\":" + at.toEpochMilli() + "}";
  }

  @Test
  void aNewP1SoundsTheBannerUntilItsTicketIsAcknowledgedInTheConsoleOfAnotherBrowser() throws Exception {
    vigil = new TestVigil();
    ChromeDriver wall = browser("/?token=" + TestVigil.ADMIN + "&lang=zh");
    live(wall);
    assertTrue(wall.findElement(By.id("p1-banner")).getAttribute("hidden") != null, "no banner without a P1");
    Instant now = Instant.now();
    assertEquals(204, vigil.http.ingest(upAt("db1", 1, now.minusSeconds(180)) + "," + upAt("db1", 0, now.minusSeconds(1))).status());

    waitUpTo(wall, 10).until(x -> x.findElement(By.id("p1-banner")).isDisplayed());
    assertEquals("P1 一级", wall.findElement(By.id("p1-banner-sev")).getText(), "Chinese severity name");
    assertEquals("erp on db1 is down", wall.findElement(By.id("p1-banner-text")).getText());
    assertEquals("sounding", wall.findElement(By.tagName("body")).getAttribute("data-alarm"));
    assertEquals("P1", wall.findElement(By.cssSelector("#tiles .tile")).getAttribute("data-severity"), "acme / erp's tile is P1-red");
    assertEquals("acme / erp", wall.findElement(By.cssSelector("#tiles .tile")).getText());
    waitUpTo(wall, 10).until(x -> Integer.parseInt(String.valueOf(x.findElement(By.tagName("body")).getAttribute("data-beeps"))) >= 1);
    // The fault's last hour, drawn from query_range: two minutes with samples.
    waitUpTo(wall, 10).until(x -> !x.findElements(By.cssSelector(".fault[data-severity='P1'] .spark[data-points] canvas")).isEmpty());
    Browser.screenshot(wall, "wall-p1-banner-zh.png");

    ChromeDriver console = browser("/console.html?token=" + TestVigil.ADMIN + "&lang=en");
    live(console);
    WebElement ack = waitUpTo(console, 10).until(x -> x.findElement(By.cssSelector("#tickets tr.sev-P1 button.ack")));
    Browser.screenshot(console, "console-lists.png");
    long clicked = System.nanoTime();
    ack.click();
    waitUpTo(wall, 10).until(x -> !x.findElement(By.id("p1-banner")).isDisplayed());
    long ms = (System.nanoTime() - clicked) / 1_000_000;
    assertEquals("off", wall.findElement(By.tagName("body")).getAttribute("data-alarm"));
    waitUpTo(console, 5).until(x -> "acknowledged".equals(x.findElement(By.cssSelector("#tickets tr.sev-P1")).getAttribute("data-state")));
    assertTrue(ms < 3000, "the acknowledgement reached the other browser in " + ms + " ms");
    System.out.println("console ack -> wall banner gone: " + ms + " ms");
    Browser.screenshot(wall, "wall-p1-acknowledged-zh.png");
  }

  @Test
  void aTicketPageShowsItsTimelineAndResolvesWithCauseFixAndPrevention() throws Exception {
    vigil = new TestVigil();
    assertEquals(204, vigil.http.ingest(sample("cpu_usage", "globex", "billing", "app2", 97.5)).status());
    long id = Await.until(Duration.ofSeconds(10), "the ticket", () -> {
      JsonArray ts = vigil.http.get("/api/v1/tickets").json().getJsonArray("tickets");
      return ts.isEmpty() ? null : ts.getJsonObject(0).getLong("id");
    });
    ChromeDriver console = browser("/console.html?token=" + TestVigil.ADMIN + "#ticket/" + id);
    live(console);
    waitUpTo(console, 10).until(x -> x.findElement(By.id("t-title")).getText().contains("CPU 97.5% on app2"));
    console.findElement(By.id("a-assignee")).sendKeys("li.wei");
    console.findElement(By.id("a-assign")).click();
    waitUpTo(console, 10).until(x -> "li.wei".equals(x.findElement(By.id("ticket")).getAttribute("data-assignee")));
    console.findElement(By.id("r-cause")).sendKeys("runaway report job");
    console.findElement(By.id("r-fix")).sendKeys("killed the job, moved it to night");
    console.findElement(By.id("r-prevention")).sendKeys("job scheduler limits");
    console.findElement(By.id("a-resolve")).click();
    waitUpTo(console, 10).until(x -> "resolved".equals(x.findElement(By.id("ticket")).getAttribute("data-state")));
    String timeline = console.findElement(By.id("t-timeline")).getText();
    assertTrue(timeline.contains("assigned") && timeline.contains("resolved"), timeline);
    Browser.screenshot(console, "console-ticket.png");
    assertEquals("runaway report job", vigil.http.get("/api/v1/tickets/" + id).json().getJsonObject("resolution").getString("cause"));
  }

  @Test
  void theCountdownTurnsAmberAtTheWarningAndRedAtTheBreach() throws Exception {
    // The server's clock stands 14 min 50 s back: a P1 opened "now" must respond in 10 s and is past its 80% warning.
    vigil = new TestVigil(EphemeralPostgres.get().freshDatabase(), Map.of(), new ManualClock(Instant.now().minusSeconds(14 * 60 + 50)));
    SilenceIT.inventory(vigil.http, "acme", "erp");
    assertEquals(201, vigil.http.post("/api/v1/tickets", "{\"channel\":\"phone\",\"customer\":\"acme\",\"system\":\"erp\",\"severity\":\"P1\","
        + "\"reporter\":\"duty manager\",\"description\":\"payroll is down\"}").status());
    ChromeDriver wall = browser("/?token=" + TestVigil.ADMIN + "&lang=en");
    live(wall);
    waitUpTo(wall, 10).until(x -> x.findElement(By.cssSelector("#ticket-list .sla[data-due]")).getAttribute("class").contains("soon"));
    Browser.screenshot(wall, "wall-countdown-amber.png");
    waitUpTo(wall, 20).until(x -> x.findElement(By.cssSelector("#ticket-list .sla[data-due]")).getAttribute("class").contains("breached"));
    Browser.screenshot(wall, "wall-countdown-breached.png");
  }

  @Test
  void aWallThatWasCutOffResumesWithSinceAndShowsWhatItMissedOnce() throws Exception {
    vigil = new TestVigil();
    ChromeDriver wall = browser("/?token=" + TestVigil.ADMIN);
    live(wall);
    wall.executeScript("VigilWall.goOffline()");
    assertEquals(204, vigil.http.ingest(sample("cpu_usage", "globex", "billing", "app2", 97.5)).status());
    Await.until(Duration.ofSeconds(10), "the fault stored", () -> !vigil.http.get("/api/v1/faults").json().getJsonArray("faults").isEmpty());
    assertTrue(wall.findElements(By.cssSelector(".fault")).isEmpty(), "offline: not shown yet");
    wall.executeScript("VigilWall.goOnline()");
    waitUpTo(wall, 10).until(x -> x.findElements(By.cssSelector(".fault")).size() == 1);
    live(wall);
    assertEquals(1L, wall.executeScript("return VigilWall.state.resumes"), "resumed from its seq, no snapshot");
    Thread.sleep(500);
    assertEquals(1, wall.findElements(By.cssSelector(".fault")).size(), "shown once");
  }

  @Test
  void aCustomerTokenSeesOnlyItsOwnCustomerOnTheWallAndTheConsoleAndCannotAct() throws Exception {
    vigil = new TestVigil();
    SilenceIT.inventory(vigil.http, "acme", "erp");
    SilenceIT.inventory(vigil.http, "globex", "billing");
    String token = vigil.http.post("/api/v1/tokens", "{\"name\":\"acme-wall\",\"role\":\"viewer\",\"customer\":\"acme\"}").json().getString("token");
    ChromeDriver wall = browser("/?token=" + token + "&kiosk=1");
    live(wall);
    ChromeDriver console = browser("/console.html?token=" + token);
    live(console);
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "globex", "billing", "app2", 97.5)).status());
    Await.until(Duration.ofSeconds(10), "both faults stored", () -> vigil.http.get("/api/v1/faults").json().getJsonArray("faults").size() == 2);
    waitUpTo(wall, 10).until(x -> x.findElements(By.cssSelector(".fault")).size() == 1);
    Thread.sleep(1000); // the other customer's deltas have passed by now
    assertEquals(1, wall.findElements(By.cssSelector(".fault")).size());
    assertEquals("acme", wall.findElement(By.cssSelector(".fault .customer")).getText());
    assertFalse(wall.getPageSource().contains("globex"), "nothing of globex in the page");
    assertEquals("live", wall.findElement(By.id("status")).getAttribute("data-state"), "gaps in seq are not a reason to reconnect");
    assertTrue(wall.findElement(By.tagName("body")).getAttribute("class").contains("kiosk"));
    Browser.screenshot(wall, "wall-kiosk-acme.png");

    waitUpTo(console, 10).until(x -> x.findElements(By.cssSelector("#faults tbody tr")).size() == 1);
    assertFalse(console.getPageSource().contains("globex"));
    assertFalse(console.findElement(By.cssSelector("#faults tbody tr button.silence")).isEnabled(), "a viewer cannot silence");
    Browser.screenshot(console, "console-acme-viewer.png");
  }

  @Test
  void whenPostgresStopsAnsweringTheWallAndTheConsoleSayStorageIsUnavailableAndEverythingRecoversWithoutARestart() throws Exception {
    vigil = new TestVigil();
    ChromeDriver wall = browser("/?token=" + TestVigil.ADMIN);
    ChromeDriver console = browser("/console.html?token=" + TestVigil.ADMIN + "&lang=en");
    live(wall);
    waitUpTo(console, 10).until(x -> "live".equals(x.findElement(By.id("status")).getAttribute("data-state")));
    assertTrue(wall.findElement(By.id("storage-banner")).getAttribute("hidden") != null, "no banner while storage answers");
    assertFalse(console.findElement(By.id("storage-banner")).isDisplayed());
    String db = vigil.db.name();
    EphemeralPostgres pg = EphemeralPostgres.get();
    // This database's outage only (the cluster serves other tests): no new connections, the open ones cut.
    pg.psql("postgres", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
    try {
      pg.psql("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + db + "'");
      waitUpTo(wall, 15).until(x -> x.findElement(By.id("storage-banner")).isDisplayed());
      assertEquals("unavailable", wall.findElement(By.tagName("body")).getAttribute("data-storage"));
      assertTrue(wall.findElement(By.id("storage-banner")).getText().contains("Storage unavailable"), wall.findElement(By.id("storage-banner")).getText());
      assertEquals("No faults known — but storage is unavailable", wall.findElement(By.id("empty-text")).getText(), "no 'all clear' then");
      Browser.screenshot(wall, "wall-storage-unavailable.png");
      waitUpTo(console, 10).until(x -> x.findElement(By.id("storage-banner")).isDisplayed());
      assertTrue(console.findElement(By.id("storage-banner")).getText().startsWith("Storage unavailable: changes cannot be saved"),
          console.findElement(By.id("storage-banner")).getText());
      Browser.screenshot(console, "console-storage-unavailable.png");
      Http.Reply refused = vigil.http.ingest(sample("up", "acme", "erp", "db1", 0));
      assertEquals(503, refused.status(), refused.toString());
      assertNotNull(refused.header("Retry-After"), "503 says when to retry");
      assertEquals(503, vigil.http.get("/readyz").status());
    } finally {
      pg.psql("postgres", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS true");
    }
    Instant back = Instant.now();
    waitUpTo(wall, 10).until(x -> !x.findElement(By.id("storage-banner")).isDisplayed());
    waitUpTo(console, 10).until(x -> !x.findElement(By.id("storage-banner")).isDisplayed());
    // Back without a restart: the probe runs every second; the issue asks for recovery within 5 s.
    assertTrue(Duration.between(back, Instant.now()).toMillis() < 5_000, "storage seen back after " + Duration.between(back, Instant.now()));
    Await.until(Duration.ofSeconds(5), "ingest accepted again", () -> {
      try {
        return vigil.http.ingest(sample("up", "acme", "erp", "db1", 0)).status() == 204 ? true : null;
      } catch (Exception e) {
        return null;
      }
    });
    waitUpTo(wall, 15).until(x -> !x.findElements(By.cssSelector(".fault[data-severity='P1']")).isEmpty());
    assertEquals(200, vigil.http.get("/readyz").status());
  }
}
