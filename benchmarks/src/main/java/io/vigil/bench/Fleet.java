package io.vigil.bench;

import io.vigil.rules.Labels;
import io.vigil.rules.expr.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The benchmark fleet: 50 metrics x 2,000 series (20 customers x 10 systems x 10 hosts) =
 * 100,000 series, and 4 rules per metric = 200 rules. Labels instances are created once and reused
 * by every sample, as the ingest path's series cache does.
 */
final class Fleet {
  static final int METRICS = 50;
  static final int PER_METRIC = 2_000;
  static final int SERIES = METRICS * PER_METRIC;

  final String[] metric = new String[SERIES];
  final Labels[] labels = new Labels[SERIES];

  Fleet() {
    int i = 0;
    for (int m = 0; m < METRICS; m++) {
      for (int s = 0; s < PER_METRIC; s++, i++) {
        metric[i] = "metric_" + m;
        labels[i] = Labels.of("customer", "c" + (s % 20), "system", "s" + (s / 20 % 10), "host", "h" + (s / 200));
      }
    }
  }

  /** 4 rules per metric, from {@code perMetric(m)}; each string may use %s for the metric name. */
  static List<Expr> rules(IntFunction<String[]> perMetric) {
    List<Expr> out = new ArrayList<>();
    for (int m = 0; m < METRICS; m++) {
      for (String r : perMetric.apply(m)) out.add(Expr.parse(r.replace("%s", "metric_" + m)));
    }
    return out;
  }

  static List<Expr> thresholds() {
    return rules(m -> new String[] {
        "%s > 90", "%s{customer=\"c1\"} > 50", "%s{system=~\"s[0-4]\"} >= 95", "%s < 1"});
  }

  static List<Expr> mixed() {
    return rules(m -> new String[] {
        "%s > 90",
        m % 2 == 0 ? "avg_over_time(%s[5m]) > 80" : "rate(%s[5m]) > 5",
        "max by (customer) (%s) > 99",
        m % 5 == 0 ? "absent_over_time(%s[2m])" : "%s{customer=\"c3\"} > 50 unless on(customer, system, host) %s < 5"});
  }
}
