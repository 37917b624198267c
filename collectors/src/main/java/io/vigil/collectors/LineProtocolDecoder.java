package io.vigil.collectors;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decodes InfluxDB line protocol
 * ({@code measurement[,tag=value…] field=value[,field=value…] [timestamp]}, one point a line) into
 * Vigil samples, following the InfluxDB line protocol reference:
 *
 * <ul>
 *   <li><b>Escapes.</b> Measurement: {@code \,} and {@code \ }. Tag keys, tag values, field keys:
 *       {@code \,} {@code \=} {@code \ }. String field values: {@code \"}. Everywhere {@code \\} is
 *       one backslash; a backslash before any other character is a literal backslash.</li>
 *   <li><b>Field values.</b> Floats ({@code 1}, {@code -1.5}, {@code .5}, {@code 1.}, {@code 1e5},
 *       {@code -1.2E-3}), integers {@code 12i}, unsigned {@code 12u}, booleans
 *       {@code t T true True TRUE f F false False FALSE}, and double-quoted strings.</li>
 *   <li><b>Timestamp</b> optional (then: the request's time), an integer in the request's
 *       {@link Precision}. Lines: {@code \n} or {@code \r\n}; blank lines and lines starting with
 *       {@code #} are skipped. A newline always ends a line (the reference does not allow one in
 *       tag or field values).</li>
 * </ul>
 *
 * <p><b>Mapping.</b> Each numeric or boolean field becomes one sample of metric
 * {@code <measurement>_<field key>} (booleans as 1/0, integers and unsigned as doubles); the tags
 * become its labels. Names are made to fit Prometheus' charsets: every character of a metric name
 * outside {@code [a-zA-Z0-9_:]} and of a label name outside {@code [a-zA-Z0-9_]} becomes {@code _},
 * and a name starting with a digit gets a leading {@code _}. Two tag keys of one line that map to
 * the same label name, or two field keys to the same metric, make the line bad (merging them would
 * lose a value silently). A repeated field key: the last value wins, as in InfluxDB. String fields
 * are dropped and counted ({@link Result#stringFields}): as labels they would make every new string
 * a new series (unbounded cardinality), and a sample value must be a number.
 *
 * <p><b>Errors</b> are per line (partial write): a bad line yields no sample and a {@link LineError}
 * with its 1-based line number and InfluxDB's wording of the reason; the other lines still decode.
 * A line claiming another customer than the token's is a {@link LineError#tenancy} error (the
 * handler refuses the whole request). More samples than the limit throws {@link IngestException} 413.
 *
 * <p><b>Speed.</b> Works on the raw bytes, no regex, no per-line String. The series part of a line
 * ({@code measurement,tags}) is looked up in a bounded cache keyed by its bytes, so a known series
 * costs one hash of its bytes and no label parsing; field-key → metric-name mappings are cached per
 * series. Not thread-safe: one decoder per thread (the handler keeps one per event loop).
 */
public final class LineProtocolDecoder {
  /** Cached series heads; past this the cache is cleared (steady fleets fit; churn just re-parses). */
  static final int CACHE_ENTRIES = 16_384;
  /** Bad lines listed in an answer; the rest are only counted. */
  public static final int MAX_LISTED_ERRORS = 100;
  private static final int MAX_LINE_TEXT = 200;
  private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

  private final int maxLabels;
  private final int maxLabelValueChars;
  private final int maxSamples;
  private Head[] table = new Head[CACHE_ENTRIES * 2];
  private int cached;

  /** One bad line. {@code kind}: what kind of refusal (syntax, a limit, tenancy). */
  public record LineError(int line, String text, String reason, Kind kind) {
    public boolean tenancy() {
      return kind == Kind.TENANCY;
    }

    /** InfluxDB's phrasing, with the line number in front: {@code line 2: unable to parse '…': reason}. */
    public String message() {
      return "line " + line + ": unable to parse '" + text + "': " + reason;
    }
  }

  public enum Kind { SYNTAX, LABELS_PER_SERIES, LABEL_VALUE_LENGTH, TENANCY }

  /** What a body decoded to: good samples, bad lines (first {@link #MAX_LISTED_ERRORS}), counts. */
  public static final class Result {
    public final List<Sample> samples = new ArrayList<>();
    public final List<LineError> errors = new ArrayList<>();
    public int badLines;
    /** Bad lines by {@link Kind} (ordinal), all of them, listed or not. */
    public final int[] byKind = new int[Kind.values().length];
    public int lines;
    public int stringFields;
    LineError firstTenancy;

    public LineError tenancyViolation() {
      return firstTenancy;
    }
  }

  public LineProtocolDecoder(int maxLabels, int maxLabelValueChars, int maxSamples) {
    this.maxLabels = maxLabels;
    this.maxLabelValueChars = maxLabelValueChars;
    this.maxSamples = maxSamples;
  }

  /**
   * Decodes {@code buf[0, len)}. Points without a timestamp get {@code nowMillis}. Samples get the
   * bound customer of {@code tenancy} when they carry none.
   */
  public Result decode(byte[] buf, int len, Precision precision, long nowMillis, Tenancy tenancy) {
    Result out = new Result();
    Line line = new Line(buf, precision, nowMillis, tenancy, out);
    int pos = 0;
    int lineNo = 0;
    while (pos < len) {
      int nl = pos;
      boolean quote = false;
      for (byte c; nl < len && (c = buf[nl]) != '\n'; nl++) {
        if (c == '"') quote = true;
      }
      lineNo++;
      int first = lineNo;
      if (quote && buf[pos] != '#') {
        // rare: a string field, which may hold newlines (InfluxDB reads them as part of the line)
        nl = lineEnd(buf, pos, len);
        for (int i = pos; i < nl; i++) if (buf[i] == '\n') lineNo++;
      }
      int end = nl;
      // CR of CRLF; an unclosed quote's line may also end with the body's last newlines
      while (end > pos && (buf[end - 1] == '\r' || buf[end - 1] == '\n')) end--;
      line.parse(pos, end, first);
      pos = nl + 1;
    }
    return out;
  }

  /**
   * Where the line starting at {@code pos} ends, as InfluxDB's scanner finds it: past the first
   * space (the fields), a {@code "} that starts a field value opens a quoted string, and a newline
   * inside it does not end the line. An unclosed quote runs to the end of the body, as in InfluxDB.
   */
  static int lineEnd(byte[] b, int pos, int len) {
    boolean fields = false;
    boolean quoted = false;
    int equals = 0;
    int commas = 0;
    int i = pos;
    while (i < len) {
      byte c = b[i];
      if (c == '\\' && i + 1 < len && (quoted || b[i + 1] != '\n')) {
        i += 2;
        continue;
      }
      if (c == ' ') fields = true;
      if (fields) {
        if (!quoted && c == '=') equals++;
        else if (!quoted && c == ',') commas++;
        else if (c == '"' && (quoted || equals > commas)) quoted = !quoted;
      }
      if (c == '\n' && !quoted) break;
      i++;
    }
    return i;
  }

  /** The series part of a line, parsed once and cached by its bytes. */
  private static final class Head {
    final byte[] key;
    final int hash;
    final String measurement; // sanitised, used as the metric prefix
    final Labels labels;      // sanitised tag keys, as sent (no tenancy)
    final String claimed;     // the customer tag, or null
    final String error;       // the head is bad: reason
    final Kind errorKind;
    String stampedFor;        // memo of the last tenancy applied (its customer; null: open)
    Labels stamped;
    byte[][] fieldKeys = new byte[4][];
    String[] metrics = new String[4];
    int fields;

    Head(byte[] key, int hash, String measurement, Labels labels, String claimed, String error, Kind errorKind) {
      this.key = key;
      this.hash = hash;
      this.measurement = measurement;
      this.labels = labels;
      this.claimed = claimed;
      this.error = error;
      this.errorKind = errorKind;
    }

    String metric(byte[] buf, int from, int to) {
      int n = to - from;
      for (int i = 0; i < fields; i++) {
        byte[] k = fieldKeys[i];
        if (k.length == n && Arrays.equals(k, 0, n, buf, from, to)) return metrics[i];
      }
      return null;
    }

    void remember(byte[] buf, int from, int to, String metric) {
      if (fields == fieldKeys.length) {
        if (fields >= 64) return; // a measurement with very many fields: do not grow without end
        fieldKeys = Arrays.copyOf(fieldKeys, fields * 2);
        metrics = Arrays.copyOf(metrics, fields * 2);
      }
      fieldKeys[fields] = Arrays.copyOfRange(buf, from, to);
      metrics[fields++] = metric;
    }
  }

  /** Thrown inside a line to abandon it; no stack trace (cheap). */
  private static final class Bad extends Exception {
    final Kind kind;

    Bad(String reason, Kind kind) {
      super(reason, null, false, false);
      this.kind = kind;
    }

    Bad(String reason) {
      this(reason, Kind.SYNTAX);
    }
  }

  /** Per-decode state for parsing lines; fields reused across lines to avoid allocation. */
  private final class Line {
    final byte[] b;
    final Precision precision;
    final long now;
    final Tenancy tenancy;
    final Result out;
    // samples of the current line, committed only if the whole line is good; grown for wide lines
    // (Telegraf's nstat or kernel_vmstat send over a hundred fields), bounded by the samples limit
    String[] lineMetrics = new String[64];
    double[] lineValues = new double[64];
    int[] lineKeyFrom = new int[64];
    int[] lineKeyTo = new int[64];
    int n;
    /** metric → index among the line's fields, for lines wider than {@link #SCAN}: keeps a wide line linear. */
    final java.util.HashMap<String, Integer> wide = new java.util.HashMap<>();
    static final int SCAN = 32;

    Line(byte[] b, Precision precision, long now, Tenancy tenancy, Result out) {
      this.b = b;
      this.precision = precision;
      this.now = now;
      this.tenancy = tenancy;
      this.out = out;
    }

    void parse(int start, int end, int lineNo) {
      int p = start;
      while (p < end && (b[p] == ' ' || b[p] == '\t')) p++;
      if (p == end || b[p] == '#') return;
      out.lines++;
      try {
        parseLine(p, end);
      } catch (Bad e) {
        out.badLines++;
        out.byKind[e.kind.ordinal()]++;
        LineError err = new LineError(lineNo, text(start, end), e.getMessage(), e.kind);
        if (e.kind == Kind.TENANCY && out.firstTenancy == null) out.firstTenancy = err;
        if (out.errors.size() < MAX_LISTED_ERRORS) out.errors.add(err);
      }
    }

    private String text(int start, int end) {
      String s = new String(b, start, end - start, StandardCharsets.UTF_8);
      return s.length() <= MAX_LINE_TEXT ? s : s.substring(0, MAX_LINE_TEXT) + "…";
    }

    private void parseLine(int p, int end) throws Bad {
      // Head: up to the first unescaped space.
      int h = p;
      while (h < end && b[h] != ' ') h += b[h] == '\\' && h + 1 < end ? 2 : 1;
      if (h > end) h = end;
      if (h == p || b[p] == ',') throw new Bad("missing measurement");
      Head head = head(p, h);
      if (head.error != null) throw new Bad(head.error, head.errorKind);
      Labels labels;
      if (head.stamped != null && java.util.Objects.equals(head.stampedFor, tenancy.customer())) {
        labels = head.stamped;
      } else {
        String why = tenancy.conflict(head.claimed);
        if (why != null) throw new Bad(why, Kind.TENANCY);
        labels = tenancy.stamp(head.labels);
        head.stampedFor = tenancy.customer();
        head.stamped = labels;
      }
      int q = h;
      while (q < end && b[q] == ' ') q++;
      if (q == end) throw new Bad("missing fields");
      if (n > SCAN) wide.clear();
      n = 0;
      // Fields.
      while (true) {
        int k = q;
        while (k < end && b[k] != '=') {
          byte c = b[k];
          if (c == '\\' && k + 1 < end) {
            k += 2;
            continue;
          }
          if (c == ' ' || c == ',') throw new Bad("invalid field format");
          k++;
        }
        if (k == q) throw new Bad("missing field key");
        if (k >= end) throw new Bad("invalid field format");
        String metric = head.metric(b, q, k);
        if (metric == null) {
          metric = sanitizeMetric(head.measurement + "_" + unescape(q, k, true));
          head.remember(b, q, k, metric);
        }
        int v = k + 1;
        if (v >= end || b[v] == ' ' || b[v] == ',') throw new Bad("missing field value");
        int ve;
        byte c = b[v];
        if (c == '"') {
          ve = v + 1;
          while (ve < end && b[ve] != '"') ve += b[ve] == '\\' && ve + 1 < end ? 2 : 1;
          if (ve >= end) throw new Bad("unbalanced quotes");
          ve++;
          if (ve < end && b[ve] != ',' && b[ve] != ' ') throw new Bad("invalid field format");
          out.stringFields++;
        } else {
          ve = v;
          while (ve < end && b[ve] != ',' && b[ve] != ' ') ve++;
          add(metric, value(v, ve), q, k);
        }
        if (ve == end) {
          commit(labels, now);
          return;
        }
        if (b[ve] == ',') {
          q = ve + 1;
          if (q == end || b[q] == ' ') throw new Bad("invalid field format");
          continue;
        }
        // A space: the timestamp follows (or only trailing spaces).
        int t = ve;
        while (t < end && b[t] == ' ') t++;
        if (t == end) {
          commit(labels, now);
          return;
        }
        int te = end;
        while (te > t && b[te - 1] == ' ') te--;
        commit(labels, timestamp(t, te));
        return;
      }
    }

    private void add(String metric, double value, int keyFrom, int keyTo) throws Bad {
      int same = -1;
      if (n <= SCAN) {
        for (int i = 0; i < n; i++) {
          if (lineMetrics[i].equals(metric)) {
            same = i;
            break;
          }
        }
      } else {
        Integer i = wide.get(metric);
        if (i != null) same = i;
      }
      if (same >= 0) {
        if (Arrays.equals(b, lineKeyFrom[same], lineKeyTo[same], b, keyFrom, keyTo)) {
          lineValues[same] = value; // the same field again: the last value wins, as in InfluxDB
          return;
        }
        throw new Bad("field keys '" + new String(b, lineKeyFrom[same], lineKeyTo[same] - lineKeyFrom[same], StandardCharsets.UTF_8)
            + "' and '" + new String(b, keyFrom, keyTo - keyFrom, StandardCharsets.UTF_8) + "' both map to metric '" + metric + "'");
      }
      if (out.samples.size() + n >= maxSamples) {
        throw new IngestException(413, "more than " + maxSamples + " samples (numeric field values) in one request; split the batch",
            -1, null);
      }
      if (n == lineMetrics.length) {
        int grown = n * 2;
        lineMetrics = Arrays.copyOf(lineMetrics, grown);
        lineValues = Arrays.copyOf(lineValues, grown);
        lineKeyFrom = Arrays.copyOf(lineKeyFrom, grown);
        lineKeyTo = Arrays.copyOf(lineKeyTo, grown);
      }
      if (n == SCAN) for (int i = 0; i < n; i++) wide.put(lineMetrics[i], i);
      if (n >= SCAN) wide.put(metric, n);
      lineMetrics[n] = metric;
      lineKeyFrom[n] = keyFrom;
      lineKeyTo[n] = keyTo;
      lineValues[n++] = value;
    }

    private void commit(Labels labels, long ts) throws Bad {
      if (out.samples.size() + n > maxSamples) {
        throw new IngestException(413, "more than " + maxSamples + " samples (numeric field values) in one request; split the batch",
            -1, null);
      }
      for (int i = 0; i < n; i++) out.samples.add(new Sample(lineMetrics[i], labels, lineValues[i], ts));
    }

    private long timestamp(int from, int to) throws Bad {
      int i = from;
      boolean neg = b[i] == '-';
      if (neg) i++;
      if (i == to) throw new Bad("bad timestamp");
      long t = 0;
      for (; i < to; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) throw new Bad("bad timestamp");
        if (t > (Long.MAX_VALUE - d) / 10) throw new Bad("bad timestamp");
        t = t * 10 + d;
      }
      if (neg) t = -t;
      long ms;
      try {
        ms = precision.toMillis(t);
      } catch (ArithmeticException e) {
        throw new Bad("timestamp out of range");
      }
      if (ms < JsonSamplesDecoder.MIN_TS || ms > JsonSamplesDecoder.MAX_TS) throw new Bad("timestamp out of range (years 0001–9999)");
      return ms;
    }

    private double value(int from, int to) throws Bad {
      byte c = b[from];
      byte last = b[to - 1];
      // As InfluxDB: what does not start like a number is read as a boolean (so "abc" is an invalid boolean).
      if (!((c >= '0' && c <= '9') || c == '-' || c == '.')) return bool(from, to);
      if (last == 'i') return integer(from, to - 1);
      if (last == 'u') return unsigned(from, to - 1);
      return number(from, to);
    }

    private double bool(int from, int to) throws Bad {
      if (to - from == 1) {
        if (b[from] == 't' || b[from] == 'T') return 1;
        if (b[from] == 'f' || b[from] == 'F') return 0;
      }
      if (is(from, to, "true") || is(from, to, "True") || is(from, to, "TRUE")) return 1;
      if (is(from, to, "false") || is(from, to, "False") || is(from, to, "FALSE")) return 0;
      throw new Bad("invalid boolean");
    }

    private boolean is(int from, int to, String word) {
      if (to - from != word.length()) return false;
      for (int i = 0; i < word.length(); i++) if (b[from + i] != word.charAt(i)) return false;
      return true;
    }

    private double integer(int from, int to) throws Bad {
      int i = from;
      boolean neg = i < to && b[i] == '-';
      if (neg) i++;
      if (i == to) throw new Bad("invalid number");
      long v = 0;
      for (; i < to; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) throw new Bad("invalid number");
        // accumulate negatively so Long.MIN_VALUE fits
        if (v < (Long.MIN_VALUE + d) / 10) throw new Bad("value out of range");
        v = v * 10 - d;
      }
      if (!neg) {
        if (v == Long.MIN_VALUE) throw new Bad("value out of range");
        v = -v;
      }
      return v;
    }

    private double unsigned(int from, int to) throws Bad {
      if (from == to) throw new Bad("invalid number");
      long v = 0;
      for (int i = from; i < to; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 9) throw new Bad("invalid number");
        if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) throw new Bad("value out of range");
        v = v * 10 + d;
      }
      return v >= 0 ? (double) v : ((double) (v >>> 1)) * 2.0 + (v & 1);
    }

    /** A float: {@code -?(d+.?d*|.d+)([eE][+-]?d+)?}; exact fast path, else the JDK's parser. */
    private double number(int from, int to) throws Bad {
      int i = from;
      boolean neg = b[i] == '-';
      if (neg) i++;
      long mant = 0;
      int digits = 0;
      int scale = 0;
      boolean any = false;
      boolean exact = true;
      while (i < to && b[i] >= '0' && b[i] <= '9') {
        any = true;
        if (digits < 18) {
          mant = mant * 10 + (b[i] - '0');
          if (mant != 0) digits++;
        } else {
          exact = false;
        }
        i++;
      }
      if (i < to && b[i] == '.') {
        i++;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
          any = true;
          if (digits < 18) {
            mant = mant * 10 + (b[i] - '0');
            if (mant != 0) digits++;
            scale--;
          } else {
            exact = false;
          }
          i++;
        }
      }
      if (!any) throw new Bad("invalid number");
      int exp = 0;
      if (i < to && (b[i] == 'e' || b[i] == 'E')) {
        i++;
        boolean eneg = false;
        if (i < to && (b[i] == '+' || b[i] == '-')) eneg = b[i++] == '-';
        if (i == to) throw new Bad("invalid number");
        while (i < to && b[i] >= '0' && b[i] <= '9') {
          if (exp < 100_000) exp = exp * 10 + (b[i] - '0');
          i++;
        }
        if (eneg) exp = -exp;
      }
      if (i != to) throw new Bad("invalid number");
      int e10 = scale + exp;
      if (exact && mant < (1L << 53) && e10 >= -22 && e10 <= 22) {
        // Both operands exact: one correctly rounded operation (Clinger's fast path).
        double d = e10 >= 0 ? mant * POW10[e10] : mant / POW10[-e10];
        return neg ? -d : d;
      }
      double d = Double.parseDouble(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
      if (Double.isInfinite(d)) throw new Bad("value out of range");
      return d;
    }

    // ---- series heads -------------------------------------------------------------------------

    private Head head(int from, int to) throws Bad {
      int hash = 1;
      for (int i = from; i < to; i++) hash = 31 * hash + b[i];
      int mask = table.length - 1;
      int slot = (hash ^ (hash >>> 16)) & mask;
      for (Head e; (e = table[slot]) != null; slot = (slot + 1) & mask) {
        if (e.hash == hash && e.key.length == to - from && Arrays.equals(e.key, 0, e.key.length, b, from, to)) return e;
      }
      Head parsed = parseHead(from, to, hash);
      if (cached >= CACHE_ENTRIES) {
        Arrays.fill(table, null);
        cached = 0;
        slot = (hash ^ (hash >>> 16)) & mask;
        while (table[slot] != null) slot = (slot + 1) & mask;
      }
      table[slot] = parsed;
      cached++;
      return parsed;
    }

    private Head parseHead(int from, int to, int hash) {
      byte[] key = Arrays.copyOfRange(b, from, to);
      // measurement: up to the first unescaped comma
      int m = from;
      while (m < to && b[m] != ',') m += b[m] == '\\' && m + 1 < to ? 2 : 1;
      if (m > to) m = to;
      String measurement = sanitizeMetric(unescape(from, m, false));
      TreeMap<String, String> tags = new TreeMap<>();
      Map<String, String> sentAs = new TreeMap<>();
      String error = null;
      Kind kind = Kind.SYNTAX;
      int p = m;
      while (error == null && p < to) {
        p++; // the comma
        int k = p;
        while (k < to && b[k] != '=') {
          if (b[k] == ',') break;
          k += b[k] == '\\' && k + 1 < to ? 2 : 1;
        }
        if (k > to) k = to;
        if (k == p) {
          error = "missing tag key";
          break;
        }
        if (k >= to || b[k] != '=') {
          error = "missing tag value";
          break;
        }
        int v = k + 1;
        int ve = v;
        while (ve < to && b[ve] != ',') ve += b[ve] == '\\' && ve + 1 < to ? 2 : 1;
        if (ve > to) ve = to;
        if (ve == v) {
          error = "missing tag value";
          break;
        }
        String rawKey = unescape(p, k, true);
        String name = sanitizeLabel(rawKey);
        String value = unescape(v, ve, true);
        String before = sentAs.put(name, rawKey);
        if (before != null) {
          error = before.equals(rawKey) ? "duplicate tags" : "tag keys '" + before + "' and '" + rawKey + "' both map to label '" + name + "'";
          break;
        }
        if (value.length() > maxLabelValueChars) {
          error = "tag '" + rawKey + "' value is " + value.length() + " characters; at most " + maxLabelValueChars + " are allowed";
          kind = Kind.LABEL_VALUE_LENGTH;
          break;
        }
        if (value.indexOf('\u0000') >= 0) {
          error = "tag '" + rawKey + "' value contains the NUL character (U+0000), which cannot be stored";
          break;
        }
        tags.put(name, value);
        if (tags.size() > maxLabels) {
          error = "more than " + maxLabels + " tags (labels per series)";
          kind = Kind.LABELS_PER_SERIES;
          break;
        }
        p = ve;
      }
      if (error != null) return new Head(key, hash, null, null, null, error, kind);
      return new Head(key, hash, measurement, CanonicalLabels.of(Labels.of(tags)), tags.get(Tenancy.LABEL), null, null);
    }

    /** Bytes → String without escapes; {@code tagLike}: {@code \=} is an escape too. */
    private String unescape(int from, int to, boolean tagLike) {
      int i = from;
      while (i < to && b[i] != '\\') i++;
      if (i == to) return new String(b, from, to - from, StandardCharsets.UTF_8);
      byte[] tmp = new byte[to - from];
      int n = 0;
      for (i = from; i < to; i++) {
        byte c = b[i];
        if (c == '\\' && i + 1 < to) {
          byte x = b[i + 1];
          if (x == ',' || x == ' ' || x == '\\' || (tagLike && x == '=')) {
            tmp[n++] = x;
            i++;
            continue;
          }
        }
        tmp[n++] = c;
      }
      return new String(tmp, 0, n, StandardCharsets.UTF_8);
    }
  }

  /** Every character outside {@code [a-zA-Z0-9_:]} becomes {@code _}; a leading digit gets {@code _} before it. */
  public static String sanitizeMetric(String s) {
    return sanitize(s, true);
  }

  /** Every character outside {@code [a-zA-Z0-9_]} becomes {@code _}; a leading digit gets {@code _} before it. */
  public static String sanitizeLabel(String s) {
    return sanitize(s, false);
  }

  private static String sanitize(String s, boolean colon) {
    boolean clean = !s.isEmpty() && !(s.charAt(0) >= '0' && s.charAt(0) <= '9');
    for (int i = 0; clean && i < s.length(); i++) clean = ok(s.charAt(i), colon);
    if (clean) return s;
    StringBuilder out = new StringBuilder(s.length() + 1);
    if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) out.append('_');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      out.append(cp < 128 && ok((char) cp, colon) ? (char) cp : '_');
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static boolean ok(char c, boolean colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (colon && c == ':');
  }
}
