package io.whispyrkeep.platform.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Runs every log record through {@link Redactor} before any handler writes it: the message with its
 * parameters, and the messages of attached exceptions. Enabled for the console and file handlers by
 * the platform's default configuration ({@code quarkus.log.console.filter}).
 */
@LoggingFilter(name = RedactingLogFilter.NAME)
public final class RedactingLogFilter implements Filter {

  public static final String NAME = "whispyrkeep-redaction";

  @Override
  public boolean isLoggable(LogRecord record) {
    String formatted = formattedMessage(record);
    String redacted = Redactor.redact(formatted);
    if (record instanceof ExtLogRecord ext) {
      ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
    } else {
      record.setMessage(redacted);
    }
    record.setParameters(null);
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      record.setThrown(redactThrowable(thrown));
    }
    return true;
  }

  private static String formattedMessage(LogRecord record) {
    if (record instanceof ExtLogRecord ext) {
      return ext.getFormattedMessage();
    }
    return record.getMessage();
  }

  /** Rebuilds the cause chain only when a message carries a secret; stack traces are kept. */
  private static Throwable redactThrowable(Throwable thrown) {
    if (!chainNeedsRedaction(thrown)) {
      return thrown;
    }
    return copy(thrown, 0);
  }

  private static boolean chainNeedsRedaction(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.equals(Redactor.redact(message))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static Throwable copy(Throwable original, int depth) {
    // Several handlers filter the same record: a copy made by an earlier pass keeps its name.
    String prefix =
        original instanceof RedactedException ? "" : original.getClass().getName() + ": ";
    RedactedException copy = new RedactedException(prefix + Redactor.redact(original.getMessage()));
    copy.setStackTrace(original.getStackTrace());
    Throwable cause = original.getCause();
    if (cause != null && cause != original && depth < 16) {
      copy.initCause(copy(cause, depth + 1));
    }
    return copy;
  }

  /** Stands in for an exception whose message had to be masked; keeps its type and stack. */
  static final class RedactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedException(String message) {
      super(message);
    }
  }
}
