package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The printable patrol report in a real headless Chromium: it renders its bilingual sections and
 * prints to PDF ({@code chromium --headless --print-to-pdf}). The screenshot and the PDF land in
 * server/target/screenshots/.
 */
class PatrolReportPageIT {
  @Test
  void patrolReportPageRendersInChromiumAndPrintsToPdf() throws Exception {
    assertTrue(new File("/usr/bin/chromedriver").canExecute(),
        "chromium-driver is not installed: ./vigil test installs Debian's chromium and chromium-driver");
    Path dir = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(dir);
    Path page = dir.resolve("patrol-report.html");
    TestVigil first = new TestVigil(Map.of());
    try {
      LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
      long t0 = yesterday.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 24; i++) {
        long ts = t0 + i * 3_600_000L;
        b.append(",{\"metric\":\"probe_success\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"probe\":\"portal\",\"target\":\"https://erp.acme.example/\"},\"value\":")
            .append(i == 5 ? 0 : 1).append(",\"ts\":").append(ts).append("}");
        b.append(",{\"metric\":\"disk_usage\",\"labels\":{\"customer\":\"acme\",\"system\":\"erp\",\"host\":\"db1\"},\"value\":")
            .append(70 + i).append(",\"ts\":").append(ts).append("}");
      }
      assertEquals(204, first.http.ingest(b.substring(1)).status());
      assertEquals(201, first.http.post("/api/v1/customers", "{\"id\":\"acme\",\"name\":\"ACME 集团\",\"tier\":\"7x24\"}").status());
      assertEquals(201, first.http.post("/api/v1/customers/acme/systems", "{\"id\":\"erp\",\"name\":\"ERP\",\"heartbeatInterval\":\"5m\"}").status());
      Http.Reply registeredToday = first.http.get("/api/v1/customers/acme/patrol-report?format=html&date=" + yesterday);
      assertTrue(registeredToday.raw().body().contains("not yet in the inventory 当日未登记"), "erp was registered today");
      // Registered three days ago instead: yesterday was watched whole. Reports are stored once, so
      // drop any, and let a restarted node see the earlier registration.
      first.stop();
      first.sql("UPDATE systems SET created_at = now() - interval '3 days'");
      first.sql("DELETE FROM patrol_reports");
      try (TestVigil again = new TestVigil(first.db, Map.of())) {
        Http.Reply html = again.http.get("/api/v1/customers/acme/patrol-report?format=html&date=" + yesterday);
        assertEquals(200, html.status(), html.toString());
        Files.writeString(page, html.raw().body(), StandardCharsets.UTF_8);
      }
    } finally {
      first.close();
    }

    ChromeDriver driver = Browser.start(1280, 1600);
    try {
      driver.get(page.toUri().toString());
      assertTrue(driver.findElement(By.tagName("h1")).getText().contains("巡检报告"));
      for (String section : new String[] {"summary", "checks", "findings", "faults", "trends"}) {
        assertTrue(driver.findElement(By.id(section)).isDisplayed(), section + " shown");
      }
      assertEquals("24", driver.findElement(By.cssSelector("#tile-checks b")).getText());
      assertTrue(driver.findElement(By.id("findings")).getText().contains("predicted full"), driver.findElement(By.id("findings")).getText());
      assertTrue(driver.findElement(By.id("checks")).getText().contains("95.8%"));
      String reporting = driver.findElement(By.id("reporting-erp")).getText();
      assertTrue(reporting.contains("reporting") && reporting.contains("24 h 00 min") && reporting.contains("100.0%"), reporting);
      assertFalse(driver.findElement(By.id("checks")).getText().contains("heartbeat"), "erp never beat: no heartbeat row");
      assertTrue(driver.findElement(By.id("trends")).getText().contains("7.0 h 小时"), driver.findElement(By.id("trends")).getText());
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve("patrol-report.png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.quit();
    }

    Path pdf = dir.resolve("patrol-report.pdf");
    Files.deleteIfExists(pdf);
    Process p = new ProcessBuilder("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
        "--print-to-pdf=" + pdf, page.toUri().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("print-to-pdf.log").toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium --print-to-pdf finished");
    assertTrue(Files.size(pdf) > 10_000, "a PDF of some substance: " + Files.size(pdf) + " bytes");
    byte[] head = new byte[5];
    try (var in = Files.newInputStream(pdf)) {
      assertEquals(5, in.read(head));
    }
    assertEquals("%PDF-", new String(head, StandardCharsets.US_ASCII));
  }
}
