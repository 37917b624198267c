package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignatureTest {
  static final Instant AT = Instant.ofEpochSecond(1765000000L);
  static final Duration TOL = Duration.ofMinutes(5);
  /** python3 -c 'import hmac,hashlib;print(hmac.new(b"k",b"1765000000.{}",hashlib.sha256).hexdigest())' */
  static final String KNOWN = "cdbaa8358baabdc130b0b9eb4282d77d2012fc078f8cc81e1ca7e7f9765e55da";
  /** The same in python3 with key "密钥" and body {"msg":"告警"}, both UTF-8. */
  static final String KNOWN_UTF8 = "73ba128c7dc627dde6a260d95c26470a986262544bddd780bb6f4f2ab2f15596";

  @Test
  void signMatchesAnIndependentlyComputedHmac() {
    assertEquals(KNOWN, Signature.sign("k", 1765000000L, "{}"));
  }

  @Test
  void signUsesUtf8ForSecretAndBody() {
    assertEquals(KNOWN_UTF8, Signature.sign("密钥", 1765000000L, "{\"msg\":\"告警\"}"));
  }

  @Test
  void headerIsTimestampCommaV1Hex() {
    assertEquals("t=1765000000,v1=" + KNOWN, Signature.header("k", AT, "{}"));
    assertEquals("t=1765000000,v1=" + KNOWN, Signature.header("k", AT.plusMillis(999), "{}"), "whole seconds");
    assertEquals("X-Vigil-Signature", Signature.HEADER);
  }

  @Test
  void verifyAcceptsItsOwnHeaderWithinTolerance() {
    String h = Signature.header("k", AT, "{}");
    assertTrue(Signature.verify("k", h, "{}", AT, TOL));
    assertTrue(Signature.verify("k", h, "{}", AT.plus(TOL), TOL));
    assertTrue(Signature.verify("k", h, "{}", AT.minus(TOL), TOL));
  }

  @Test
  void verifyRejectsTamperedBodyWrongSecretAndTamperedTimestamp() {
    String h = Signature.header("k", AT, "{\"a\":1}");
    assertFalse(Signature.verify("k", h, "{\"a\":2}", AT, TOL), "tampered body");
    assertFalse(Signature.verify("k2", h, "{\"a\":1}", AT, TOL), "wrong secret");
    String shifted = h.replace("t=1765000000", "t=1765000001");
    assertFalse(Signature.verify("k", shifted, "{\"a\":1}", AT, TOL), "the timestamp is signed too");
  }

  @Test
  void verifyRejectsReplaysOutsideTheTolerance() {
    String h = Signature.header("k", AT, "{}");
    assertFalse(Signature.verify("k", h, "{}", AT.plus(TOL).plusSeconds(1), TOL));
    assertFalse(Signature.verify("k", h, "{}", AT.minus(TOL).minusSeconds(1), TOL));
  }

  @Test
  void verifyAllowsSeveralV1EntriesForSecretRotation() {
    String h = "t=1765000000,v1=" + "0".repeat(64) + ",v1=" + KNOWN.toUpperCase();
    assertTrue(Signature.verify("k", h, "{}", AT, TOL));
  }

  @Test
  void malformedHeadersAreFalseNotExceptions() {
    for (String h : new String[] {null, "", "garbage", "t=abc,v1=" + KNOWN, "v1=" + KNOWN, "t=1765000000", "t=99999999999999999999,v1=x",
        "t=" + Long.MIN_VALUE + ",v1=" + KNOWN}) {
      assertFalse(Signature.verify("k", h, "{}", AT, TOL), String.valueOf(h));
    }
    assertFalse(Signature.verify(null, "t=1765000000,v1=" + KNOWN, "{}", AT, TOL));
  }
}
