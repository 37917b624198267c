package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyTemplateTest {
  static final Instant START = Instant.parse("2026-12-07T01:02:03Z");
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  static Flush flush(Map<String, String> annotations, String... labels) {
    GroupedAlert a = new GroupedAlert("aaaa", Labels.of(labels), annotations, AlertStatus.FIRING, START, null, null, null, 1, false);
    List<GroupedAlert> alerts = List.of(a);
    return new Flush("{}:{}", "{}", "bot", Labels.EMPTY, Flush.commonLabels(alerts), Flush.commonAnnotations(alerts), alerts, List.of(1L), 1,
        Flush.Reason.FIRST, START, "k");
  }

  static String render(String template, Flush f) {
    return BodyTemplate.compile(template).render(f, f.alerts(), "bot", "https://vigil", 0, SHANGHAI);
  }

  @Test
  void jsonEscapesQuotesBackslashesAndNewlinesInsideAStringLiteral() {
    Flush f = flush(Map.of("summary", "disk \"sda\" at 99%\nC:\\data\tnow"), "alertname", "Disk");
    String out = render("{\"text\":\"{{ .CommonAnnotations.summary | json }}\"}", f);
    assertEquals("{\"text\":\"disk \\\"sda\\\" at 99%\\nC:\\\\data\\tnow\"}", out);
  }

  @Test
  void chineseIsKeptAsUtf8Text() {
    Flush f = flush(Map.of("summary", "磁盘已满 \"严重\""), "alertname", "磁盘");
    String out = render("{\"msg\":\"{{ .CommonLabels.alertname | json }}: {{ json .CommonAnnotations.summary }}\"}", f);
    assertEquals("{\"msg\":\"磁盘: 磁盘已满 \\\"严重\\\"\"}", out);
  }

  @Test
  void toJsonWritesACompleteLiteral() {
    Flush f = flush(Map.of("summary", "a\"b\n"), "alertname", "X");
    assertEquals("{\"t\":\"a\\\"b\\n\"}", render("{\"t\":{{ .CommonAnnotations.summary | toJson }}}", f));
  }

  @Test
  void controlAndLineSeparatorCharactersAreEscaped() {
    assertEquals("\\u0001\\u2028\\r", JsonText.escape("\u0001\u2028\r"));
    assertEquals("\"汉字😀\"", JsonText.quote("汉字😀"));
  }

  @Test
  void rangeIfAndLocalTime() {
    Flush f = flush(Map.of(), "alertname", "Disk", "instance", "h1");
    String out = render("{{ range .Alerts }}{{ .Labels.instance }} {{ .StartsAt | local }}{{ if .EndsAt }} ended{{ end }}{{ end }}|{{ .Status }}|{{ .Receiver }}", f);
    assertEquals("h1 2026-12-07 09:02:03|firing|bot", out);
  }

  @Test
  void missingLabelRendersEmptyAndDefaultFillsIt() {
    Flush f = flush(Map.of(), "alertname", "Disk");
    assertEquals("[][none]", render("[{{ .CommonLabels.team }}][{{ .CommonLabels.team | default \"none\" }}]", f));
  }

  @Test
  void unknownFieldsAreRefusedAtCompileTime() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BodyTemplate.compile("{{ .CommonLabel.x }}"));
    assertTrue(e.getMessage().contains("CommonLabel"), e.getMessage());
  }
}
