package io.whispyrkeep.platform.db;

import io.vertx.pgclient.PgException;
import java.sql.SQLException;

/**
 * PostgreSQL errors recognised by their SQLSTATE, never by message text, through whichever wrapper
 * carries them: the Vert.x client's {@link PgException}, or the {@link SQLException} Hibernate
 * Reactive puts around it.
 */
public final class SqlStates {

  /** {@code unique_violation}: a unique index refused a row. */
  public static final String UNIQUE_VIOLATION = "23505";

  private SqlStates() {}

  /** The SQLSTATE of the first database error in the cause chain, or null. */
  public static String of(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PgException pg) {
        return pg.getSqlState();
      }
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  /** True when a unique index refused the row (two writers raced, and the index decided). */
  public static boolean isUniqueViolation(Throwable failure) {
    return UNIQUE_VIOLATION.equals(of(failure));
  }
}
