package io.vigil.rules.expr;

import io.vigil.rules.Labels;
import java.util.ArrayList;
import java.util.List;

/** A sink that records every reported change as text, e.g. {@code "0 set {a=\"1\"} 5.0"}. */
final class Recorder implements ChangeSink {
  final List<String> events = new ArrayList<>();

  @Override
  public void set(int exprIndex, Labels output, double value) {
    events.add(exprIndex + " set " + output + " " + value);
  }

  @Override
  public void removed(int exprIndex, Labels output) {
    events.add(exprIndex + " removed " + output);
  }

  List<String> take() {
    List<String> out = List.copyOf(events);
    events.clear();
    return out;
  }
}
