package io.whispyrkeep.platform.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Runs every log record through {@link Redactor} and {@link ControlCharacters} before any handler
 * writes it: the message with its parameters, and the messages of attached exceptions. So no secret
 * reaches a log, and no value from outside (a header, a Kafka property name, an event field) can
 * forge a log line with CR/LF or drive a terminal with escape sequences, whichever code logged it.
 * Enabled for the console and file handlers by the platform's default configuration ({@code
 * quarkus.log.console.filter}).
 */
@LoggingFilter(name = RedactingLogFilter.NAME)
public final class RedactingLogFilter implements Filter {

  public static final String NAME = "whispyrkeep-redaction";

  @Override
  public boolean isLoggable(LogRecord record) {
    String formatted = formattedMessage(record);
    String redacted = clean(formatted);
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

  /** What a log line may show of a text: secrets masked, control characters escaped. */
  static String clean(String text) {
    return ControlCharacters.escape(Redactor.redact(text));
  }

  /**
   * Rebuilds the cause chain only when a message carries a secret or a control character; stack
   * traces are kept.
   */
  private static Throwable redactThrowable(Throwable thrown) {
    if (!chainNeedsRedaction(thrown)) {
      return thrown;
    }
    return copy(thrown, 0);
  }

  private static boolean chainNeedsRedaction(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.equals(clean(message))) {
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
    RedactedException copy = new RedactedException(prefix + clean(original.getMessage()));
    copy.setStackTrace(original.getStackTrace());
    Throwable cause = original.getCause();
    if (cause != null && cause != original && depth < 16) {
      copy.initCause(copy(cause, depth + 1));
    }
    return copy;
  }

  /** Stands in for an exception whose message had to be cleaned; keeps its type and stack. */
  static final class RedactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedException(String message) {
      super(message);
    }
  }
}
