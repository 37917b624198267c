package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The documented example, docs/examples/oncall.yaml, parses and means what its comments say. */
class OnCallExampleTest {
  static OnCallConfig config;

  @BeforeAll
  static void load() throws IOException {
    Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/examples/oncall.yaml");
    Map<?, ?> root = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(example));
    config = OnCallConfig.parse(root, "oncall.yaml", ZoneId.of("UTC"));
  }

  @ParameterizedTest(name = "{0} Beijing time: {2}")
  @CsvSource({
      "Wed 2026-01-07 12:00, 2026-01-07T04:00:00Z, zhangwei, first week's day engineer",
      "Wed 2026-01-07 23:00, 2026-01-07T15:00:00Z, zhaolei,  third night: zhaolei, sunli, zhaolei",
      "Thu 2026-01-08 07:59, 2026-01-07T23:59:00Z, zhaolei,  the night ends at 08:00",
      "Thu 2026-01-08 08:00, 2026-01-08T00:00:00Z, zhangwei, back to the day layer",
      "Mon 2026-01-12 08:30, 2026-01-12T00:30:00Z, zhangwei, weekly handoff is at 09:00",
      "Mon 2026-01-12 09:00, 2026-01-12T01:00:00Z, lina,     second week",
      "Mon 2026-01-26 12:00, 2026-01-26T04:00:00Z, zhangwei, fourth week wraps round",
      "Tue 2026-02-17 03:00, 2026-02-16T19:00:00Z, lina,     Spring Festival override beats the night layer",
      "Fri 2026-02-20 12:00, 2026-02-20T04:00:00Z, wangqiang, second half of the holiday",
      "Tue 2026-02-24 12:00, 2026-02-24T04:00:00Z, lina,     after the holiday the rotation resumes (week 8)",
  })
  void primaryOnCall(String local, String instant, String person, String why) {
    assertEquals(person, config.schedule("primary").orElseThrow().at(Instant.parse(instant)).orElseThrow().person(), why);
  }

  @Test
  void secondaryIsAWeekBehindSoNeverThePrimaryByDay() {
    Schedule primary = config.schedule("primary").orElseThrow();
    Schedule secondary = config.schedule("secondary").orElseThrow();
    for (Instant t = Instant.parse("2026-01-05T04:00:00Z"); t.isBefore(Instant.parse("2026-12-28T04:00:00Z")); t = t.plus(Duration.ofDays(1))) {
      if (primary.at(t).orElseThrow().source().kind() == OnCallShift.Kind.OVERRIDE) continue;
      assertNotEquals(primary.at(t).orElseThrow().person(), secondary.at(t).orElseThrow().person(), t.toString());
    }
  }

  @Test
  void p1EscalatesOnCallThenSecondaryThenServiceManagerThreeRounds() {
    EscalationChain chain = config.chainFor(Labels.of("severity", "P1", "customer", "acme", "system", "erp")).orElseThrow();
    assertEquals("p1-p2", chain.name());
    assertEquals("default", config.chainFor(Labels.of("severity", "P3")).orElseThrow().name());
    Instant fault = Instant.parse("2026-01-07T15:00:00Z"); // 23:00 Beijing time
    List<EscalationStep> plan = chain.plan(fault);
    assertEquals(9, plan.size());
    OnCallResolver resolver = new OnCallResolver(config);
    List<String> paged = plan.subList(0, 3).stream()
        .map(s -> resolver.resolve(s.target(), s.at()).get(0).name() + "@+" + Duration.between(fault, s.at()).toMinutes() + "m").toList();
    assertEquals(List.of("赵磊@+0m", "李娜@+5m", "陈静@+15m"), paged);
    assertEquals(fault.plus(Duration.ofMinutes(30)), plan.get(3).at(), "round two starts 15 minutes after the manager");
    assertEquals(List.of("sms-gateway"), resolver.receivers(plan.get(0).target(), plan.get(0).at()));
  }

  @Test
  void receiversTheServerMustKnow() {
    assertEquals(Set.of("noc-wechat", "sms-gateway"), config.receiverNames());
  }

  @Test
  void exportsAWeekAsICal() {
    Schedule primary = config.schedule("primary").orElseThrow();
    List<OnCallShift> week = primary.shiftsOverlapping(Instant.parse("2026-01-05T01:00:00Z"), Instant.parse("2026-01-12T01:00:00Z"));
    String ics = ICal.export(primary, week, config.people(), Instant.parse("2026-01-01T00:00:00Z"));
    // Seven nights and eight day stretches: the last is Monday 08:00–09:00, before the weekly handoff.
    assertEquals(15, ics.split("BEGIN:VEVENT").length - 1);
    assertTrue(ics.contains("SUMMARY:On call: 张伟\r\n"));
    assertTrue(ics.contains("DESCRIPTION:Schedule primary\\, layer nights\\nPhone: +86 138 0000 0004\r\n"));
  }
}
