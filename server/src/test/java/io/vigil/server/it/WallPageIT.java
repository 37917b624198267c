package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The NOC wall in a real headless Chromium (Debian's chromium + chromium-driver): it goes live over
 * the websocket, shows a fault within moments of the sample that raised it, and drops it when it
 * resolves. Screenshots land in server/target/screenshots/.
 */
class WallPageIT {
  private TestVigil vigil;
  private ChromeDriver driver;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil();
    driver = Browser.start(1920, 1080);
  }

  @AfterEach
  void stop() throws Exception {
    if (driver != null) driver.quit();
    vigil.close();
  }

  private String base() {
    return "http://127.0.0.1:" + vigil.port();
  }

  private WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  private void screenshot(String name) throws Exception {
    Browser.screenshot(driver, name);
  }

  @Test
  void wallShowsFaultRaisedByIngestedSampleLiveAndDropsItWhenResolved() throws Exception {
    driver.get(base() + "/?token=" + TestVigil.ADMIN);
    waitUpTo(15).until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "live"));
    assertTrue(driver.findElement(By.id("empty")).isDisplayed(), "all-clear shown with no faults");

    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "globex", "billing", "app2", 97.5)).status());
    // Four deltas follow (P1's fault and ticket, then P2's) and each re-renders every card: P2 may not
    // be there yet when P1 is, and a card found before a later render is stale. Wait until both cards
    // show their ticket's SLA countdown (the last delta), then look them up.
    waitUpTo(10).until(d -> d.findElements(By.cssSelector(".fault .sla[data-due]")).size() == 2);
    WebElement p1 = driver.findElement(By.cssSelector(".fault[data-severity='P1']"));
    assertTrue(p1.isDisplayed());
    assertEquals("erp on db1 is down", p1.findElement(By.className("summary")).getText());
    assertTrue(p1.getText().contains("acme"), p1.getText());
    WebElement p2 = driver.findElement(By.cssSelector(".fault[data-severity='P2']"));
    assertEquals("CPU 97.5% on app2", p2.findElement(By.className("summary")).getText());
    assertFalse(driver.findElement(By.id("empty")).isDisplayed());
    // The ticket's SLA countdown is on the card.
    assertTrue(p1.getText().matches("(?s).*(1[0-5]|[0-9])m.*"), p1.getText());
    screenshot("wall-with-faults.png");

    String fp = p1.getAttribute("data-fingerprint");
    assertEquals(16, fp.length());
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 1)).status());
    waitUpTo(10).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".fault[data-fingerprint='" + fp + "']"), 0));
    assertEquals(1, driver.findElements(By.cssSelector(".fault")).size(), "only the CPU fault is left");
  }

  @Test
  void silencedFaultIsShownDimmedAsSilencedAndLeftOutOfTheCounters() throws Exception {
    SilenceIT.inventory(vigil.http, "acme", "erp");
    Http.Reply silence = vigil.http.post("/api/v1/silences", SilenceIT.silenceBody("acme", "erp",
        java.time.Instant.now().plus(Duration.ofHours(2)), "ERP database upgrade"));
    assertEquals(201, silence.status(), silence.toString());
    driver.get(base() + "/?token=" + TestVigil.ADMIN + "&lang=en");
    waitUpTo(15).until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "live"));
    assertEquals(204, vigil.http.ingest(sample("up", "acme", "erp", "db1", 0) + "," + sample("cpu_usage", "globex", "billing", "app2", 97.5)).status());

    // Three deltas follow (the silenced P1 without a ticket, then P2's fault and ticket), each re-rendering
    // every card: wait for the last one before looking the silenced card up, or it may go stale.
    waitUpTo(10).until(d -> !d.findElements(By.cssSelector(".fault[data-muted='silenced']")).isEmpty()
        && !d.findElements(By.cssSelector(".fault[data-severity='P2'] .sla[data-due]")).isEmpty());
    WebElement card = driver.findElement(By.cssSelector(".fault[data-muted='silenced']"));
    assertTrue(card.isDisplayed());
    assertEquals("P1", card.getAttribute("data-severity"));
    assertTrue(card.getAttribute("class").contains("is-muted"));
    assertTrue(Double.parseDouble(card.getCssValue("opacity")) < 0.6, "dimmed: " + card.getCssValue("opacity"));
    assertEquals("silenced", card.findElement(By.className("tag-silenced")).getText().toLowerCase(java.util.Locale.ROOT));
    String reason = card.findElement(By.className("mute-reason")).getText();
    assertTrue(reason.startsWith("until ") && reason.contains("ERP database upgrade"), reason);
    // The counters count what needs people: the silenced P1 is not in them, and the header says so.
    waitUpTo(10).until(d -> d.findElement(By.cssSelector(".count[data-severity='P2'] .count-n")).getText().equals("1"));
    assertEquals("0", driver.findElement(By.cssSelector(".count[data-severity='P1'] .count-n")).getText());
    assertEquals("+1 muted, not counted", driver.findElement(By.id("counts-note")).getText());
    assertTrue(driver.findElement(By.id("counts")).getAttribute("title").contains("not counted"));
    screenshot("wall-silenced.png");

    driver.findElement(By.id("lang")).click();
    // The switch re-renders, and so does the snapshot of the reconnect it makes: look elements up afresh.
    waitUpTo(5).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d ->
        d.findElement(By.cssSelector(".fault[data-muted='silenced'] .tag-silenced")).getText().equals("已静默")
            && d.findElement(By.cssSelector(".fault[data-muted='silenced'] .mute-reason")).getText().startsWith("至 "));
    screenshot("wall-silenced-zh.png");
  }

  @Test
  void withoutTokenTheLoginFormAsksOnceAndTheTokenIsKept() throws Exception {
    driver.get(base() + "/");
    WebElement login = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
    assertTrue(login.isDisplayed());
    driver.findElement(By.id("token")).sendKeys(TestVigil.ADMIN);
    driver.findElement(By.id("login-submit")).click();
    waitUpTo(15).until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "live"));
    // Reload: the browser kept the token; no login form this time.
    driver.navigate().refresh();
    waitUpTo(15).until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "live"));
    assertFalse(driver.findElement(By.id("login")).isDisplayed());
    screenshot("wall-empty.png");
  }

  @Test
  void wallShowsFlappingAndGradedFaultsWithTheirExplanation() throws Exception {
    vigil.close();
    vigil = new TestVigil(java.util.Map.of("VIGIL_RULES", TestVigil.rulesFile("""
        rules:
          - {name: LinkDown, expr: link_up == 0, severity: P2, annotations: {summary: "link down on {{ $labels.host }}"}}
          - {name: HighCpu, expr: cpu_usage > 90, severity: P3, annotations: {summary: "CPU {{ $value }}% on {{ $labels.host }}"}}
        grading:
          scope: [{systems: 2, raise: 1}]
        flapping: {transitions: 2, window: 10m, quiet: 10m}
        """)));
    driver.get(base() + "/?token=" + TestVigil.ADMIN + "&lang=en");
    waitUpTo(15).until(ExpectedConditions.attributeToBe(By.id("status"), "data-state", "live"));
    for (double v : new double[] {0, 1, 0, 1}) {
      assertEquals(204, vigil.http.ingest(sample("link_up", "acme", "erp", "sw1", v)).status());
      Thread.sleep(150); // keep the four changes in order on the wire, as a real link would
    }
    assertEquals(204, vigil.http.ingest(sample("cpu_usage", "globex", "billing", "app1", 95) + "," + sample("cpu_usage", "globex", "crm", "app2", 96)).status());
    // The wall re-renders cards on every change: look elements up afresh inside each wait.
    String flapTag = waitUpTo(10).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElement(By.cssSelector(".fault[data-state='flapping'] .tag-flapping")).getText());
    assertEquals("FLAPPING", flapTag, "tags are shown in capitals");
    String grading = waitUpTo(10).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> d.findElement(
        By.xpath("//article[contains(@class,'fault') and .//span[@class='host' and text()='app1']]//div[@class='grading']")).getText());
    assertEquals("\u2191 2 systems of globex affected (\u2265 2) \u2192 P2", grading);
    screenshot("wall-flapping-graded.png");
    driver.findElement(By.id("lang")).click();
    waitUpTo(5).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElement(By.className("tag-flapping")).getText().equals("\u6296\u52a8\u4e2d"));
    screenshot("wall-flapping-graded-zh.png");
  }
}
