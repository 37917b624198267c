package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class OnCallConfigTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  static Map<?, ?> yaml(String text) {
    return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(text);
  }

  static OnCallConfig parse(String text) {
    return OnCallConfig.parse(yaml(text), "rules.yaml", SHANGHAI);
  }

  static List<String> problems(String text) {
    return assertThrows(RuleFileException.class, () -> parse(text)).problems();
  }

  static final String GOOD = """
      rules: []            # not ours: ignored
      receivers: [{name: sms}]
      people:
        - {id: zhang, name: 张伟, phone: "+86 138 0013 8000", receiver: sms, email: zhang@example.com}
        - {id: li, name: 李娜, receiver: sms}
        - {id: wang, name: 王强}
      schedules:
        - name: primary
          layers:
            - people: [zhang, li]
              rotation: weekly
              handoff_day: mon
              start: 2026-01-05
            - name: nights
              people: [wang]
              rotation: daily
              handoff: "18:00"
              start: 2026-01-05T18:00
              restrict:
                - {days: [monday:friday], start: "18:00", end: "09:00"}
          overrides:
            - {person: wang, from: 2026-02-16T09:00, to: "2026-02-17T01:00:00Z", note: 春节}
      escalations:
        - name: acme-p1
          severities: [P1]
          customers: [acme]
          steps: [{person: wang}]
        - name: p1-p2
          severities: [P1, P2]
          steps:
            - {schedule: primary, wait: 5m}
            - {person: li, wait: 10m}
            - {receiver: noc-room}
          repeat: 2
        - name: default
          steps: [{receiver: noc-room}]
      """;

  @Test
  void parsesPeopleSchedulesAndEscalationsAndIgnoresOtherKeys() {
    OnCallConfig c = parse(GOOD);
    assertEquals(List.of("zhang", "li", "wang"), List.copyOf(c.people().keySet()));
    Person zhang = c.person("zhang").orElseThrow();
    assertEquals(new Person("zhang", "张伟", "+86 138 0013 8000", "sms", "zhang@example.com"), zhang);
    Schedule primary = c.schedule("primary").orElseThrow();
    assertEquals(SHANGHAI, primary.zone());
    Rotation day = primary.layers().get(0);
    assertEquals(Rotation.Period.WEEKLY, day.period());
    assertEquals(DayOfWeek.MONDAY, day.handoffDay());
    assertEquals(LocalTime.of(9, 0), day.handoff());
    assertEquals(LocalDateTime.parse("2026-01-05T09:00"), day.start(), "a bare date starts at the handoff time");
    Rotation nights = primary.layers().get(1);
    assertEquals("nights", nights.name());
    assertEquals(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), nights.restrict().get(0).days());
    ScheduleOverride festival = primary.overrides().get(0);
    assertEquals(Instant.parse("2026-02-16T01:00:00Z"), festival.from(), "local date-time in the schedule's zone");
    assertEquals(Instant.parse("2026-02-17T01:00:00Z"), festival.to());
    EscalationChain p1p2 = c.escalation("p1-p2").orElseThrow();
    assertEquals(2, p1p2.repeat());
    assertEquals(EscalationTarget.onCall("primary"), p1p2.steps().get(0).target());
    assertEquals(Duration.ofMinutes(5), p1p2.steps().get(0).waitAfter());
    assertEquals(Set.of("noc-room", "sms"), c.receiverNames());
  }

  @Test
  void rootWithoutOnCallKeysIsEmpty() {
    assertEquals(OnCallConfig.empty(), parse("rules: []\n"));
    assertEquals(OnCallConfig.empty(), OnCallConfig.parse(null, "rules.yaml", SHANGHAI));
  }

  @Test
  void toMapParsesBackToTheSameConfig() {
    OnCallConfig c = parse(GOOD);
    assertEquals(c, OnCallConfig.parse(c.toMap(), "again", SHANGHAI));
    // And through YAML text, as a server that writes the config back would.
    String dumped = new org.snakeyaml.engine.v2.api.Dump(org.snakeyaml.engine.v2.api.DumpSettings.builder().build()).dumpToString(c.toMap());
    assertEquals(c, OnCallConfig.parse(yaml(dumped), "dumped", ZoneId.of("UTC")));
  }

  @Test
  void badTimeIsReportedWithItsFullPath() {
    List<String> p = problems("""
        people: [{id: a}]
        schedules:
          - name: s
            layers:
              - {people: [a], rotation: daily, start: 2026-01-05}
              - {people: [a], rotation: daily, handoff: "25:00", start: 2026-01-05}
        """);
    assertEquals(List.of("rules.yaml: schedules[0].layers[1].handoff: '25:00' is not a time (write HH:MM, e.g. 09:00)"), p);
  }

  @Test
  void everyProblemIsCollectedAtOnce() {
    List<String> p = problems("""
        people:
          - {name: nobody}
          - {id: a, phone: call me}
        schedules:
          - name: s
            zone: Mars/Olympus
            colour: red
            layers:
              - {people: [], rotation: daily, start: 2026-01-05}
              - {people: [a], rotation: fortnightly}
              - {people: [a], rotation: 12h, handoff: "08:00", start: 2026-01-05T08:00}
              - {people: [a], rotation: daily, start: 2026-01-05, restrict: [{days: [monday:someday], start: "18:00"}]}
        escalations:
          - name: e
            severities: [P9]
            steps:
              - {schedule: s, person: a}
              - {person: a, wait: 5 minutes}
            repeat: -1
        """);
    assertEquals(List.of(
        "rules.yaml: people[0].id: missing",
        "rules.yaml: people[1].phone: 'call me' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')",
        "rules.yaml: schedules[0]: unknown key 'colour' (known: layers, name, overrides, zone)",
        "rules.yaml: schedules[0].zone: 'Mars/Olympus' is not a time zone (write a region id, e.g. Asia/Shanghai)",
        "rules.yaml: schedules[0].layers[0].people: a rotation needs at least one person",
        "rules.yaml: schedules[0].layers[1].rotation: 'fortnightly' is not daily, weekly or a duration like 12h",
        "rules.yaml: schedules[0].layers[1].start: missing (the local date-time of the first person's first shift, e.g. 2026-01-05T09:00)",
        "rules.yaml: schedules[0].layers[2]: handoff and handoff_day apply to daily and weekly rotations; rotation 12h hands off every 12h from its start",
        "rules.yaml: schedules[0].layers[3].restrict[0].days[0]: 'someday' is not a day of the week (monday … sunday, or mon … sun)",
        "rules.yaml: schedules[0].layers[3].restrict[0].end: missing",
        "rules.yaml: escalations[0].severities[0]: 'P9' is not one of P1, P2, P3, P4",
        "rules.yaml: escalations[0].steps[0]: needs exactly one of schedule, person, receiver, got schedule and person",
        "rules.yaml: escalations[0].steps[1].wait: bad duration '5 minutes': use e.g. 30s, 5m, 1h30m, 2d",
        "rules.yaml: escalations[0].repeat: -1 is not a whole number from 0 to 100"), p);
  }

  @Test
  void referencesToUnknownPeopleAndSchedulesAreRefused() {
    List<String> p = problems("""
        people: [{id: a}, {id: a}]
        schedules:
          - name: s
            layers: [{people: [a, ghost], rotation: daily, start: 2026-01-05}]
            overrides: [{person: phantom, from: 2026-01-06, to: 2026-01-07}]
        escalations:
          - name: e
            steps: [{schedule: nope, wait: 5m}, {person: nobody}]
        """);
    assertEquals(List.of(
        "rules.yaml: people[1].id: duplicate person 'a'",
        "rules.yaml: schedules[0].layers[0].people[1]: unknown person 'ghost'",
        "rules.yaml: schedules[0].overrides[0].person: unknown person 'phantom'",
        "rules.yaml: escalations[0].steps[0].schedule: unknown schedule 'nope'",
        "rules.yaml: escalations[0].steps[1].person: unknown person 'nobody'"), p);
  }

  @Test
  void overrideMustEndAfterItStartsAndRepeatNeedsAWait() {
    List<String> p = problems("""
        people: [{id: a}]
        schedules:
          - name: s
            layers: [{people: [a], rotation: daily, start: 2026-01-05}]
            overrides: [{person: a, from: 2026-01-07, to: 2026-01-06}]
        escalations:
          - {name: e, steps: [{person: a}], repeat: 3}
        """);
    assertEquals(List.of("rules.yaml: schedules[0].overrides[0].to: must be after 'from'",
        "rules.yaml: escalations[0].repeat: the steps never wait, so every round would fire at once: give the steps a wait"), p);
  }

  @Test
  void dayRangesMayWrapOverTheWeekEndAndTakeShortNames() {
    OnCallConfig c = parse("""
        people: [{id: a}]
        schedules:
          - name: s
            layers:
              - {people: [a], rotation: daily, start: 2026-01-05,
                 restrict: [{days: "fri:mon", start: "18:00", end: "24:00"}, {days: [wed], start: "00:00", end: "00:00"}]}
        """);
    List<RotationRestriction> r = c.schedule("s").orElseThrow().layers().get(0).restrict();
    assertEquals(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY), r.get(0).days());
    assertEquals(LocalTime.MIDNIGHT, r.get(0).end());
    assertEquals(Set.of(DayOfWeek.WEDNESDAY), r.get(1).days());
  }

  @Test
  void scheduleZoneDefaultsToTheGivenOneButMayBeSet() {
    OnCallConfig c = parse("""
        people: [{id: a}]
        schedules:
          - {name: here, layers: [{people: [a], rotation: daily, start: 2026-01-05}]}
          - {name: there, zone: Europe/Berlin, layers: [{people: [a], rotation: daily, start: 2026-01-05}]}
        """);
    assertEquals(SHANGHAI, c.schedule("here").orElseThrow().zone());
    assertEquals(ZoneId.of("Europe/Berlin"), c.schedule("there").orElseThrow().zone());
  }

  @Test
  void singleScheduleFromARestBodyNeedsAZoneAndRoundTrips() {
    Map<?, ?> body = yaml("{name: s, layers: [{people: [a, b], rotation: 8h, start: 2026-01-05T08:00}]}");
    RuleFileException e = assertThrows(RuleFileException.class, () -> Schedule.parse(body, "schedule"));
    assertEquals(List.of("schedule.zone: missing (e.g. Asia/Shanghai)"), e.problems());
    Schedule s = Schedule.parse(body, "schedule", SHANGHAI);
    assertEquals(Rotation.Period.every(Duration.ofHours(8)), s.layers().get(0).period());
    assertEquals(s, Schedule.parse(s.toMap(), "schedule"));
  }

  @Test
  void singleChainFromARestBodyRoundTrips() {
    EscalationChain c = parse(GOOD).escalation("p1-p2").orElseThrow();
    assertEquals(c, EscalationChain.parse(c.toMap(), "escalation"));
    RuleFileException e = assertThrows(RuleFileException.class, () -> EscalationChain.parse(Map.of("name", "x"), "escalation"));
    assertEquals(List.of("escalation.steps: an escalation needs at least one step"), e.problems());
  }

  @Test
  void chainForPicksTheFirstChainWhoseSelectorsMatch() {
    OnCallConfig c = parse(GOOD);
    assertEquals("acme-p1", c.chainFor(Labels.of("severity", "P1", "customer", "acme", "system", "erp")).orElseThrow().name());
    assertEquals("p1-p2", c.chainFor(Labels.of("severity", "P1", "customer", "globex")).orElseThrow().name());
    assertEquals("p1-p2", c.chainFor(Labels.of("severity", "p2", "customer", "acme")).orElseThrow().name());
    assertEquals("default", c.chainFor(Labels.of("severity", "P3", "customer", "acme")).orElseThrow().name());
    assertEquals("default", c.chainFor(Labels.EMPTY).orElseThrow().name());
  }

  @Test
  void chainForIsEmptyWhenNoChainMatches() {
    OnCallConfig c = parse("""
        people: [{id: a}]
        escalations:
          - {name: erp-p1, severities: [P1], systems: [erp], steps: [{person: a}]}
        """);
    assertTrue(c.chainFor(Labels.of("severity", "P1", "system", "crm")).isEmpty());
    assertTrue(c.chainFor(Labels.of("system", "erp")).isEmpty(), "a chain with severities needs a severity label");
    assertTrue(c.chainFor(Labels.of("severity", "P1", "system", "erp")).isPresent());
  }

  @Test
  void withScheduleReplacesByNameAndRefusesUnknownPeople() {
    OnCallConfig c = parse(GOOD);
    Schedule old = c.schedule("primary").orElseThrow();
    Schedule solo = new Schedule("primary", SHANGHAI, List.of(old.layers().get(0).withRestrict(List.of())), List.of());
    assertEquals(solo, c.withSchedule(solo).schedule("primary").orElseThrow());
    Schedule ghost = new Schedule("extra", SHANGHAI, List.of(Rotation.daily(List.of("ghost"), LocalTime.NOON, LocalDateTime.parse("2026-01-05T12:00"))), List.of());
    RuleFileException e = assertThrows(RuleFileException.class, () -> c.withSchedule(ghost));
    assertEquals(List.of("on-call: schedules[1].layers[0].people[0]: unknown person 'ghost'"), e.problems());
    EscalationChain bad = EscalationChain.of("x", List.of(new EscalationChain.Step(EscalationTarget.onCall("nope"), Duration.ZERO)), 0);
    assertThrows(RuleFileException.class, () -> c.withEscalation(bad));
  }

  @Test
  void resolverTurnsTargetsIntoPeopleAndReceivers() {
    OnCallConfig c = parse(GOOD);
    OnCallResolver r = new OnCallResolver(c);
    Instant tuesdayNoon = Instant.parse("2026-01-06T04:00:00Z");
    Instant tuesdayNight = Instant.parse("2026-01-06T12:00:00Z");
    Instant saturdayNight = Instant.parse("2026-01-10T12:00:00Z");
    EscalationTarget primary = EscalationTarget.onCall("primary");
    assertEquals(List.of(c.person("zhang").orElseThrow()), r.resolve(primary, tuesdayNoon));
    assertEquals(List.of("wang"), r.resolve(primary, tuesdayNight).stream().map(Person::id).toList());
    assertEquals(List.of(), r.receivers(primary, tuesdayNight), "wang has no receiver");
    assertEquals("zhang", r.resolve(primary, saturdayNight).get(0).id(), "no night layer at weekends");
    assertEquals(List.of("sms"), r.receivers(EscalationTarget.person("li"), tuesdayNoon));
    assertEquals(List.of(), r.resolve(EscalationTarget.receiver("noc-room"), tuesdayNoon));
    assertEquals(List.of("noc-room"), r.receivers(EscalationTarget.receiver("noc-room"), tuesdayNoon));
    assertEquals(List.of(), r.resolve(primary, Instant.parse("2025-12-01T00:00:00Z")), "before the rotation starts nobody is on call");
    assertEquals(Instant.parse("2026-01-06T10:00:00Z"),
        r.shift(new EscalationTarget.ScheduleTarget("primary"), tuesdayNight).orElseThrow().start());
  }

  @Test
  void personToStringHidesMostOfThePhone() {
    String s = new Person("zhang", "张伟", "+86 138 0013 8000", "sms", null).toString();
    assertFalse(s.contains("138 0013"), s);
    assertTrue(s.contains("8000"), s);
  }
}
