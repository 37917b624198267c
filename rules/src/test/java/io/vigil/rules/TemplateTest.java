package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TemplateTest {
  @Test
  void rendersLabelsAndValueWithOrWithoutSpaces() {
    Template t = Template.compile("{{$labels.host}} at {{ $value }}% ({{ $labels.missing }})");
    assertEquals("db1 at 97.5% ()", t.render(Labels.of("host", "db1"), 97.5));
  }

  @Test
  void formatsIntegersWithoutDecimalsAndTrimsLongFractions() {
    assertEquals("90", Template.formatValue(90.0));
    assertEquals("0.3333", Template.formatValue(1.0 / 3));
    assertEquals("NaN", Template.formatValue(Double.NaN));
  }

  @Test
  void rejectsUnclosedAndUnknownPlaceholders() {
    assertThrows(IllegalArgumentException.class, () -> Template.compile("{{ $value"));
    assertThrows(IllegalArgumentException.class, () -> Template.compile("{{ .Value }}"));
  }

  @Test
  void valueHelpersWorkPipedAndCalledAsInPrometheus() {
    assertEquals("1.5k req/s", Template.compile("{{ $value | humanize }} req/s").render(Labels.EMPTY, 1500));
    assertEquals("1.5k", Template.compile("{{ humanize $value }}").render(Labels.EMPTY, 1500));
    assertEquals("2.346M", Template.compile("{{ $value | humanize }}").render(Labels.EMPTY, 2_345_678));
    assertEquals("250m", Template.compile("{{ $value | humanize }}").render(Labels.EMPTY, 0.25));
    assertEquals("1Ki", Template.compile("{{ $value | humanize1024 }}").render(Labels.EMPTY, 1024));
    assertEquals("95.3%", Template.compile("{{ $value | humanizePercentage }}").render(Labels.EMPTY, 0.953));
    assertEquals("1h 1m 5s", Template.compile("{{ $value | humanizeDuration }}").render(Labels.EMPTY, 3665));
    assertEquals("0s", Template.compile("{{ $value | humanizeDuration }}").render(Labels.EMPTY, 0));
    assertEquals("250ms", Template.compile("{{ $value | humanizeDuration }}").render(Labels.EMPTY, 0.25));
    assertEquals("1d", Template.compile("{{ humanizeDuration $value }}").render(Labels.EMPTY, 86_400));
  }

  @Test
  void unknownHelperIsRejectedNamingTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Template.compile("{{ $value | humanise }}"));
    assertTrue(e.getMessage().contains("unknown helper 'humanise'"), e.getMessage());
    assertTrue(e.getMessage().contains("humanizePercentage"), e.getMessage());
  }
}
