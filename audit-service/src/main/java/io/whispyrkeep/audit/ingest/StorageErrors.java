package io.whispyrkeep.audit.ingest;

import io.whispyrkeep.platform.db.SqlStates;

/**
 * Tells a record that PostgreSQL will never accept from a failure worth retrying, by SQLSTATE
 * (never by message text). Data errors (class 22, data exception: a NUL in a string, a value out of
 * range) and integrity errors (class 23) belong to the row: storing it again fails again, so it is
 * dead-lettered. Everything else is retried: lost connections (class 08), serialization failures
 * and deadlocks (40001, 40P01), exhausted resources (class 53), an administrator's shutdown or a
 * failover (57P01-57P03), and operator-fixable states such as a missing privilege (42501), which a
 * stall alert makes visible instead of losing events.
 */
final class StorageErrors {

  private StorageErrors() {}

  /** True when the failure is PostgreSQL refusing the data itself (SQLSTATE class 22 or 23). */
  static boolean isDataError(Throwable failure) {
    String state = SqlStates.of(failure);
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }
}
