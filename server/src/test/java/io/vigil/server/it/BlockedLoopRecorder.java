package io.vigil.server.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Logback appender (see logback-test.xml) that records Vert.x's blocked-thread warnings, so the
 * harness can fail a test whose code blocked an event loop instead of only logging it.
 *
 * <p>One exception: a loop caught inside JVM class loading ({@code ClassLoader.defineClass}, the
 * first use of a class in this JVM). That is a one-time cost of a cold JVM, not a blocking call in
 * Vigil's code, and on a loaded machine (2 cores shared with a build or a benchmark) it alone can
 * pass the 200 ms budget. Every other blocked-loop warning fails the test.
 */
public final class BlockedLoopRecorder extends AppenderBase<ILoggingEvent> {
  static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent e) {
    if (!e.getFormattedMessage().contains("has been blocked for")) return;
    StringBuilder b = new StringBuilder(e.getFormattedMessage());
    if (e.getThrowableProxy() != null) {
      var frames = e.getThrowableProxy().getStackTraceElementProxyArray();
      if (frames.length > 0 && frames[0].getStackTraceElement().getClassName().equals("java.lang.ClassLoader")
          && frames[0].getStackTraceElement().getMethodName().startsWith("defineClass")) {
        return;
      }
      for (int i = 0; i < Math.min(25, frames.length); i++) b.append("\n    ").append(frames[i].getSTEAsString());
    }
    WARNINGS.add(b.toString());
  }
}
