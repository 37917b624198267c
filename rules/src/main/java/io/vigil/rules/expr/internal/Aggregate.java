package io.vigil.rules.expr.internal;

import io.vigil.rules.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * sum / avg / min / max / count by or without labels. A change to one input element touches
 * only its group. Sums are kept incrementally (compensated) and recomputed exactly once every
 * group-size updates, so drift stays bounded at amortised O(1) per sample; min and max rescan
 * only when the extreme itself got worse or left.
 */
final class Aggregate implements Downstream {
  private final AggOp op;
  private final boolean keep;
  private final List<String> grouping;
  private final Downstream parent;
  private final Map<Labels, Member> members = new HashMap<>();
  private final Map<Labels, Group> groups = new HashMap<>();

  Aggregate(AggOp op, boolean without, List<String> grouping, Downstream parent) {
    this.op = op;
    this.keep = !without;
    this.grouping = List.copyOf(grouping);
    this.parent = parent;
  }

  private static final class Member {
    final Group group;
    int index;
    double value;

    Member(Group group) {
      this.group = group;
    }
  }

  private final class Group {
    final Labels key;
    Member[] members = new Member[2];
    int n;
    double sum;
    double compensation;
    int nonFinite;
    int updates;
    double extreme = Double.NaN;

    Group(Labels key) {
      this.key = key;
    }

    void add(Member m, double v) {
      if (n == members.length) members = java.util.Arrays.copyOf(members, n * 2);
      m.index = n;
      members[n++] = m;
      m.value = v;
      addToSum(v, 1);
      if (better(v, extreme)) extreme = v;
    }

    void remove(Member m) {
      Member last = members[--n];
      members[m.index] = last;
      last.index = m.index;
      members[n] = null;
      addToSum(m.value, -1);
      if (m.value == extreme || Double.isNaN(m.value)) rescanExtreme();
    }

    void update(Member m, double v) {
      double old = m.value;
      m.value = v;
      addToSum(old, -1);
      addToSum(v, 1);
      if (better(v, extreme)) extreme = v;
      else if (old == extreme || Double.isNaN(old) || Double.isNaN(v)) rescanExtreme();
      if (++updates >= n + 16) exactSum();
    }

    double value() {
      return switch (op) {
        case COUNT -> n;
        case SUM -> total();
        case AVG -> total() / n;
        case MIN, MAX -> extreme;
      };
    }

    private double total() {
      if (nonFinite > 0) {
        double s = 0;
        for (int i = 0; i < n; i++) s += members[i].value;
        return s;
      }
      return sum + compensation;
    }

    /** Adds ({@code sign} 1) or takes away (-1) a member's value. */
    private void addToSum(double value, int sign) {
      if (op != AggOp.SUM && op != AggOp.AVG) return;
      if (!Double.isFinite(value)) {
        // Inf - Inf is NaN: non-finite members are counted and the sum recomputed directly instead.
        nonFinite += sign;
        return;
      }
      double v = sign * value;
      double t = sum + v;
      compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
      sum = t;
    }

    private void exactSum() {
      updates = 0;
      if (op != AggOp.SUM && op != AggOp.AVG) return;
      sum = 0;
      compensation = 0;
      nonFinite = 0;
      for (int i = 0; i < n; i++) addToSum(members[i].value, 1);
    }

    private void rescanExtreme() {
      if (op != AggOp.MIN && op != AggOp.MAX) return;
      extreme = Double.NaN;
      for (int i = 0; i < n; i++) if (better(members[i].value, extreme)) extreme = members[i].value;
    }

    /** Prometheus: NaN is replaced by any value; otherwise the larger (smaller) wins. */
    private boolean better(double v, double current) {
      if (op != AggOp.MIN && op != AggOp.MAX) return false;
      return Double.isNaN(current) || (op == AggOp.MAX ? v > current : v < current);
    }
  }

  @Override
  public void set(Labels element, double v) {
    Member m = members.get(element);
    if (m == null) {
      Labels key = LabelSets.project(element, keep, grouping);
      Group g = groups.computeIfAbsent(key, Group::new);
      m = new Member(g);
      members.put(element, m);
      g.add(m, v);
    } else {
      m.group.update(m, v);
    }
    parent.set(m.group.key, m.group.value());
  }

  @Override
  public void removed(Labels element) {
    Member m = members.remove(element);
    if (m == null) return;
    Group g = m.group;
    g.remove(m);
    if (g.n == 0) {
      groups.remove(g.key);
      parent.removed(g.key);
    } else {
      if (++g.updates >= g.n + 16) g.exactSum();
      parent.set(g.key, g.value());
    }
  }
}
