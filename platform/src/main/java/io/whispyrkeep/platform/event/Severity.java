package io.whispyrkeep.platform.event;

/** How urgently a security event needs a human; ordered from least to most urgent. */
public enum Severity {
  INFO,
  NOTICE,
  WARNING,
  CRITICAL
}
