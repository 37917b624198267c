package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class NotifyConfigTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  /** An alertmanager.yml as teams write it (minus global/templates, which Vigil does not have). */
  static final String ALERTMANAGER_YML = """
      route:
        receiver: default-receiver
        group_by: ['alertname', 'cluster']
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 4h
        routes:
          - receiver: database-pager
            group_wait: 10s
            matchers:
              - service=~"mysql|cassandra"
          - receiver: frontend-pager
            group_by: [product, environment]
            matchers:
              - team="frontend"
            mute_time_intervals: [offhours]
          - receiver: ops
            match:
              team: ops
            continue: true
      receivers:
        - name: default-receiver
          webhook_configs:
            - url: http://127.0.0.1:5001/
        - name: database-pager
          webhook_configs:
            - url: https://pager.example.com/hook
              send_resolved: false
              max_alerts: 10
        - name: frontend-pager
          webhook_configs:
            - url: https://chat.example.com/bot?token=x
              headers: {Authorization: 'Bearer abc'}
              hmac_secret: s3cret
              timeout: 5s
        - name: ops
      time_intervals:
        - name: offhours
          time_intervals:
            - weekdays: ['saturday', 'sunday']
            - times: [{start_time: '18:00', end_time: '24:00'}]
              location: Asia/Shanghai
      """;

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String text) {
    return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
  }

  static NotifyConfig parse(String text) {
    return NotifyConfig.parse(yaml(text), "rules.yaml", SHANGHAI);
  }

  static String problems(String text) {
    RuleFileException e = assertThrows(RuleFileException.class, () -> parse(text));
    return String.join("\n", e.problems());
  }

  static final String OK_RECEIVERS = """
      receivers:
        - name: a
          webhook_configs: [{url: 'https://a.example.com/'}]
      """;

  @Test
  void realisticAlertmanagerConfigCarriesOver() {
    NotifyConfig c = parse(ALERTMANAGER_YML);
    assertTrue(c.enabled());
    assertEquals(List.of("default-receiver", "database-pager", "frontend-pager", "ops"),
        c.receivers().stream().map(Receiver::name).toList());
    assertEquals(SHANGHAI, c.zone());
    assertEquals(RetryPolicy.DEFAULT, c.retry());

    RouteMatch db = c.match(Labels.of("service", "mysql", "alertname", "Lag", "cluster", "c1")).get(0);
    assertEquals("database-pager", db.receiver());
    assertEquals(Duration.ofSeconds(10), db.groupWait());
    assertEquals(Duration.ofMinutes(5), db.groupInterval());
    assertEquals(List.of("alertname", "cluster"), db.groupBy());

    RouteMatch fe = c.match(Labels.of("team", "frontend")).get(0);
    assertEquals("frontend-pager", fe.receiver());
    assertEquals(List.of("product", "environment"), fe.groupBy());
    assertEquals(List.of("offhours"), fe.muteTimeIntervals());

    assertEquals(List.of("ops"), c.match(Labels.of("team", "ops")).stream().map(RouteMatch::receiver).toList());
    assertEquals("default-receiver", c.match(Labels.of("team", "x")).get(0).receiver());

    WebhookConfig pager = c.receiver("database-pager").orElseThrow().webhooks().get(0);
    assertFalse(pager.sendResolved());
    assertEquals(10, pager.maxAlerts());
    assertEquals(WebhookConfig.Format.ALERTMANAGER, pager.format());
    assertFalse(pager.signed());
    WebhookConfig chat = c.receiver("frontend-pager").orElseThrow().webhooks().get(0);
    assertTrue(chat.signed());
    assertEquals(Map.of("Authorization", "Bearer abc"), chat.headers());
    assertEquals(Duration.ofSeconds(5), chat.timeout());
    WebhookConfig dflt = c.receiver("default-receiver").orElseThrow().webhooks().get(0);
    assertTrue(dflt.sendResolved(), "default true as in Alertmanager");
    assertEquals(Duration.ofSeconds(10), dflt.timeout());
    assertEquals(4, dflt.maxConcurrency());
    assertTrue(c.receiver("ops").orElseThrow().webhooks().isEmpty(), "a null receiver is valid");

    TimeInterval off = c.timeInterval("offhours").orElseThrow();
    assertTrue(off.contains(Instant.parse("2026-12-05T03:00:00Z")), "a Saturday");
    assertTrue(off.contains(Instant.parse("2026-12-07T11:00:00Z")), "Monday 19:00 in Shanghai");
    assertFalse(off.contains(Instant.parse("2026-12-07T02:00:00Z")), "Monday 10:00 in Shanghai");
    assertEquals(SHANGHAI, off.specs().get(0).location(), "no location: the configuration's zone");
  }

  @Test
  void mutedFollowsTheRoutesTimeIntervalsAndUnmutedAfterFindsTheEnd() {
    NotifyConfig c = parse(ALERTMANAGER_YML);
    RouteMatch fe = c.match(Labels.of("team", "frontend")).get(0);
    Instant mondayEvening = Instant.parse("2026-12-07T11:00:00Z"); // 19:00 Shanghai
    assertTrue(c.muted(fe, mondayEvening));
    assertEquals(Instant.parse("2026-12-07T16:00:00Z"), c.unmutedAfter(fe, mondayEvening), "midnight Shanghai");
    RouteMatch db = c.match(Labels.of("service", "mysql")).get(0);
    assertFalse(c.muted(db, mondayEvening), "intervals apply to their own route only");
  }

  @Test
  void notifySettingsAreRead() {
    NotifyConfig c = parse(OK_RECEIVERS + """
        route: {receiver: a}
        notify:
          time_zone: UTC
          retry_base: 2s
          retry_cap: 1m
          dead_letter_after: 6h
          external_url: https://vigil.example.com
        """);
    assertEquals(ZoneId.of("UTC"), c.zone());
    assertEquals(new RetryPolicy(Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofHours(6)), c.retry());
    assertEquals("https://vigil.example.com", c.externalUrl());
  }

  @Test
  void noRouteAndNoReceiversIsOff() {
    NotifyConfig c = parse("rules: []\n");
    assertFalse(c.enabled());
    assertEquals(List.of(), c.match(Labels.of("a", "b")));
    assertFalse(NotifyConfig.empty().enabled());
  }

  @Test
  void unknownReceiverInARouteIsNamedWithItsPath() {
    String p = problems(OK_RECEIVERS + """
        route:
          receiver: a
          routes:
            - receiver: nobody
              matchers: ['x="y"']
        """);
    assertTrue(p.contains("rules.yaml: route.routes[0].receiver: no receiver named 'nobody' (defined: a)"), p);
  }

  @Test
  void duplicateReceiverNameIsRefused() {
    String p = problems("""
        receivers:
          - name: a
          - name: a
        route: {receiver: a}
        """);
    assertTrue(p.contains("receivers[1].name: duplicate receiver name 'a'"), p);
  }

  @Test
  void badUrlIsRefused() {
    String p = problems("""
        receivers:
          - name: a
            webhook_configs: [{url: 'ftp://x.example.com/'}, {url: 'https://x:99999/'}, {}]
        route: {receiver: a}
        """);
    assertTrue(p.contains("receivers[0].webhook_configs[0].url: 'ftp://x.example.com/' is not an http:// or https:// URL"), p);
    assertTrue(p.contains("receivers[0].webhook_configs[1].url: 'https://x:99999/' is not an http:// or https:// URL"), p);
    assertTrue(p.contains("receivers[0].webhook_configs[2].url: missing"), p);
  }

  @Test
  void badDurationIsRefused() {
    String p = problems(OK_RECEIVERS + """
        route:
          receiver: a
          group_wait: soon
          routes:
            - receiver: a
              repeat_interval: 0s
        notify: {retry_base: 1x}
        """);
    assertTrue(p.contains("route.group_wait: 'soon' is not a duration"), p);
    assertTrue(p.contains("route.routes[0].repeat_interval: cannot be zero"), p);
    assertTrue(p.contains("notify.retry_base: '1x' is not a duration"), p);
  }

  @Test
  void badRegexIsRefusedInMatchersAndMatchRe() {
    String p = problems(OK_RECEIVERS + """
        route:
          receiver: a
          routes:
            - receiver: a
              matchers: ['service=~"(db"']
            - receiver: a
              match_re: {service: '[x'}
        """);
    assertTrue(p.contains("route.routes[0].matchers[0]: matcher 'service=~\"(db\"': bad regex '(db'"), p);
    assertTrue(p.contains("route.routes[1].match_re.service: bad regex '[x'"), p);
  }

  @Test
  void unknownTimeIntervalIsRefused() {
    String p = problems(OK_RECEIVERS + """
        route:
          receiver: a
          routes:
            - receiver: a
              matchers: ['a="b"']
              active_time_intervals: [office]
        """);
    assertTrue(p.contains("route.routes[0].active_time_intervals[0]: no time interval named 'office'"), p);
  }

  @Test
  void unknownFormatIsRefused() {
    String p = problems("""
        receivers:
          - name: a
            webhook_configs: [{url: 'https://a.example.com/', format: slack}]
        route: {receiver: a}
        """);
    assertTrue(p.contains("receivers[0].webhook_configs[0].format: 'slack' is not one of alertmanager, vigil, template"), p);
  }

  @Test
  void otherIntegrationsAndUnknownKeysAreRefusedWithAPointer() {
    String p = problems("""
        receivers:
          - name: a
            email_configs: [{to: x@example.com}]
            webhook_configs: [{url: 'https://a.example.com/', http_config: {}, colour: red}]
        route: {receiver: a, group_wiat: 1m}
        """);
    assertTrue(p.contains("receivers[0].email_configs: not supported"), p);
    assertTrue(p.contains("receivers[0].webhook_configs[0].http_config: not supported"), p);
    assertTrue(p.contains("receivers[0].webhook_configs[0].colour: unknown key"), p);
    assertTrue(p.contains("route.group_wiat: unknown key"), p);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    RuleFileException e = assertThrows(RuleFileException.class, () -> parse("""
        receivers:
          - name: a
            webhook_configs: [{url: 'nope', format: x}]
        route: {receiver: b, group_wait: x}
        notify: {time_zone: Mars/Base}
        """));
    assertTrue(e.problems().size() >= 4, e.problems().toString());
    assertTrue(String.join("\n", e.problems()).contains("notify.time_zone: 'Mars/Base' is not a time zone"), e.problems().toString());
  }

  @Test
  void receiversWithoutARouteAreRefused() {
    assertTrue(problems(OK_RECEIVERS).contains("route: missing: receivers are defined but nothing routes to them"));
  }

  @Test
  void toMapRedactsHmacSecret() {
    NotifyConfig c = parse(ALERTMANAGER_YML);
    Map<String, Object> m = c.toMap();
    String text = m.toString();
    assertFalse(text.contains("s3cret"), text);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> receivers = (List<Map<String, Object>>) m.get("receivers");
    @SuppressWarnings("unchecked")
    Map<String, Object> hook = ((List<Map<String, Object>>) receivers.get(2).get("webhook_configs")).get(0);
    assertEquals("<secret>", hook.get("hmac_secret"));
    assertEquals(WebhookConfig.REDACTED, hook.get("hmac_secret"));
    assertFalse(c.receiver("frontend-pager").orElseThrow().webhooks().get(0).toString().contains("s3cret"));
    assertFalse(c.receiver("frontend-pager").orElseThrow().webhooks().get(0).toString().contains("Bearer"));
  }

  @Test
  void redactedPlaceholderIsNotAcceptedAsASecret() {
    String p = problems("""
        receivers:
          - name: a
            webhook_configs: [{url: 'https://a.example.com/', hmac_secret: '<secret>'}]
        route: {receiver: a}
        """);
    assertTrue(p.contains("hmac_secret: is the redacted placeholder"), p);
  }

  @Test
  void toMapWithoutSecretsParsesBackToTheSameShape() {
    NotifyConfig c = parse(ALERTMANAGER_YML.replaceAll("\\n *hmac_secret: s3cret", ""));
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, Object> again = (Map) c.toMap();
    NotifyConfig back = NotifyConfig.parse(again, "api", SHANGHAI);
    assertEquals(c.toMap(), back.toMap());
    @SuppressWarnings("unchecked")
    Map<String, Object> notify = (Map<String, Object>) c.toMap().get("notify");
    assertEquals("Asia/Shanghai", notify.get("time_zone"));
    assertEquals("1s", notify.get("retry_base"));
  }
}
