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
}
