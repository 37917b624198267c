package io.vigil.rules.sla;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlaPoliciesTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void defaultsFollowTheDesignTable() {
    SlaPolicies p = SlaPolicies.defaults();
    assertEquals(0.8, p.warnFraction());
    assertEquals(java.util.Set.of("default", "7x24", "5x8"), p.tiers());
    SlaTerms p1 = p.terms("5x8", Severity.P1);
    assertEquals(Duration.ofMinutes(15), p1.respondWithin().on(BusinessCalendar.always()));
    assertEquals("7x24", p1.calendar());
    assertEquals(Duration.ofMinutes(30), p1.updateEvery());
    assertTrue(p1.pauseOnPendingCustomer());
    assertEquals("business", p.terms("5x8", Severity.P3).calendar());
    assertEquals(WorkAmount.businessDays(3), p.terms("5x8", Severity.P3).resolveWithin());
    assertEquals("7x24", p.terms("7x24", Severity.P4).calendar());
    assertEquals(Duration.ofDays(10), p.terms("7x24", Severity.P4).resolveWithin().on(BusinessCalendar.always()));
    assertEquals(Duration.ofHours(9), p.calendar("business", SHANGHAI).businessDay());
  }

  @Test
  void anUnknownTierRunsUnderDefault() {
    SlaPolicies p = SlaPolicies.defaults();
    assertEquals(p.terms("default", Severity.P3), p.terms("platinum", Severity.P3));
    assertFalse(p.hasTier("platinum"));
  }

  @Test
  void aCalendarWithoutAZoneOfItsOwnTakesTheCustomers() {
    BusinessCalendar c = SlaPolicies.defaults().calendar("business", SHANGHAI);
    Instant monday9 = Instant.parse("2026-12-07T01:00:00Z");
    assertEquals(monday9.plus(Duration.ofHours(1)), c.addWorkingTime(monday9, Duration.ofHours(1)));
  }

  @Test
  void errorsNameThePathAndAllProblemsComeAtOnce() {
    SlaConfigException e = assertThrows(SlaConfigException.class, () -> SlaPolicies.parse("""
        warn_at: 2
        calendars:
          office:
            hours: {mon-fri: "09:00-18:00"}
            holidays: [2026-13-01]
        policies:
          default:
            P1: {respond: 15m, resolve: 4h, calender: 7x24}
            P2: {respond: 1h, resolve: 24h, calendar: nowhere}
            P3: {respond: soon, resolve: 3bd, calendar: office}
        """, "sla.yaml"));
    String m = e.getMessage();
    assertTrue(m.contains("sla.yaml: warn_at"), m);
    assertTrue(m.contains("calendars.office.holidays: '2026-13-01' is not a date"), m);
    assertTrue(m.contains("policies.default.P1.calender: unknown key; did you mean 'calendar'?"), m);
    assertTrue(m.contains("policies.default.P2.calendar: no calendar named 'nowhere'"), m);
    assertTrue(m.contains("policies.default.P3.respond: bad target 'soon'"), m);
    assertTrue(m.contains("policies.default: no terms for P4"), m);
  }

  @Test
  void aFileWithoutADefaultPolicyIsRefused() {
    SlaConfigException e = assertThrows(SlaConfigException.class, () -> SlaPolicies.parse("""
        policies:
          gold:
            P1: {respond: 5m, resolve: 1h}
            P2: {respond: 5m, resolve: 1h}
            P3: {respond: 5m, resolve: 1h}
            P4: {respond: 5m, resolve: 1h}
        """, "sla.yaml"));
    assertTrue(e.getMessage().contains("policies.default: missing"), e.getMessage());
  }

  @Test
  void describeParsesBackToTheSameTerms() {
    SlaPolicies p = SlaPolicies.defaults();
    String yaml = new org.snakeyaml.engine.v2.api.Dump(org.snakeyaml.engine.v2.api.DumpSettings.builder().build()).dumpToString(p.describe());
    SlaPolicies again = SlaPolicies.parse(yaml, "described");
    for (String tier : p.tiers()) for (Severity s : Severity.values()) assertEquals(p.terms(tier, s), again.terms(tier, s), tier + " " + s);
    assertEquals(p.describe(), again.describe());
  }

  @Test
  void theChineseExampleParsesWithItsHolidaysAndMakeUpDays() throws Exception {
    Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("examples/sla/sla.yaml");
    SlaPolicies p = SlaPolicies.parse(Files.readString(example), example.toString());
    WeeklyCalendar cn = (WeeklyCalendar) p.calendar("cn-business", ZoneId.of("UTC"));
    assertEquals(SHANGHAI, cn.zone(), "the calendar's own zone wins over the customer's");
    assertTrue(cn.holidays().contains(java.time.LocalDate.parse("2026-10-01")));
    assertTrue(cn.workdays().contains(java.time.LocalDate.parse("2026-10-10")));
    // Fri 2026-09-30 … National Day: 8 h of a P3 response from Sep 30 17:00 lands on Oct 8.
    Instant sep30at17 = Instant.parse("2026-09-30T09:00:00Z");
    Instant due = SlaClock.due(sep30at17, Duration.ofHours(8), cn, List.of());
    assertEquals(Instant.parse("2026-10-08T09:00:00Z"), due, "1 h on Sep 30, none Oct 1–7, 7 h on Oct 8 (with lunch) → 17:00 local");
    assertEquals("cn-business", p.terms("cn-5x8", Severity.P3).calendar());
  }
}
