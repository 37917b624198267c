package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerBodyTest {
  static final Instant START = Instant.parse("2026-12-07T01:02:03.450Z");
  static final Instant END = Instant.parse("2026-12-07T02:00:00Z");

  static GroupedAlert alert(String fp, String instance, AlertStatus st, Instant end, Map<String, String> ann) {
    return new GroupedAlert(fp, Labels.of("alertname", "Disk", "instance", instance, "severity", "P2"), ann, st, START, end,
        "http://vigil/g?x=" + fp, null, 1, false);
  }

  static Flush flush(List<GroupedAlert> alerts) {
    return new Flush("{}:{alertname=\"Disk\"}", "{}", "web.hook", Labels.of("alertname", "Disk"), Flush.commonLabels(alerts),
        Flush.commonAnnotations(alerts), alerts, List.of(1L), 1, Flush.Reason.FIRST, START, "key");
  }

  static final GroupedAlert A = alert("aaaa000000000001", "h1", AlertStatus.FIRING, null, Map.of("summary", "full", "runbook", "r1"));
  static final GroupedAlert B = alert("bbbb000000000002", "h2", AlertStatus.RESOLVED, END, Map.of("summary", "full", "runbook", "r2"));

  @Test
  void webhookV4FieldsInAlertmanagerOrder() {
    String body = AlertmanagerBody.render(flush(List.of(A, B)), "web.hook", "https://vigil.example.com", 0);
    String expected = "{\"receiver\":\"web\\\\.hook\",\"status\":\"firing\",\"alerts\":["
        + "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Disk\",\"instance\":\"h1\",\"severity\":\"P2\"},"
        + "\"annotations\":{\"runbook\":\"r1\",\"summary\":\"full\"},\"startsAt\":\"2026-12-07T01:02:03.45Z\","
        + "\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://vigil/g?x=aaaa000000000001\",\"fingerprint\":\"aaaa000000000001\"},"
        + "{\"status\":\"resolved\",\"labels\":{\"alertname\":\"Disk\",\"instance\":\"h2\",\"severity\":\"P2\"},"
        + "\"annotations\":{\"runbook\":\"r2\",\"summary\":\"full\"},\"startsAt\":\"2026-12-07T01:02:03.45Z\","
        + "\"endsAt\":\"2026-12-07T02:00:00Z\",\"generatorURL\":\"http://vigil/g?x=bbbb000000000002\",\"fingerprint\":\"bbbb000000000002\"}],"
        + "\"groupLabels\":{\"alertname\":\"Disk\"},\"commonLabels\":{\"alertname\":\"Disk\",\"severity\":\"P2\"},"
        + "\"commonAnnotations\":{\"summary\":\"full\"},\"externalURL\":\"https://vigil.example.com\",\"version\":\"4\","
        + "\"groupKey\":\"{}:{alertname=\\\"Disk\\\"}\",\"truncatedAlerts\":0}";
    assertEquals(expected, body);
  }

  @Test
  void statusIsResolvedWhenNoAlertFires() {
    String body = AlertmanagerBody.render(flush(List.of(B)), "r", "", 0);
    assertTrue(body.startsWith("{\"receiver\":\"r\",\"status\":\"resolved\""), body);
    assertTrue(body.contains("\"externalURL\":\"\""), body);
  }

  @Test
  void maxAlertsCutsFirstAndCommonFieldsDescribeWhatRemains() {
    String body = AlertmanagerBody.render(flush(List.of(A, B)), "r", "", 1);
    assertTrue(body.contains("\"truncatedAlerts\":1"), body);
    assertFalse(body.contains("bbbb000000000002"), body);
    assertTrue(body.contains("\"commonLabels\":{\"alertname\":\"Disk\",\"instance\":\"h1\",\"severity\":\"P2\"}"), body);
    assertTrue(body.contains("\"commonAnnotations\":{\"runbook\":\"r1\",\"summary\":\"full\"}"), body);
  }

  @Test
  void perWebhookRenderAppliesSendResolvedAndMaxAlerts() {
    WebhookConfig noResolved = WebhookConfig.parse(new java.util.HashMap<>(Map.of("url", "https://x.example.com/", "send_resolved", false)), "w");
    String body = AlertmanagerBody.render(flush(List.of(A, B)), noResolved, "r", "");
    assertFalse(body.contains("\"resolved\""), body);
    assertTrue(body.contains("\"truncatedAlerts\":0"), body);
  }

  @Test
  void receiverIsRegexQuotedAsAlertmanagerDoes() {
    assertEquals("web\\.hook\\(1\\)", NotificationData.quoteMeta("web.hook(1)"));
    assertEquals("plain-name", NotificationData.quoteMeta("plain-name"));
  }
}
