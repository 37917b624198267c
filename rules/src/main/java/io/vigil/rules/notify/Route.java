package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * A node of the routing tree, in Alertmanager's {@code route} shape: what it matches, where it
 * sends, how it groups and times, its child routes. Immutable; options left unset are null (or
 * empty) here and resolved by {@link #match}.
 *
 * <h2>Matching (as Alertmanager)</h2>
 * An alert enters a child when all the child's matchers match ({@code matchers} strings, legacy
 * {@code match} / {@code match_re} maps). Children are tried in order, depth first; the first
 * matching child ends the search unless it has {@code continue: true}. A route none of whose
 * children match is itself the match. The root matches everything. {@code receiver},
 * {@code group_by}, {@code group_wait}, {@code group_interval}, {@code repeat_interval} and
 * {@code digest_at} are inherited from the parent when unset; {@code mute_time_intervals} and
 * {@code active_time_intervals} apply to their own route only. {@code group_by: ['...']} groups by
 * all labels; no {@code group_by} puts all alerts of a route in one group.
 *
 * <h2>Timing: explicit settings win, else the severity, else Alertmanager's defaults</h2>
 * Vigil alerts carry a {@code severity} label P1…P4. Each of the three timings that no route on
 * the matched path sets comes from that severity:
 * <table>
 *   <caption>severity defaults</caption>
 *   <tr><th>severity</th><th>group_wait</th><th>group_interval</th><th>repeat_interval</th></tr>
 *   <tr><td>P1</td><td>0s (pages at once)</td><td>1m</td><td>1h</td></tr>
 *   <tr><td>P2</td><td>10s</td><td>5m</td><td>4h</td></tr>
 *   <tr><td>P3</td><td>30s</td><td>5m</td><td>12h</td></tr>
 *   <tr><td>P4</td><td colspan="2">daily digest at {@code digest_at} (default 09:00, the
 *       configuration's zone)</td><td>24h</td></tr>
 *   <tr><td>none / other</td><td>30s</td><td>5m</td><td>4h (Alertmanager's defaults)</td></tr>
 * </table>
 * A P4 alert is digested only when neither {@code group_wait} nor {@code group_interval} is set on
 * its path (either one set makes it an ordinary group, the other from Alertmanager's defaults).
 * When the severity fills any timing, {@code severity} joins the route's {@code group_by}, so one
 * aggregation group never mixes severities with different timings.
 */
public record Route(String receiver, List<Matcher> matchers, boolean continueMatching, List<String> groupBy, Duration groupWait,
    Duration groupInterval, Duration repeatInterval, LocalTime digestAt, List<String> activeTimeIntervals,
    List<String> muteTimeIntervals, List<Route> routes) {
  static final Set<String> KEYS = Set.of("receiver", "matchers", "match", "match_re", "continue", "group_by", "group_wait",
      "group_interval", "repeat_interval", "digest_at", "active_time_intervals", "mute_time_intervals", "routes");
  public static final String GROUP_BY_ALL = "...";
  public static final LocalTime DEFAULT_DIGEST_AT = LocalTime.of(9, 0);
  private static final Duration AM_WAIT = Duration.ofSeconds(30);
  private static final Duration AM_INTERVAL = Duration.ofMinutes(5);
  private static final Duration AM_REPEAT = Duration.ofHours(4);

  public Route {
    matchers = List.copyOf(matchers);
    groupBy = groupBy == null ? null : List.copyOf(groupBy);
    activeTimeIntervals = List.copyOf(activeTimeIntervals);
    muteTimeIntervals = List.copyOf(muteTimeIntervals);
    routes = List.copyOf(routes);
  }

  /** A leaf sending everything to {@code receiver} with default options. */
  public static Route to(String receiver) {
    return new Route(receiver, List.of(), false, null, null, null, null, null, List.of(), List.of(), List.of());
  }

  /** Parses a route and its children (e.g. a REST body); throws {@link io.vigil.rules.RuleFileException} listing every problem. */
  public static Route parse(Map<String, Object> m, String where) {
    ConfigReader r = new ConfigReader("");
    Route route = read(m, where, r);
    r.throwIfAny();
    return route;
  }

  static Route read(Object node, String path, ConfigReader r) {
    Map<String, Object> m = r.mapping(node, path);
    if (m == null) return null;
    r.knownKeys(m, KEYS, path);
    int before = r.problems().size();
    String receiver = r.string(m, "receiver", path);
    List<Matcher> matchers = new ArrayList<>();
    List<String> texts = r.strings(m, "matchers", path);
    for (int i = 0; texts != null && i < texts.size(); i++) {
      try {
        matchers.add(MatcherText.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        r.problem(ConfigReader.item(ConfigReader.child(path, "matchers"), i), e.getMessage());
      }
    }
    legacy(m, "match", Matcher.Type.EQ, path, r, matchers);
    legacy(m, "match_re", Matcher.Type.RE, path, r, matchers);
    boolean cont = r.bool(m, "continue", path, false);
    List<String> groupBy = r.strings(m, "group_by", path);
    if (groupBy != null) {
      for (int i = 0; i < groupBy.size(); i++) {
        String g = groupBy.get(i);
        if (!g.equals(GROUP_BY_ALL) && !Labels.NAME.matcher(g).matches()) {
          r.problem(ConfigReader.item(ConfigReader.child(path, "group_by"), i), "'" + g + "' is not a label name or '...'");
        }
      }
      if (groupBy.contains(GROUP_BY_ALL) && groupBy.size() > 1) {
        r.problem(ConfigReader.child(path, "group_by"), "'...' groups by all labels and cannot be combined with other names");
      }
    }
    Duration groupWait = r.duration(m, "group_wait", path, null);
    Duration groupInterval = r.duration(m, "group_interval", path, null);
    Duration repeatInterval = r.duration(m, "repeat_interval", path, null);
    if (groupInterval != null && groupInterval.isZero()) r.problem(ConfigReader.child(path, "group_interval"), "cannot be zero");
    if (repeatInterval != null && repeatInterval.isZero()) r.problem(ConfigReader.child(path, "repeat_interval"), "cannot be zero");
    LocalTime digestAt = null;
    String d = r.string(m, "digest_at", path);
    if (d != null) {
      try {
        digestAt = LocalTime.parse(d.trim().length() == 4 ? "0" + d.trim() : d.trim());
      } catch (DateTimeParseException e) {
        r.problem(ConfigReader.child(path, "digest_at"), "'" + d + "' is not a time of day (HH:MM)");
      }
    }
    List<String> active = r.strings(m, "active_time_intervals", path);
    List<String> mute = r.strings(m, "mute_time_intervals", path);
    List<Route> children = new ArrayList<>();
    String rp = ConfigReader.child(path, "routes");
    List<Object> list = r.list(m.get("routes"), rp);
    for (int i = 0; i < list.size(); i++) {
      Route c = read(list.get(i), ConfigReader.item(rp, i), r);
      if (c != null) children.add(c);
    }
    if (r.problems().size() > before) return null;
    return new Route(receiver, matchers, cont, groupBy, groupWait, groupInterval, repeatInterval, digestAt,
        active == null ? List.of() : active, mute == null ? List.of() : mute, children);
  }

  private static void legacy(Map<String, Object> m, String key, Matcher.Type type, String path, ConfigReader r, List<Matcher> out) {
    r.stringMap(m, key, path).forEach((name, value) -> {
      String p = ConfigReader.child(ConfigReader.child(path, key), name);
      if (!Labels.NAME.matcher(name).matches()) {
        r.problem(p, "not a label name");
        return;
      }
      try {
        out.add(Matcher.of(name, type, value));
      } catch (PatternSyntaxException e) {
        r.problem(p, "bad regex '" + value + "': " + e.getDescription());
      }
    });
  }

  /** All matchers match {@code labels}. */
  public boolean matches(Labels labels) {
    for (Matcher mt : matchers) if (!mt.matches(labels)) return false;
    return true;
  }

  /** Options as set on the path so far (null: unset). */
  private record Path(String receiver, List<String> groupBy, Duration groupWait, Duration groupInterval, Duration repeatInterval,
      LocalTime digestAt) {
    Path under(Route r) {
      return new Path(r.receiver != null ? r.receiver : receiver, r.groupBy != null ? r.groupBy : groupBy,
          r.groupWait != null ? r.groupWait : groupWait, r.groupInterval != null ? r.groupInterval : groupInterval,
          r.repeatInterval != null ? r.repeatInterval : repeatInterval, r.digestAt != null ? r.digestAt : digestAt);
    }
  }

  /**
   * The routes {@code labels} end on, this route taken as the root (its matchers are not
   * checked), in Alertmanager's order, each with its options resolved. Never empty.
   */
  public List<RouteMatch> match(Labels labels) {
    List<RouteMatch> out = new ArrayList<>();
    walk(this, "{}", new Path(null, null, null, null, null, null).under(this), labels, out);
    return out;
  }

  private static void walk(Route r, String id, Path here, Labels labels, List<RouteMatch> out) {
    int before = out.size();
    for (int i = 0; i < r.routes.size(); i++) {
      Route c = r.routes.get(i);
      if (!c.matches(labels)) continue;
      walk(c, childId(id, c, i), here.under(c), labels, out);
      if (!c.continueMatching) break;
    }
    if (out.size() == before) out.add(resolve(r, id, here, labels));
  }

  static String childId(String parentId, Route c, int index) {
    StringBuilder b = new StringBuilder(parentId).append("/{");
    for (int i = 0; i < c.matchers.size(); i++) {
      if (i > 0) b.append(',');
      b.append(c.matchers.get(i));
    }
    return b.append("}/").append(index).toString();
  }

  private static RouteMatch resolve(Route r, String id, Path p, Labels labels) {
    Severity sev = null;
    String s = labels.get("severity");
    if (s != null) {
      try {
        sev = Severity.parse(s);
      } catch (IllegalArgumentException e) {
        sev = null; // not a Vigil severity: Alertmanager's defaults
      }
    }
    boolean digest = sev == Severity.P4 && p.groupWait() == null && p.groupInterval() == null;
    Duration wait = p.groupWait() != null ? p.groupWait() : sev == null ? AM_WAIT : switch (sev) {
      case P1 -> Duration.ZERO;
      case P2 -> Duration.ofSeconds(10);
      case P3, P4 -> AM_WAIT;
    };
    Duration interval = p.groupInterval() != null ? p.groupInterval() : sev == null ? AM_INTERVAL : switch (sev) {
      case P1 -> Duration.ofMinutes(1);
      case P2, P3 -> AM_INTERVAL;
      case P4 -> digest ? Duration.ofDays(1) : AM_INTERVAL;
    };
    Duration repeat = p.repeatInterval() != null ? p.repeatInterval() : sev == null ? AM_REPEAT : switch (sev) {
      case P1 -> Duration.ofHours(1);
      case P2 -> AM_REPEAT;
      case P3 -> Duration.ofHours(12);
      case P4 -> Duration.ofDays(1);
    };
    boolean bySeverity = sev != null && (p.groupWait() == null || p.groupInterval() == null || p.repeatInterval() == null);
    List<String> groupBy = p.groupBy() == null ? new ArrayList<>() : new ArrayList<>(p.groupBy());
    boolean all = groupBy.contains(GROUP_BY_ALL);
    if (all) groupBy = new ArrayList<>();
    if (bySeverity && !all && !groupBy.contains("severity")) groupBy.add("severity");
    return new RouteMatch(id, Objects.requireNonNull(p.receiver(), "route without receiver"), groupBy, all, wait, interval, repeat,
        digest ? (p.digestAt() != null ? p.digestAt() : DEFAULT_DIGEST_AT) : null, r.activeTimeIntervals, r.muteTimeIntervals,
        bySeverity ? sev.name() : null);
  }

  /** The YAML/JSON shape; legacy {@code match}/{@code match_re} come back as {@code matchers} strings. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (receiver != null) m.put("receiver", receiver);
    if (!matchers.isEmpty()) m.put("matchers", matchers.stream().map(Matcher::toString).toList());
    if (continueMatching) m.put("continue", true);
    if (groupBy != null) m.put("group_by", groupBy);
    if (groupWait != null) m.put("group_wait", Durations.format(groupWait));
    if (groupInterval != null) m.put("group_interval", Durations.format(groupInterval));
    if (repeatInterval != null) m.put("repeat_interval", Durations.format(repeatInterval));
    if (digestAt != null) m.put("digest_at", digestAt.toString());
    if (!activeTimeIntervals.isEmpty()) m.put("active_time_intervals", activeTimeIntervals);
    if (!muteTimeIntervals.isEmpty()) m.put("mute_time_intervals", muteTimeIntervals);
    if (!routes.isEmpty()) m.put("routes", routes.stream().map(c -> (Object) c.toMap()).toList());
    return m;
  }
}
