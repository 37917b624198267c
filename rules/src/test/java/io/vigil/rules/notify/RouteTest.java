package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class RouteTest {
  @SuppressWarnings("unchecked")
  static NotifyConfig config(String yaml) {
    Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
    return NotifyConfig.parse(root, "rules.yaml");
  }

  static final String RECEIVERS = """
      receivers:
        - name: default
        - name: db
        - name: noc
        - name: sms
      """;

  static NotifyConfig routes(String route) {
    return config(RECEIVERS + route);
  }

  static List<String> receivers(NotifyConfig c, String... labels) {
    return c.match(Labels.of(labels)).stream().map(RouteMatch::receiver).toList();
  }

  static RouteMatch only(NotifyConfig c, String... labels) {
    List<RouteMatch> ms = c.match(Labels.of(labels));
    assertEquals(1, ms.size(), "matches: " + ms);
    return ms.get(0);
  }

  @Test
  void equalityMatcherSelectsChildElseRootReceiver() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service="db"']
        """);
    assertEquals(List.of("db"), receivers(c, "service", "db"));
    assertEquals(List.of("default"), receivers(c, "service", "web"));
    assertEquals(List.of("default"), receivers(c));
  }

  @Test
  void notEqualMatcherExcludesValueAndMatchesMissingLabel() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: noc
              matchers: ['team!=dba']
        """);
    assertEquals(List.of("default"), receivers(c, "team", "dba"));
    assertEquals(List.of("noc"), receivers(c, "team", "web"));
    assertEquals(List.of("noc"), receivers(c), "an absent label is the empty value, which != dba");
  }

  @Test
  void regexMatcherIsFullyAnchored() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service=~"db|cache"']
        """);
    assertEquals(List.of("db"), receivers(c, "service", "db"));
    assertEquals(List.of("db"), receivers(c, "service", "cache"));
    assertEquals(List.of("default"), receivers(c, "service", "dbx"), "anchored: dbx is not db");
    assertEquals(List.of("default"), receivers(c, "service", "mydb"));
  }

  @Test
  void negativeRegexMatcherExcludesMatchingValues() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: sms
              matchers: ['env!~"dev.*"']
        """);
    assertEquals(List.of("default"), receivers(c, "env", "dev-3"));
    assertEquals(List.of("sms"), receivers(c, "env", "prod"));
  }

  @Test
  void allMatchersOfARouteMustMatch() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service="db"', 'severity=~"P1|P2"']
        """);
    assertEquals(List.of("db"), receivers(c, "service", "db", "severity", "P1"));
    assertEquals(List.of("default"), receivers(c, "service", "db", "severity", "P3"));
    assertEquals(List.of("default"), receivers(c, "service", "web", "severity", "P1"));
  }

  @Test
  void legacyMatchAndMatchReAreSupportedAndWrittenBackAsMatchers() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              match: {service: db}
              match_re: {instance: 'db-[0-9]+'}
        """);
    assertEquals(List.of("db"), receivers(c, "service", "db", "instance", "db-12"));
    assertEquals(List.of("default"), receivers(c, "service", "db", "instance", "db-x"));
    assertEquals(List.of("default"), receivers(c, "service", "web", "instance", "db-1"));
    Route child = c.route().orElseThrow().routes().get(0);
    assertEquals(List.of("service=\"db\"", "instance=~\"db-[0-9]+\""), child.toMap().get("matchers"));
  }

  @Test
  void firstMatchingChildStopsTheSearchWithoutContinue() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service="db"']
            - receiver: noc
              matchers: ['team="noc"']
        """);
    assertEquals(List.of("db"), receivers(c, "service", "db", "team", "noc"));
  }

  @Test
  void continueLetsLaterSiblingsMatchToo() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: noc
              matchers: ['team="noc"']
              continue: true
            - receiver: db
              matchers: ['service="db"']
            - receiver: sms
              matchers: ['service="db"']
        """);
    assertEquals(List.of("noc", "db"), receivers(c, "service", "db", "team", "noc"), "continue on noc, then db stops the search");
    assertEquals(List.of("noc"), receivers(c, "team", "noc"), "continue with nothing else matching: the continued route alone");
  }

  @Test
  void depthFirstDeepestMatchingRouteWins() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service="db"']
              routes:
                - receiver: sms
                  matchers: ['severity="P1"']
        """);
    assertEquals(List.of("sms"), receivers(c, "service", "db", "severity", "P1"));
    assertEquals(List.of("db"), receivers(c, "service", "db", "severity", "P2"), "no child matches: the parent is the match");
  }

  @Test
  void childInheritsReceiverGroupByAndTimings() {
    NotifyConfig c = routes("""
        route:
          receiver: noc
          group_by: [alertname, cluster]
          group_wait: 45s
          group_interval: 7m
          repeat_interval: 3h
          routes:
            - matchers: ['service="db"']
        """);
    RouteMatch m = only(c, "service", "db", "alertname", "Disk", "severity", "P1");
    assertTrue(m.routeId().endsWith("/0"), m.routeId());
    assertEquals("noc", m.receiver());
    assertEquals(List.of("alertname", "cluster"), m.groupBy(), "all timings set on the path: severity is not added");
    assertEquals(Duration.ofSeconds(45), m.groupWait());
    assertEquals(Duration.ofMinutes(7), m.groupInterval());
    assertEquals(Duration.ofHours(3), m.repeatInterval());
    assertNull(m.severity());
    assertNull(m.digestAt());
  }

  @Test
  void childOverridesWinOverInheritedOptions() {
    NotifyConfig c = routes("""
        route:
          receiver: noc
          group_by: [alertname]
          group_wait: 45s
          group_interval: 7m
          repeat_interval: 3h
          routes:
            - matchers: ['service="db"']
              receiver: db
              group_by: [instance]
              group_wait: 5s
        """);
    RouteMatch m = only(c, "service", "db");
    assertEquals("db", m.receiver());
    assertEquals(List.of("instance"), m.groupBy());
    assertEquals(Duration.ofSeconds(5), m.groupWait());
    assertEquals(Duration.ofMinutes(7), m.groupInterval());
    assertEquals(Duration.ofHours(3), m.repeatInterval());
  }

  @Test
  void p1DefaultsPageAtOnceAndAddSeverityToGroupBy() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          group_by: [alertname]
        """);
    RouteMatch m = only(c, "alertname", "Down", "severity", "P1");
    assertEquals(Duration.ZERO, m.groupWait());
    assertEquals(Duration.ofMinutes(1), m.groupInterval());
    assertEquals(Duration.ofHours(1), m.repeatInterval());
    assertEquals("P1", m.severity());
    assertEquals(List.of("alertname", "severity"), m.groupBy());
    assertEquals(Labels.of("alertname", "Down", "severity", "P1"), m.groupLabels(Labels.of("alertname", "Down", "severity", "P1", "x", "y")));
    assertFalse(m.digest());
  }

  @Test
  void p2AndP3Defaults() {
    NotifyConfig c = routes("route: {receiver: default}\n");
    RouteMatch p2 = only(c, "severity", "P2");
    assertEquals(List.of(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(4)),
        List.of(p2.groupWait(), p2.groupInterval(), p2.repeatInterval()));
    RouteMatch p3 = only(c, "severity", "p3");
    assertEquals(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(12)),
        List.of(p3.groupWait(), p3.groupInterval(), p3.repeatInterval()));
    assertEquals(List.of("severity"), p3.groupBy());
  }

  @Test
  void p4IsADailyDigestAtNineByDefault() {
    NotifyConfig c = routes("route: {receiver: default}\n");
    RouteMatch m = only(c, "severity", "P4");
    assertTrue(m.digest());
    assertEquals(LocalTime.of(9, 0), m.digestAt());
    assertEquals(Duration.ofDays(1), m.repeatInterval());
    assertEquals("P4", m.severity());
    assertEquals(List.of("severity"), m.groupBy());
  }

  @Test
  void p4DigestTimeIsInheritedFromDigestAt() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          digest_at: '8:30'
          routes:
            - receiver: noc
              matchers: ['team="noc"']
        """);
    assertEquals(LocalTime.of(8, 30), only(c, "team", "noc", "severity", "P4").digestAt());
  }

  @Test
  void p4WithGroupWaitOnItsPathIsAnOrdinaryGroup() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          group_wait: 1m
        """);
    RouteMatch m = only(c, "severity", "P4");
    assertFalse(m.digest());
    assertNull(m.digestAt());
    assertEquals(Duration.ofMinutes(1), m.groupWait());
    assertEquals(Duration.ofMinutes(5), m.groupInterval(), "the unset one from Alertmanager's defaults");
    assertEquals(Duration.ofDays(1), m.repeatInterval(), "repeat still from the severity");
    assertEquals(List.of("severity"), m.groupBy());
  }

  @Test
  void noOrUnknownSeverityUsesAlertmanagerDefaultsWithoutSeverityGrouping() {
    NotifyConfig c = routes("route: {receiver: default, group_by: [alertname]}\n");
    for (RouteMatch m : List.of(only(c, "alertname", "X"), only(c, "alertname", "X", "severity", "critical"))) {
      assertEquals(Duration.ofSeconds(30), m.groupWait());
      assertEquals(Duration.ofMinutes(5), m.groupInterval());
      assertEquals(Duration.ofHours(4), m.repeatInterval());
      assertNull(m.severity());
      assertEquals(List.of("alertname"), m.groupBy());
    }
  }

  @Test
  void groupByAllUsesEveryLabelAndNoGroupByIsOneGroup() {
    NotifyConfig all = routes("route: {receiver: default, group_by: ['...']}\n");
    RouteMatch m = only(all, "a", "1", "b", "2", "severity", "P2");
    assertTrue(m.groupByAll());
    assertEquals(Labels.of("a", "1", "b", "2", "severity", "P2"), m.groupLabels(Labels.of("a", "1", "b", "2", "severity", "P2")));
    NotifyConfig none = routes("route: {receiver: default}\n");
    RouteMatch n = only(none, "a", "1");
    assertEquals(Labels.EMPTY, n.groupLabels(Labels.of("a", "1")));
    assertEquals(n.groupKey(Labels.of("a", "1")), n.groupKey(Labels.of("a", "2")));
  }

  @Test
  void groupKeyIsRouteIdColonGroupLabelsAndRouteIdsDifferPerChild() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1m
          repeat_interval: 1h
          routes:
            - receiver: db
              matchers: ['service="db"']
            - receiver: db
              matchers: ['service="db2"']
        """);
    RouteMatch a = only(c, "service", "db", "alertname", "Disk");
    RouteMatch b = only(c, "service", "db2", "alertname", "Disk");
    assertEquals("{}/{service=\"db\"}/0", a.routeId());
    assertEquals("{}/{service=\"db\"}/0:{alertname=\"Disk\"}", a.groupKey(Labels.of("service", "db", "alertname", "Disk")));
    assertNotEquals(a.routeId(), b.routeId());
    assertEquals("{}", only(c, "alertname", "X").routeId());
  }

  @Test
  void muteAndActiveIntervalsApplyToTheirOwnRouteOnly() {
    NotifyConfig c = config(RECEIVERS + """
        time_intervals:
          - name: nights
            time_intervals: [{times: [{start_time: '00:00', end_time: '08:00'}]}]
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service="db"']
              mute_time_intervals: [nights]
              routes:
                - receiver: sms
                  matchers: ['severity="P1"']
        """);
    assertEquals(List.of("nights"), only(c, "service", "db").muteTimeIntervals());
    assertEquals(List.of(), only(c, "service", "db", "severity", "P1").muteTimeIntervals(), "not inherited");
  }

  @Test
  void badMatcherStringsAreRefusedWithPath() {
    RuleFileException e = assertThrows(RuleFileException.class, () -> routes("""
        route:
          receiver: default
          routes:
            - receiver: db
              matchers: ['service', '1x="a"', 'a=~"("']
        """));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("route.routes[0].matchers[0]") && all.contains("needs one of =, !=, =~, !~"), all);
    assertTrue(all.contains("route.routes[0].matchers[1]") && all.contains("must start with a label name"), all);
    assertTrue(all.contains("route.routes[0].matchers[2]") && all.contains("bad regex"), all);
  }

  @Test
  void matcherTextParsesQuotedBareAndBracedForms() {
    assertTrue(MatcherText.parse("{severity=\"P1\"}").matches(Labels.of("severity", "P1")));
    assertTrue(MatcherText.parse("team = noc ").matches(Labels.of("team", "noc")));
    assertTrue(MatcherText.parse("msg=\"say \\\"hi\\\"\"").matches(Labels.of("msg", "say \"hi\"")));
    assertEquals("msg=\"say \\\"hi\\\"\"", MatcherText.parse("msg=\"say \\\"hi\\\"\"").toString(), "toString reads back");
    assertThrows(IllegalArgumentException.class, () -> MatcherText.parse("a=\"open"));
    assertThrows(IllegalArgumentException.class, () -> MatcherText.parse("a=b\"c"));
  }

  @Test
  void rootRouteRestrictionsAreChecked() {
    RuleFileException e = assertThrows(RuleFileException.class, () -> routes("""
        route:
          matchers: ['a="b"']
          continue: true
        """));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("route.receiver: missing"), all);
    assertTrue(all.contains("root route cannot have matchers"), all);
    assertTrue(all.contains("route.continue"), all);
  }

  @Test
  void toMapRoundTripsThroughRouteParse() {
    NotifyConfig c = routes("""
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 90s
          routes:
            - receiver: db
              matchers: ['service=~"db|cache"', 'env!="dev"']
              continue: true
              digest_at: '07:15'
        """);
    Route r = c.route().orElseThrow();
    Route back = Route.parse(r.toMap(), "route");
    // Matcher holds a compiled Pattern (identity equality), so compare the written shapes.
    assertEquals(r.toMap(), back.toMap());
    assertEquals(r.routes().get(0).matchers().toString(), back.routes().get(0).matchers().toString());
    assertEquals("1m30s", r.toMap().get("group_wait"));
  }
}
