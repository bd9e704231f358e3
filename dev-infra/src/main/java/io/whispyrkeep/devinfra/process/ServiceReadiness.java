package io.whispyrkeep.devinfra.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits until a service started in a child JVM answers 200 on {@code /q/health/ready}, as
 * Kubernetes' readiness probe would; fails at once if the process exits. The launcher, the
 * benchmarks and the process tests all wait this one way.
 */
public final class ServiceReadiness {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private ServiceReadiness() {}

  /**
   * Polls {@code base + /q/health/ready} until it answers 200.
   *
   * @throws IllegalStateException if the process exits first or {@code timeout} passes; the message
   *     names {@code what} (e.g. the service and where its log is)
   */
  public static void await(URI base, Process process, Duration timeout, String what)
      throws InterruptedException {
    URI ready = base.resolve("/q/health/ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(what + " exited before it was ready");
      }
      if (isReady(ready)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL.toMillis());
    }
    throw new IllegalStateException(what + " not ready after " + timeout.toSeconds() + " s");
  }

  private static boolean isReady(URI ready) throws InterruptedException {
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false; // not listening yet
    }
  }
}
