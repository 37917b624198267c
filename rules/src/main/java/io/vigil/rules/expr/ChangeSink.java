package io.vigil.rules.expr;

import io.vigil.rules.Labels;

/**
 * Receives the output changes of an {@link ExprRuntime}, synchronously, on the thread that called
 * {@code accept} or {@code advance}. Implementations must not call back into the runtime.
 */
public interface ChangeSink {
  /** An element of expression {@code exprIndex}'s output appeared, or its value changed. */
  void set(int exprIndex, Labels output, double value);

  /** An element left expression {@code exprIndex}'s output vector. */
  void removed(int exprIndex, Labels output);

  /** A sink that ignores everything (for callers that read {@link ExprRuntime#current} instead). */
  ChangeSink NONE = new ChangeSink() {
    @Override public void set(int exprIndex, Labels output, double value) {}
    @Override public void removed(int exprIndex, Labels output) {}
  };
}
