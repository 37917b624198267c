package io.vigil.rules.expr.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns expression trees into a graph of nodes: leaves at the bottom, one {@link Output} per expression. */
final class Compiler {
  final Map<String, List<Leaf>> leavesByMetric = new HashMap<>();

  Output compile(int index, Node root, Engine engine) {
    List<String> metrics = new ArrayList<>();
    collectMetrics(root, metrics);
    // A series reaching the output along two paths could show a half-updated state: buffer then.
    boolean buffered = new HashSet<>(metrics).size() < metrics.size();
    Output out = new Output(index, engine, buffered);
    build(root, out);
    return out;
  }

  private void build(Node n, Downstream parent) {
    if (n instanceof Node.Selector s) {
      add(new Leaf.Instant(s, parent));
    } else if (n instanceof Node.Call c) {
      long range = c.arg().range().toMillis();
      if (c.func().isAbsence()) add(new Leaf.Absence(c.arg().selector(), range, parent));
      else add(new Leaf.Range(c.arg().selector(), c.func(), range, c.param() == null ? 0 : scalar(c.param()), parent));
    } else if (n instanceof Node.Neg g) {
      build(g.operand(), new ScalarBinary(BinOp.MUL, -1, false, false, parent));
    } else if (n instanceof Node.Aggregation a) {
      build(a.arg(), new Aggregate(a.op(), a.without(), a.grouping(), parent));
    } else if (n instanceof Node.Binary b) {
      if (b.lhs().type() == Node.Type.SCALAR) {
        build(b.rhs(), new ScalarBinary(b.op(), scalar(b.lhs()), true, b.bool(), parent));
      } else if (b.rhs().type() == Node.Type.SCALAR) {
        build(b.lhs(), new ScalarBinary(b.op(), scalar(b.rhs()), false, b.bool(), parent));
      } else if (b.op().isSet()) {
        SetOperation op = new SetOperation(b.op(), b.matching(), parent);
        build(b.lhs(), op.left());
        build(b.rhs(), op.right());
      } else {
        VectorBinary op = new VectorBinary(b.op(), b.bool(), b.matching(), parent);
        build(b.lhs(), op.left());
        build(b.rhs(), op.right());
      }
    } else {
      throw new IllegalArgumentException("not an instant vector: " + n);
    }
  }

  private void add(Leaf leaf) {
    leavesByMetric.computeIfAbsent(leaf.selector.metric(), k -> new ArrayList<>()).add(leaf);
  }

  /** Scalar sub-expressions are constants: evaluated once here. */
  static double scalar(Node n) {
    if (n instanceof Node.Num num) return num.value();
    if (n instanceof Node.Neg g) return -scalar(g.operand());
    if (n instanceof Node.Binary b) {
      double l = scalar(b.lhs());
      double r = scalar(b.rhs());
      return b.op().isComparison() ? (b.op().comparison().test(l, r) ? 1 : 0) : b.op().arithmetic(l, r);
    }
    throw new IllegalArgumentException("not a scalar: " + n);
  }

  private static void collectMetrics(Node n, List<String> out) {
    if (n instanceof Node.Selector s) out.add(s.metric());
    else if (n instanceof Node.Call c) out.add(c.arg().selector().metric());
    else if (n instanceof Node.Neg g) collectMetrics(g.operand(), out);
    else if (n instanceof Node.Aggregation a) collectMetrics(a.arg(), out);
    else if (n instanceof Node.Binary b) {
      collectMetrics(b.lhs(), out);
      collectMetrics(b.rhs(), out);
    }
  }

  static Set<String> metrics(Map<String, List<Leaf>> leaves) {
    return leaves.keySet();
  }
}
