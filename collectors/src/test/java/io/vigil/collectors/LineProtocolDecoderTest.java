package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The line protocol reference, case by case, plus the mapping and the per-line errors. */
class LineProtocolDecoderTest {
  private static final long NOW = 1_763_805_600_000L;
  private final LineProtocolDecoder decoder = new LineProtocolDecoder(64, 2048, 100_000);

  private LineProtocolDecoder.Result decode(String body) {
    return decode(body, Precision.NANOSECONDS, Tenancy.OPEN);
  }

  private LineProtocolDecoder.Result decode(String body, Precision p, Tenancy t) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return decoder.decode(b, b.length, p, NOW, t);
  }

  private Sample only(String body) {
    LineProtocolDecoder.Result r = decode(body);
    assertEquals(List.of(), r.errors, "errors");
    assertEquals(1, r.samples.size(), "samples: " + r.samples);
    return r.samples.get(0);
  }

  private String reason(String line) {
    LineProtocolDecoder.Result r = decode(line);
    assertEquals(1, r.errors.size(), "expected one bad line for: " + line + " got samples " + r.samples);
    assertTrue(r.samples.isEmpty());
    return r.errors.get(0).reason();
  }

  @Test
  void fieldBecomesMeasurementUnderscoreFieldAndTagsBecomeLabels() {
    Sample s = only("cpu,host=db1,region=eu usage_idle=97.5 1763805600000000000");
    assertEquals("cpu_usage_idle", s.metric());
    assertEquals(Labels.of("host", "db1", "region", "eu"), s.labels());
    assertEquals(97.5, s.value());
    assertEquals(1_763_805_600_000L, s.timestampMillis());
  }

  @Test
  void everyNumericFieldOfALineIsOneSampleSharingLabelsAndTime() {
    LineProtocolDecoder.Result r = decode("disk,host=a used=10i,free=20u,ok=true 1000000000");
    assertEquals(List.of("disk_used", "disk_free", "disk_ok"), r.samples.stream().map(Sample::metric).toList());
    assertEquals(List.of(10.0, 20.0, 1.0), r.samples.stream().map(Sample::value).toList());
    assertTrue(r.samples.stream().allMatch(s -> s.timestampMillis() == 1000 && s.labels() == r.samples.get(0).labels()));
  }

  @Test
  void missingTimestampTakesTheRequestTime() {
    assertEquals(NOW, only("m v=1").timestampMillis());
    assertEquals(NOW, only("m v=1   ").timestampMillis());
  }

  @Test
  void floatsInEveryFormOfTheReference() {
    assertEquals(1.0, only("m v=1").value());
    assertEquals(-1.5, only("m v=-1.5").value());
    assertEquals(0.5, only("m v=.5").value());
    assertEquals(1.0, only("m v=1.").value());
    assertEquals(1e78, only("m v=1e+78").value());
    assertEquals(1.0e-9, only("m v=1.0e-9").value());
    assertEquals(-1.234456e+78, only("m v=-1.234456e+78").value());
    assertEquals(1e5, only("m v=1E5").value());
    assertEquals(0.1, only("m v=0.1").value());
    assertEquals(123456789.123456789, only("m v=123456789.123456789").value());
    assertEquals(12345678901234567890.5, only("m v=12345678901234567890.5").value());
    assertEquals(4.9e-324, only("m v=4.9e-324").value());
    assertEquals(Double.parseDouble("0.30000000000000004"), only("m v=0.30000000000000004").value());
  }

  @Test
  void integersAndUnsignedUpToTheirRanges() {
    assertEquals(-42.0, only("m v=-42i").value());
    assertEquals((double) Long.MAX_VALUE, only("m v=9223372036854775807i").value());
    assertEquals((double) Long.MIN_VALUE, only("m v=-9223372036854775808i").value());
    assertEquals("value out of range", reason("m v=9223372036854775808i"));
    assertEquals(18446744073709551615.0, only("m v=18446744073709551615u").value());
    assertEquals("value out of range", reason("m v=18446744073709551616u"));
    assertEquals("invalid number", reason("m v=-1u"));
    assertEquals("invalid number", reason("m v=1.5i"));
    assertEquals("invalid boolean", reason("m v=i"), "not a number start: read as a boolean, as InfluxDB");
  }

  @Test
  void booleansInAllTenSpellings() {
    for (String t : List.of("t", "T", "true", "True", "TRUE")) assertEquals(1.0, only("m v=" + t).value(), t);
    for (String f : List.of("f", "F", "false", "False", "FALSE")) assertEquals(0.0, only("m v=" + f).value(), f);
    assertEquals("invalid boolean", reason("m v=tRUE"));
    assertEquals("invalid boolean", reason("m v=tr"));
  }

  @Test
  void badNumbersAreRefusedWithInfluxWording() {
    for (String v : List.of("1e", "--1", "1.2.3", "1x", ".", "-")) {
      assertEquals("invalid number", reason("m v=" + v), v);
    }
    // InfluxDB reads what does not start like a number as a boolean
    for (String v : List.of("abc", "+1", "NaN", "x")) {
      assertEquals("invalid boolean", reason("m v=" + v), v);
    }
  }

  @Test
  void stringFieldsAreDroppedAndCountedNotStored() {
    LineProtocolDecoder.Result r = decode("svc,host=a state=\"running, fine\",up=1i");
    assertEquals(List.of("svc_up"), r.samples.stream().map(Sample::metric).toList());
    assertEquals(1, r.stringFields);
    assertEquals(List.of(), r.errors);
  }

  @Test
  void aNewlineInsideAStringFieldIsPartOfTheLineAndLaterLinesKeepTheirNumbers() {
    LineProtocolDecoder.Result r = decode("cpu,host=a v=1,note=\"two\nlines, \\\"quoted\\\"\" 1000000000\nmem free=3i\ncpu v=");
    assertEquals(List.of("cpu_v", "mem_free"), r.samples.stream().map(Sample::metric).toList());
    assertEquals(1000, r.samples.get(0).timestampMillis());
    assertEquals(1, r.stringFields);
    assertEquals(List.of(4), r.errors.stream().map(LineProtocolDecoder.LineError::line).toList(), "the bad line is the body's 4th");
    // a quote in a tag value is a character, not a string: the newline still ends the line
    assertEquals(List.of("q_v", "q_v"), decode("q,t=\"a v=1\nq,t=b\" v=2").samples.stream().map(Sample::metric).toList());
    // an unclosed quote runs to the end of the body, as in InfluxDB
    LineProtocolDecoder.Result open = decode("m s=\"abc\nm v=1");
    assertEquals(List.of(), open.samples);
    assertEquals("unbalanced quotes", open.errors.get(0).reason());
  }

  @Test
  void quotedStringsKeepEscapedQuotesAndBackslashesAndSpecialCharacters() {
    LineProtocolDecoder.Result r = decode("m s=\"a \\\"quoted\\\" \\\\ b, c=d e\",v=2");
    assertEquals(List.of(), r.errors);
    assertEquals(1, r.stringFields);
    assertEquals(2.0, r.samples.get(0).value());
  }

  @Test
  void unbalancedQuotesMakeTheLineBad() {
    assertEquals("unbalanced quotes", reason("m s=\"abc"));
    assertEquals("unbalanced quotes", reason("m s=\"abc\\\""));
    assertEquals("invalid field format", reason("m s=\"abc\"x"));
  }

  @Test
  void measurementEscapesCommaAndSpace() {
    Sample s = only("my\\ measure\\,ment,host=a v=1");
    assertEquals("my_measure_ment_v", s.metric());
  }

  @Test
  void tagKeysValuesAndFieldKeysEscapeCommaEqualsAndSpace() {
    Sample s = only("m,tag\\ key\\,x\\=y=val\\ ue\\,1\\=2 field\\ k\\=e\\,y=1");
    assertEquals("val ue,1=2", s.labels().get("tag_key_x_y"));
    assertEquals("m_field_k_e_y", s.metric());
  }

  @Test
  void doubleBackslashIsOneBackslashAndALoneBackslashIsLiteral() {
    assertEquals("C:\\dir", only("m,path=C:\\\\dir v=1").labels().get("path"));
    assertEquals("a\\b", only("m,path=a\\b v=1").labels().get("path"));
    assertEquals("a\\", only("m,path=a\\\\ v=1").labels().get("path"));
  }

  @Test
  void namesAreSanitisedToPrometheusCharsets() {
    Sample s = only("net.io-stats,if-name=eth0,9zone=a rx.bytes=1");
    assertEquals("net_io_stats_rx_bytes", s.metric());
    assertEquals(Labels.of("if_name", "eth0", "_9zone", "a"), s.labels());
    assertEquals("_5xx_count", only("5xx count=1").metric());
    assertEquals("température_v".replace('é', '_'), only("température v=1").metric());
    assertEquals("a:b_c", only("a:b c=1").metric(), "colons are allowed in metric names");
    assertEquals("b", only("m,a:b=b v=1").labels().get("a_b"), "but not in label names");
  }

  @Test
  void tagKeysThatSanitiseToTheSameLabelAreAnError() {
    String why = reason("m,a-b=1,a.b=2 v=1");
    assertTrue(why.contains("'a-b' and 'a.b' both map to label 'a_b'"), why);
    assertEquals("duplicate tags", reason("m,a=1,a=2 v=1"));
  }

  @Test
  void fieldKeysThatSanitiseToTheSameMetricAreAnErrorButARepeatedKeyLastWins() {
    String why = reason("m a-b=1,a.b=2");
    assertTrue(why.contains("both map to metric 'm_a_b'"), why);
    assertEquals(2.0, only("m v=1,v=2").value());
  }

  @Test
  void precisionsConvertToMilliseconds() {
    assertEquals(1_500L, decode("m v=1 1500000000", Precision.NANOSECONDS, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(1_500L, decode("m v=1 1500000", Precision.MICROSECONDS, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(1_500L, decode("m v=1 1500", Precision.MILLISECONDS, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(2_000L, decode("m v=1 2", Precision.SECONDS, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(120_000L, decode("m v=1 2", Precision.MINUTES, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(7_200_000L, decode("m v=1 2", Precision.HOURS, Tenancy.OPEN).samples.get(0).timestampMillis());
    assertEquals(-1L, decode("m v=1 -1", Precision.NANOSECONDS, Tenancy.OPEN).samples.get(0).timestampMillis(), "floored");
  }

  @Test
  void precisionParametersOfBothApis() {
    assertEquals(Precision.NANOSECONDS, Precision.v1(null));
    assertEquals(Precision.NANOSECONDS, Precision.v1("n"));
    assertEquals(Precision.MICROSECONDS, Precision.v1("u"));
    assertEquals(Precision.MICROSECONDS, Precision.v1("µ"));
    assertEquals(Precision.MICROSECONDS, Precision.v2("µs"));
    assertEquals(Precision.MINUTES, Precision.v1("m"));
    assertEquals(Precision.HOURS, Precision.v1("h"));
    assertThrows(IllegalArgumentException.class, () -> Precision.v2("h"));
    assertThrows(IllegalArgumentException.class, () -> Precision.v2("n"));
    assertThrows(IllegalArgumentException.class, () -> Precision.v1("x"));
  }

  @Test
  void badTimestampsAreRefused() {
    assertEquals("bad timestamp", reason("m v=1 12ab"));
    assertEquals("bad timestamp", reason("m v=1 1 2"));
    assertEquals("bad timestamp", reason("m v=1 99999999999999999999"));
    assertEquals("bad timestamp", reason("m v=1 -"));
    assertTrue(decode("m v=1 9223372036854775807", Precision.SECONDS, Tenancy.OPEN).errors.get(0).reason().startsWith("timestamp out of range"));
  }

  @Test
  void commentsBlankLinesAndCrlfAreHandled() {
    LineProtocolDecoder.Result r = decode("# a comment\r\n\r\n  \ncpu v=1\r\n   # indented comment\nmem v=2 1000000\r\n");
    assertEquals(List.of(), r.errors);
    assertEquals(List.of("cpu_v", "mem_v"), r.samples.stream().map(Sample::metric).toList());
    assertEquals(1L, r.samples.get(1).timestampMillis());
    assertEquals(2, r.lines);
  }

  @Test
  void structuralErrorsUseInfluxWording() {
    assertEquals("missing fields", reason("cpu"));
    assertEquals("missing fields", reason("cpu,host=a"));
    assertEquals("missing measurement", reason(",host=a v=1"));
    assertEquals("missing tag value", reason("cpu,host v=1"));
    assertEquals("missing tag value", reason("cpu,host= v=1"));
    assertEquals("missing tag key", reason("cpu,=a v=1"));
    assertEquals("missing field value", reason("cpu v="));
    assertEquals("invalid field format", reason("cpu v"));
    assertEquals("invalid field format", reason("cpu v w=1"));
    assertEquals("missing field value", reason("cpu v=,w=1"));
    assertEquals("missing field key", reason("cpu =1"));
    assertEquals("invalid field format", reason("cpu v=1,"));
  }

  @Test
  void badLinesAreReportedWithLineNumbersAndTheGoodOnesKept() {
    LineProtocolDecoder.Result r = decode("cpu,host=a v=1\ncpu,host=b v=\n# comment\nmem free=3i\ncpu v=1 abc\ncpu v=\"x\n");
    assertEquals(List.of("cpu_v", "mem_free"), r.samples.stream().map(Sample::metric).toList());
    assertEquals(3, r.badLines);
    assertEquals(List.of(2, 5, 6), r.errors.stream().map(LineProtocolDecoder.LineError::line).toList());
    assertEquals("line 2: unable to parse 'cpu,host=b v=': missing field value", r.errors.get(0).message());
    assertEquals(List.of("missing field value", "bad timestamp", "unbalanced quotes"),
        r.errors.stream().map(LineProtocolDecoder.LineError::reason).collect(Collectors.toList()));
  }

  @Test
  void tenancyStampsTheCustomerAndFlagsLinesClaimingAnother() {
    Tenancy acme = Tenancy.of("acme");
    LineProtocolDecoder.Result r = decode("cpu,host=a v=1\ncpu,host=b,customer=acme v=2\ncpu,host=c,customer=globex v=3", Precision.NANOSECONDS, acme);
    assertEquals("acme", r.samples.get(0).labels().get("customer"));
    assertEquals("acme", r.samples.get(1).labels().get("customer"));
    assertEquals(2, r.samples.size());
    assertNotNull(r.tenancyViolation());
    assertEquals(3, r.tenancyViolation().line());
    assertTrue(r.tenancyViolation().reason().contains("'globex'"));
    // the same series head decoded again without a bound customer is not stamped (the cache keys on the tenancy)
    LineProtocolDecoder.Result open = decode("cpu,host=a v=1");
    assertNull(open.samples.get(0).labels().get("customer"));
  }

  @Test
  void labelLimitsRefuseTheLineWithTheirKind() {
    LineProtocolDecoder small = new LineProtocolDecoder(2, 5, 100);
    byte[] b = "m,a=1,b=2,c=3 v=1\nm,a=123456 v=1\nm,a=1,b=2 v=1".getBytes(StandardCharsets.UTF_8);
    LineProtocolDecoder.Result r = small.decode(b, b.length, Precision.NANOSECONDS, NOW, Tenancy.OPEN);
    assertEquals(1, r.samples.size());
    assertEquals(LineProtocolDecoder.Kind.LABELS_PER_SERIES, r.errors.get(0).kind());
    assertEquals(LineProtocolDecoder.Kind.LABEL_VALUE_LENGTH, r.errors.get(1).kind());
    assertTrue(r.errors.get(1).reason().contains("at most 5"), r.errors.get(1).reason());
  }

  @Test
  void moreSamplesThanTheLimitRefusesTheRequestWith413() {
    LineProtocolDecoder small = new LineProtocolDecoder(64, 100, 3);
    byte[] b = "m a=1,b=2\nm c=3,d=4".getBytes(StandardCharsets.UTF_8);
    IngestException e = assertThrows(IngestException.class, () -> small.decode(b, b.length, Precision.NANOSECONDS, NOW, Tenancy.OPEN));
    assertEquals(413, e.status());
  }

  @Test
  void wideLinesKeepEveryFieldUnderTheUsualRules() {
    // Telegraf's nstat and kernel_vmstat send lines of over a hundred fields; they were refused past 64.
    StringBuilder w = new StringBuilder("nstat,host=a ");
    for (int i = 0; i < 200; i++) w.append(i == 0 ? "" : ",").append('f').append(i).append('=').append(i).append('i');
    String wide = w.toString();
    LineProtocolDecoder.Result r = decode(wide + " 1000");
    assertEquals(List.of(), r.errors);
    assertEquals(200, r.samples.size());
    assertEquals("nstat_f199", r.samples.get(199).metric());
    assertEquals(199.0, r.samples.get(199).value());
    LineProtocolDecoder.Result twice = decode(wide + ",f150=-1i 1000");
    assertEquals(200, twice.samples.size());
    assertEquals(-1.0, twice.samples.get(150).value(), "the same field twice: the last value wins");
    assertEquals("field keys 'x-1' and 'x_1' both map to metric 'nstat_x_1'", reason(wide + ",x-1=1,x_1=2"));
    LineProtocolDecoder.Result after = decode(wide + " 1\nnstat,host=a f0=1,f1=2 2");
    assertEquals(List.of(), after.errors, "a line after a wide one is judged on its own fields");
    assertEquals(202, after.samples.size());
  }

  @Test
  void cachedSeriesHeadsGiveTheSameResultAsFreshOnes() {
    String body = "cpu,host=a v=1,w=2 1000000\ncpu,host=a v=3,x=4 2000000\n";
    LineProtocolDecoder.Result first = decode(body);
    LineProtocolDecoder.Result again = decode(body);
    assertEquals(first.samples, again.samples);
    assertEquals(List.of("cpu_v", "cpu_w", "cpu_v", "cpu_x"), again.samples.stream().map(Sample::metric).toList());
  }

  @Test
  void cacheOverflowClearsAndKeepsDecodingCorrectly() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < LineProtocolDecoder.CACHE_ENTRIES + 100; i++) b.append("m,h=").append(i).append(" v=").append(i).append('\n');
    LineProtocolDecoder.Result r = decode(b.toString());
    assertEquals(LineProtocolDecoder.CACHE_ENTRIES + 100, r.samples.size());
    for (int i = 0; i < r.samples.size(); i++) assertEquals(Integer.toString(i), r.samples.get(i).labels().get("h"));
  }

  @Test
  void unicodeTagValuesSurviveAsUtf8() {
    assertEquals("上海-机房", only("m,dc=上海-机房 v=1").labels().get("dc"));
  }

  @Test
  void nulInATagValueIsRefused() {
    assertTrue(reason("m,a=x\u0000y v=1").contains("NUL"));
  }
}
