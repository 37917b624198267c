package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One webhook of a {@link Receiver}, in Alertmanager's {@code webhook_configs} shape plus Vigil's
 * keys. Immutable. {@link #toString()} and {@link #toMap()} never show {@code hmac_secret}.
 *
 * @param url            http or https, checked for shape only (the server resolves and connects)
 * @param sendResolved   default true (as Alertmanager's webhook)
 * @param maxAlerts      0: all alerts in one body; else the body lists at most this many
 * @param format         the body: Alertmanager's webhook v4 JSON (default), Vigil's own, or a template
 * @param template       the compiled body when {@code format: template}, else null
 * @param hmacSecret     null: unsigned; else bodies are signed (see {@link Signature})
 * @param headers        extra request headers (e.g. Authorization)
 * @param timeout        per request, default 10s
 * @param maxConcurrency requests in flight to this URL at most, default 4
 */
public record WebhookConfig(String url, boolean sendResolved, int maxAlerts, Format format, BodyTemplate template, String hmacSecret,
    Map<String, String> headers, Duration timeout, int maxConcurrency) {
  public enum Format {
    ALERTMANAGER, VIGIL, TEMPLATE;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What {@link #toMap()} shows in place of a secret; refused as a secret on input. */
  public static final String REDACTED = "<secret>";
  static final Set<String> KEYS = Set.of("url", "send_resolved", "max_alerts", "format", "template", "hmac_secret", "headers", "timeout",
      "max_concurrency");
  // Shape only: scheme, a host (name, IPv4 or [IPv6]), optional port, then no whitespace.
  private static final Pattern URL = Pattern.compile("(?i)https?://(\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:(\\d{1,5}))?([/?#]\\S*)?");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public WebhookConfig {
    Objects.requireNonNull(url);
    Objects.requireNonNull(format);
    Objects.requireNonNull(timeout);
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    if (format == Format.TEMPLATE && template == null) throw new IllegalArgumentException("format template needs a template");
  }

  /** Parses one {@code webhook_configs} entry; throws {@link io.vigil.rules.RuleFileException} listing every problem. */
  public static WebhookConfig parse(Map<String, Object> m, String where) {
    ConfigReader r = new ConfigReader("");
    WebhookConfig w = read(m, where, r);
    r.throwIfAny();
    return w;
  }

  static WebhookConfig read(Object node, String path, ConfigReader r) {
    Map<String, Object> m = r.mapping(node, path);
    if (m == null) return null;
    if (m.containsKey("http_config")) {
      r.problem(ConfigReader.child(path, "http_config"), "not supported: set credentials with headers (e.g. Authorization: Bearer …)");
      m.remove("http_config");
    }
    if (m.containsKey("url_file")) {
      r.problem(ConfigReader.child(path, "url_file"), "not supported: Vigil reads no files here; give 'url'");
      m.remove("url_file");
    }
    r.knownKeys(m, KEYS, path);
    int before = r.problems().size();
    String url = r.string(m, "url", path);
    if (url == null) {
      r.problem(ConfigReader.child(path, "url"), "missing");
    } else if (!validUrl(url)) {
      r.problem(ConfigReader.child(path, "url"), "'" + url + "' is not an http:// or https:// URL");
    }
    boolean sendResolved = r.bool(m, "send_resolved", path, true);
    int maxAlerts = r.integer(m, "max_alerts", path, 0, 0, Integer.MAX_VALUE);
    Format format = Format.ALERTMANAGER;
    String f = r.string(m, "format", path);
    if (f != null) {
      try {
        format = Format.valueOf(f.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        r.problem(ConfigReader.child(path, "format"), "'" + f + "' is not one of alertmanager, vigil, template");
      }
    }
    BodyTemplate template = null;
    String t = r.string(m, "template", path);
    if (t != null) {
      if (format != Format.TEMPLATE) {
        r.problem(ConfigReader.child(path, "template"), "only used with format: template");
      } else {
        try {
          template = BodyTemplate.compile(t);
        } catch (IllegalArgumentException e) {
          r.problem(ConfigReader.child(path, "template"), e.getMessage());
        }
      }
    } else if (format == Format.TEMPLATE) {
      r.problem(ConfigReader.child(path, "template"), "missing: format template needs the body template");
    }
    String secret = r.string(m, "hmac_secret", path);
    if (secret != null && (secret.isEmpty() || secret.equals(REDACTED))) {
      r.problem(ConfigReader.child(path, "hmac_secret"), secret.isEmpty() ? "empty" : "is the redacted placeholder; give the real secret");
    }
    Map<String, String> headers = r.stringMap(m, "headers", path);
    headers.forEach((k, v) -> {
      String hp = ConfigReader.child(ConfigReader.child(path, "headers"), k);
      if (!HEADER_NAME.matcher(k).matches()) r.problem(hp, "not a valid header name");
      if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) r.problem(hp, "a header value cannot contain a line break");
    });
    Duration timeout = r.duration(m, "timeout", path, Duration.ofSeconds(10));
    if (timeout.isZero() || timeout.isNegative()) r.problem(ConfigReader.child(path, "timeout"), "must be more than 0s");
    int maxConcurrency = r.integer(m, "max_concurrency", path, 4, 1, 1000);
    if (r.problems().size() > before) return null;
    return new WebhookConfig(url, sendResolved, maxAlerts, format, template, secret, headers, timeout, maxConcurrency);
  }

  static boolean validUrl(String url) {
    java.util.regex.Matcher m = URL.matcher(url);
    if (!m.matches()) return false;
    return m.group(4) == null || (Integer.parseInt(m.group(4)) >= 1 && Integer.parseInt(m.group(4)) <= 65535);
  }

  public boolean signed() {
    return hmacSecret != null;
  }

  /** The YAML/JSON shape; {@code hmac_secret} shows as {@value #REDACTED}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", url);
    m.put("send_resolved", sendResolved);
    m.put("max_alerts", maxAlerts);
    m.put("format", format.wireName());
    if (template != null) m.put("template", template.source());
    if (hmacSecret != null) m.put("hmac_secret", REDACTED);
    if (!headers.isEmpty()) m.put("headers", new LinkedHashMap<>(headers));
    m.put("timeout", Durations.format(timeout));
    m.put("max_concurrency", maxConcurrency);
    return m;
  }

  /** Without the secret, nor header values (they often carry tokens). */
  @Override
  public String toString() {
    return "WebhookConfig[url=" + url + ", format=" + format.wireName() + ", sendResolved=" + sendResolved + ", maxAlerts=" + maxAlerts
        + ", signed=" + signed() + ", headers=" + headers.keySet() + ", timeout=" + Durations.format(timeout) + ", maxConcurrency="
        + maxConcurrency + "]";
  }
}
