package io.whispyrkeep.testsupport.time;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The application's clock in Quarkus tests: real time plus an offset that tests move forward.
 * Active in every Quarkus test that has test-support on its class path (this jar is a bean
 * archive); with no offset it is the real clock.
 */
@Alternative
@Priority(1)
@Singleton
public class MutableClock extends Clock {

  private volatile Duration offset = Duration.ZERO;

  public void advance(Duration duration) {
    offset = offset.plus(duration);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }
}
