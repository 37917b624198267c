package io.vigil.server.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Logback appender (see logback-test.xml) that records Vert.x's blocked-thread warnings, so the
 * harness can fail a test whose code blocked an event loop instead of only logging it.
 */
public final class BlockedLoopRecorder extends AppenderBase<ILoggingEvent> {
  static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent e) {
    if (!e.getFormattedMessage().contains("has been blocked for")) return;
    StringBuilder b = new StringBuilder(e.getFormattedMessage());
    if (e.getThrowableProxy() != null) {
      var frames = e.getThrowableProxy().getStackTraceElementProxyArray();
      for (int i = 0; i < Math.min(25, frames.length); i++) b.append("\n    ").append(frames[i].getSTEAsString());
    }
    WARNINGS.add(b.toString());
  }
}
