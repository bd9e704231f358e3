package io.whispyrkeep.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/**
 * Tells whether a Docker engine answers, so starters use Testcontainers only where it can work.
 * Checks cheaply first (no socket and no {@code DOCKER_HOST} means no engine) to avoid
 * Testcontainers' slow probing on machines without Docker.
 */
public final class DockerProbe {

  private static volatile Boolean available;

  private DockerProbe() {}

  public static boolean isDockerAvailable() {
    Boolean known = available;
    if (known == null) {
      boolean hint =
          System.getenv("DOCKER_HOST") != null
              || Files.exists(Path.of("/var/run/docker.sock"))
              || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run"));
      known = hint && probe();
      available = known;
    }
    return known;
  }

  private static boolean probe() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
