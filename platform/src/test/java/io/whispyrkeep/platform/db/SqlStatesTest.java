package io.whispyrkeep.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A lost race (a registration, a rewrap start) is recognised by SQLSTATE alone, wherever in the
 * cause chain.
 */
class SqlStatesTest {

  @Test
  void isUniqueViolation_pgExceptionWith23505DeepInTheChain_true() {
    PgException unique = new PgException("some text", "ERROR", "23505", null);

    assertThat(
            SqlStates.isUniqueViolation(
                new CompletionException(new IllegalStateException("flush failed", unique))))
        .isTrue();
  }

  @Test
  void isUniqueViolation_jdbcExceptionWith23505_true() {
    assertThat(SqlStates.isUniqueViolation(new SQLException("text", "23505"))).isTrue();
  }

  @Test
  void isUniqueViolation_messageQuotes23505ButStateIsAnother_false() {
    PgException check =
        new PgException(
            "duplicate key value violates unique constraint (23505)", "ERROR", "23514", null);

    assertThat(SqlStates.isUniqueViolation(check)).isFalse();
    assertThat(
            SqlStates.isUniqueViolation(
                new IllegalStateException("ERROR: duplicate key value, SQLSTATE 23505")))
        .isFalse();
  }

  @Test
  void of_firstDatabaseErrorInTheChain_orNull() {
    assertThat(
            SqlStates.of(new CompletionException(new PgException("text", "ERROR", "22001", null))))
        .isEqualTo("22001");
    assertThat(SqlStates.of(new IllegalStateException("no database here"))).isNull();
  }
}
