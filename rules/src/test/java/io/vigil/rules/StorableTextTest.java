package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StorableTextTest {
  @Test
  void ordinaryTextChineseAndEmojiAreStorable() {
    assertNull(StorableText.problem("erp on db1 is down"));
    assertNull(StorableText.problem("数据库宕机"));
    assertNull(StorableText.problem("\uD83D\uDE80 rocket")); // a surrogate pair
    assertNull(StorableText.problem(""));
    assertNull(StorableText.problem(null));
  }

  @Test
  void nulAndUnpairedSurrogatesAreRefusedWithTheReason() {
    assertTrue(StorableText.problem("a\u0000b").contains("NUL"));
    assertTrue(StorableText.problem("x\uD800").contains("unpaired surrogate at character 1"));
    assertTrue(StorableText.problem("\uDC00x").contains("unpaired surrogate at character 0"));
    assertTrue(StorableText.problem("\uD800\uD800\uDC00").contains("at character 0"));
  }

  @Test
  void theFirstProblemInAJsonTreeIsNamedByItsPath() {
    java.util.Map<String, Object> alert = new java.util.LinkedHashMap<>();
    alert.put("labels", java.util.Map.of("host", "db1"));
    alert.put("annotations", java.util.List.of("fine", "bad\u0000"));
    String[] bad = StorableText.firstProblem(alert);
    assertTrue(bad != null && bad[0].equals("annotations[1]") && bad[1].contains("NUL"), java.util.Arrays.toString(bad));
    assertTrue(StorableText.firstProblem(java.util.Map.of("k\uD800", 1))[1].startsWith("(the key)"));
    assertNull(StorableText.firstProblem(java.util.Map.of("a", java.util.List.of(1, "x", java.util.Map.of("b", "中文")))));
  }
}
