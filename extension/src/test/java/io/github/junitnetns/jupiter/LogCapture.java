package io.github.junitnetns.jupiter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * While open, records what the extension logs about one fixture (its messages contain the given
 * text) instead of printing it; anything else it logs reaches the console as usual. The extension
 * logs through {@link System.Logger}, which the JDK backs with java.util.logging unless an
 * application installs another backend. Safe with tests running in parallel.
 */
final class LogCapture implements AutoCloseable {
  private static final Logger LOGGER = Logger.getLogger(NetNsExtension.class.getName());
  private static final List<LogCapture> OPEN = new ArrayList<>();
  private static final Handler ROUTER = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (OPEN) {
        for (LogCapture capture : OPEN) {
          if (record.getMessage() != null && record.getMessage().contains(capture.fragment)) {
            capture.records.add(record);
            return;
          }
        }
      }
      for (Handler handler : Logger.getLogger("").getHandlers()) {
        handler.publish(record); // as if nothing were captured
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private final String fragment;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private LogCapture(String fragment) {
    this.fragment = fragment;
  }

  /** Captures the records whose message contains {@code fragment}, e.g. a fixture's name. */
  static LogCapture of(String fragment) {
    LogCapture capture = new LogCapture(fragment);
    synchronized (OPEN) {
      if (OPEN.isEmpty()) {
        LOGGER.addHandler(ROUTER);
        LOGGER.setUseParentHandlers(false);
      }
      OPEN.add(capture);
    }
    return capture;
  }

  /** What was logged at {@code level}, in order. */
  List<String> messages(Level level) {
    return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
  }

  @Override
  public void close() {
    synchronized (OPEN) {
      OPEN.remove(this);
      if (OPEN.isEmpty()) {
        LOGGER.removeHandler(ROUTER);
        LOGGER.setUseParentHandlers(true);
      }
    }
  }
}
