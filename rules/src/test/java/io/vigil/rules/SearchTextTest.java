package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SearchTextTest {
  @Test
  void chineseRunsBecomeOverlappingBigrams() {
    assertEquals("数据 据库 库连 连接", SearchText.tokens("数据库连接"));
  }

  @Test
  void latinWordsAreLowerCasedAndPunctuationSplits() {
    assertEquals("replaced the psu on db1", SearchText.tokens("Replaced the PSU, on db1!"));
  }

  @Test
  void mixedTextKeepsBothAndDropsDuplicates() {
    assertEquals("oracle 连接 接池 池满 满了", SearchText.tokens("Oracle连接池满了，oracle"));
  }

  @Test
  void aSingleHanCharacterStaysItself() {
    assertEquals("慢 disk", SearchText.tokens("慢 disk"));
  }

  @Test
  void nothingGivesNothing() {
    assertEquals("", SearchText.tokens(null));
    assertEquals("", SearchText.tokens("  ,.;  "));
  }
}
