package io.vigil.rules.notify;

import io.vigil.rules.Durations;
import io.vigil.rules.Labels;
import io.vigil.rules.RuleFileException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The notification sections of a rules file, in Alertmanager's configuration shape so an
 * existing {@code alertmanager.yml} mostly carries over: {@code route:}, {@code receivers:},
 * {@code time_intervals:} (and its older name {@code mute_time_intervals:}), plus Vigil's optional
 * {@code notify:} mapping ({@code retry_base}, {@code retry_cap}, {@code dead_letter_after},
 * {@code external_url}, {@code time_zone}). Other top-level keys are ignored (they belong to
 * {@code RulesFile}). Immutable and thread-safe.
 *
 * <p>No {@code route:} and no {@code receivers:} means notifications are off ({@link #empty()}).
 * Checked across sections: every receiver a route names exists, every time interval a route names
 * exists, names are unique, and the root route has a receiver, no matchers, no {@code continue}
 * and no time intervals (as Alertmanager requires). Differences from Alertmanager: only
 * {@code webhook_configs} (with Vigil's {@code format}/{@code template}/{@code hmac_secret});
 * no {@code global:} or {@code templates:}; time intervals without {@code location} are read in
 * {@link #zone()}, not UTC.
 */
public final class NotifyConfig {
  static final Set<String> NOTIFY_KEYS = Set.of("retry_base", "retry_cap", "dead_letter_after", "external_url", "time_zone");
  /** Time intervals are searched this many boundaries ahead for the end of a mute (years of daily boundaries). */
  private static final int UNMUTE_SEARCH_STEPS = 4000;

  private final Route route;
  private final Map<String, Receiver> receivers;
  private final Map<String, TimeInterval> timeIntervals;
  private final ZoneId zone;
  private final RetryPolicy retry;
  private final String externalUrl;

  private NotifyConfig(Route route, Map<String, Receiver> receivers, Map<String, TimeInterval> timeIntervals, ZoneId zone,
      RetryPolicy retry, String externalUrl) {
    this.route = route;
    this.receivers = receivers;
    this.timeIntervals = timeIntervals;
    this.zone = zone;
    this.retry = retry;
    this.externalUrl = externalUrl;
  }

  /** Notifications off: no route, no receivers; UTC, default retries. */
  public static NotifyConfig empty() {
    return new NotifyConfig(null, Map.of(), Map.of(), ZoneOffset.UTC, RetryPolicy.DEFAULT, "");
  }

  /** {@link #parse(Map, String, ZoneId)} with UTC as the default zone. */
  public static NotifyConfig parse(Map<String, Object> root, String sourceName) {
    return parse(root, sourceName, ZoneOffset.UTC);
  }

  /**
   * Reads the notification sections of an already loaded YAML (or JSON) root mapping.
   * {@code defaultZone} is the zone when {@code notify.time_zone} is absent (the server passes
   * its configured or system zone: this module does not read the system's). Throws
   * {@link RuleFileException} listing every problem as {@code source: path: reason}.
   */
  public static NotifyConfig parse(Map<String, Object> root, String sourceName, ZoneId defaultZone) {
    ConfigReader r = new ConfigReader(sourceName);
    if (root == null) root = Map.of();
    Map<String, Object> settings = root.get("notify") == null ? Map.of() : r.mapping(root.get("notify"), "notify");
    ZoneId zone = defaultZone;
    RetryPolicy retry = RetryPolicy.DEFAULT;
    String externalUrl = "";
    if (settings != null && !settings.isEmpty()) {
      r.knownKeys(settings, NOTIFY_KEYS, "notify");
      String tz = r.string(settings, "time_zone", "notify");
      if (tz != null) {
        try {
          zone = ZoneId.of(tz);
        } catch (DateTimeException e) {
          r.problem("notify.time_zone", "'" + tz + "' is not a time zone (use e.g. Asia/Shanghai)");
        }
      }
      Duration base = r.duration(settings, "retry_base", "notify", RetryPolicy.DEFAULT.base());
      Duration cap = r.duration(settings, "retry_cap", "notify", RetryPolicy.DEFAULT.cap());
      Duration dead = r.duration(settings, "dead_letter_after", "notify", RetryPolicy.DEFAULT.deadLetterAfter());
      try {
        retry = new RetryPolicy(base, cap, dead);
      } catch (IllegalArgumentException e) {
        r.problem("notify", e.getMessage());
      }
      String url = r.string(settings, "external_url", "notify");
      if (url != null) {
        if (!url.isEmpty() && !WebhookConfig.validUrl(url)) r.problem("notify.external_url", "'" + url + "' is not an http:// or https:// URL");
        else externalUrl = url;
      }
    }
    List<TimeInterval> intervals = new ArrayList<>();
    for (String key : new String[] {"time_intervals", "mute_time_intervals"}) {
      List<Object> list = r.list(root.get(key), key);
      for (int i = 0; i < list.size(); i++) {
        TimeInterval t = TimeInterval.read(list.get(i), ConfigReader.item(key, i), zone, r);
        if (t != null) intervals.add(t);
      }
    }
    List<Receiver> receivers = new ArrayList<>();
    List<String> receiverPaths = new ArrayList<>();
    List<Object> list = r.list(root.get("receivers"), "receivers");
    for (int i = 0; i < list.size(); i++) {
      Receiver rc = Receiver.read(list.get(i), ConfigReader.item("receivers", i), r);
      if (rc != null) {
        receivers.add(rc);
        receiverPaths.add(ConfigReader.item("receivers", i));
      }
    }
    Route route = root.get("route") == null ? null : Route.read(root.get("route"), "route", r);
    if (root.get("route") == null && !list.isEmpty()) r.problem("route", "missing: receivers are defined but nothing routes to them");
    check(route, receivers, receiverPaths, intervals, r);
    r.throwIfAny();
    return build(route, receivers, intervals, zone, retry, externalUrl);
  }

  /**
   * A configuration from parts (e.g. after a REST change), checked as {@link #parse} checks;
   * throws {@link RuleFileException}. {@code route} null with no receivers: notifications off.
   */
  public static NotifyConfig of(Route route, List<Receiver> receivers, Collection<TimeInterval> intervals, ZoneId zone, RetryPolicy retry,
      String externalUrl) {
    ConfigReader r = new ConfigReader("");
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < receivers.size(); i++) paths.add(ConfigReader.item("receivers", i));
    if (route == null && !receivers.isEmpty()) r.problem("route", "missing: receivers are defined but nothing routes to them");
    check(route, receivers, paths, new ArrayList<>(intervals), r);
    r.throwIfAny();
    return build(route, receivers, new ArrayList<>(intervals), zone, retry, externalUrl == null ? "" : externalUrl);
  }

  private static NotifyConfig build(Route route, List<Receiver> receivers, List<TimeInterval> intervals, ZoneId zone, RetryPolicy retry,
      String externalUrl) {
    Map<String, Receiver> byName = new LinkedHashMap<>();
    for (Receiver rc : receivers) byName.put(rc.name(), rc);
    Map<String, TimeInterval> ti = new LinkedHashMap<>();
    for (TimeInterval t : intervals) ti.put(t.name(), t);
    return new NotifyConfig(route, java.util.Collections.unmodifiableMap(byName), java.util.Collections.unmodifiableMap(ti), zone, retry,
        externalUrl);
  }

  private static void check(Route route, List<Receiver> receivers, List<String> receiverPaths, List<TimeInterval> intervals, ConfigReader r) {
    Map<String, Receiver> names = new LinkedHashMap<>();
    for (int i = 0; i < receivers.size(); i++) {
      if (names.putIfAbsent(receivers.get(i).name(), receivers.get(i)) != null) {
        r.problem(ConfigReader.child(receiverPaths.get(i), "name"), "duplicate receiver name '" + receivers.get(i).name() + "'");
      }
    }
    Set<String> intervalNames = new java.util.HashSet<>();
    for (TimeInterval t : intervals) {
      if (!intervalNames.add(t.name())) r.problem("time_intervals", "duplicate time interval name '" + t.name() + "'");
    }
    if (route == null) return;
    if (route.receiver() == null) r.problem("route.receiver", "missing: the root route needs a receiver");
    if (!route.matchers().isEmpty()) r.problem("route", "the root route cannot have matchers (it matches every alert)");
    if (route.continueMatching()) r.problem("route.continue", "the root route cannot have continue");
    if (!route.muteTimeIntervals().isEmpty() || !route.activeTimeIntervals().isEmpty()) {
      r.problem("route", "the root route cannot have mute_time_intervals or active_time_intervals");
    }
    checkRefs(route, "route", names.keySet(), intervalNames, r);
  }

  private static void checkRefs(Route route, String path, Set<String> receivers, Set<String> intervals, ConfigReader r) {
    if (route.receiver() != null && !receivers.contains(route.receiver())) {
      r.problem(ConfigReader.child(path, "receiver"), "no receiver named '" + route.receiver() + "'"
          + (receivers.isEmpty() ? " (none defined)" : " (defined: " + String.join(", ", receivers) + ")"));
    }
    for (String key : new String[] {"mute_time_intervals", "active_time_intervals"}) {
      List<String> names = key.startsWith("mute") ? route.muteTimeIntervals() : route.activeTimeIntervals();
      for (int i = 0; i < names.size(); i++) {
        if (!intervals.contains(names.get(i))) r.problem(ConfigReader.item(ConfigReader.child(path, key), i), "no time interval named '" + names.get(i) + "'");
      }
    }
    for (int i = 0; i < route.routes().size(); i++) {
      checkRefs(route.routes().get(i), ConfigReader.item(ConfigReader.child(path, "routes"), i), receivers, intervals, r);
    }
  }

  /** False when notifications are off. */
  public boolean enabled() {
    return route != null;
  }

  /** The routing tree's root, empty when notifications are off. */
  public Optional<Route> route() {
    return Optional.ofNullable(route);
  }

  /** The matched routes (see {@link Route#match}); empty when notifications are off. */
  public List<RouteMatch> match(Labels labels) {
    return route == null ? List.of() : route.match(labels);
  }

  public Collection<Receiver> receivers() {
    return receivers.values();
  }

  public Optional<Receiver> receiver(String name) {
    return Optional.ofNullable(receivers.get(name));
  }

  public Collection<TimeInterval> timeIntervals() {
    return timeIntervals.values();
  }

  public Optional<TimeInterval> timeInterval(String name) {
    return Optional.ofNullable(timeIntervals.get(name));
  }

  /** The zone of digests and of time intervals without a {@code location}. */
  public ZoneId zone() {
    return zone;
  }

  public RetryPolicy retry() {
    return retry;
  }

  /** Link back to Vigil in bodies ({@code externalURL}); empty when unset. */
  public String externalUrl() {
    return externalUrl;
  }

  /** At {@code t}, the route is in one of its mute intervals, or outside all of its active ones. */
  public boolean muted(RouteMatch m, Instant t) {
    for (String n : m.muteTimeIntervals()) {
      TimeInterval ti = timeIntervals.get(n);
      if (ti != null && ti.contains(t)) return true;
    }
    if (m.activeTimeIntervals().isEmpty()) return false;
    for (String n : m.activeTimeIntervals()) {
      TimeInterval ti = timeIntervals.get(n);
      if (ti != null && ti.contains(t)) return false;
    }
    return true;
  }

  /**
   * The first instant after {@code t} at which the route is not muted, or null when none is found
   * within the search horizon (an interval restricted to past years, say).
   */
  public Instant unmutedAfter(RouteMatch m, Instant t) {
    List<TimeInterval> relevant = new ArrayList<>();
    for (String n : m.muteTimeIntervals()) if (timeIntervals.containsKey(n)) relevant.add(timeIntervals.get(n));
    for (String n : m.activeTimeIntervals()) if (timeIntervals.containsKey(n)) relevant.add(timeIntervals.get(n));
    Instant at = t;
    for (int step = 0; step < UNMUTE_SEARCH_STEPS; step++) {
      Instant next = null;
      for (TimeInterval ti : relevant) {
        Instant c = ti.nextChange(at);
        if (next == null || c.isBefore(next)) next = c;
      }
      if (next == null) return muted(m, at) ? null : at;
      at = next;
      if (!muted(m, at)) return at;
    }
    return null;
  }

  /** The YAML/JSON shape: {@code route}, {@code receivers}, {@code time_intervals}, {@code notify}. Secrets redacted. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (route != null) m.put("route", route.toMap());
    if (!receivers.isEmpty()) m.put("receivers", receivers.values().stream().map(rc -> (Object) rc.toMap()).toList());
    if (!timeIntervals.isEmpty()) m.put("time_intervals", timeIntervals.values().stream().map(t -> (Object) t.toMap()).toList());
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("time_zone", zone.getId());
    n.put("retry_base", Durations.format(retry.base()));
    n.put("retry_cap", Durations.format(retry.cap()));
    n.put("dead_letter_after", Durations.format(retry.deadLetterAfter()));
    if (!externalUrl.isEmpty()) n.put("external_url", externalUrl);
    m.put("notify", n);
    return m;
  }

  @Override
  public String toString() {
    return "NotifyConfig[receivers=" + receivers.keySet() + ", timeIntervals=" + timeIntervals.keySet() + ", zone=" + zone + ", enabled="
        + enabled() + "]";
  }
}
