package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonErrorsTest {
  @Test
  void parserInternalsAreCutAndTheLocationLeads() {
    assertEquals("malformed JSON at line 1, column 30: Unexpected end-of-input: expected close marker for Array",
        JsonErrors.malformed(1, 30, "Unexpected end-of-input: expected close marker for Array (start marker at [Source: REDACTED "
            + "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"));
    assertEquals("malformed JSON at line 2, column 25: Non-standard token 'NaN'",
        JsonErrors.malformed(2, 25, "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"));
    assertEquals("malformed JSON at line 1, column 12: Unexpected end-of-input within/between Object entries",
        JsonErrors.malformed(1, 12, "Unexpected end-of-input within/between Object entries"));
  }
}
