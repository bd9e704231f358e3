package io.whispyrkeep.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/**
 * Public third-party test material in {@code ../shared/corpora/} beside the checkout (each folder
 * has a SOURCE.txt), found from the {@code whispyrkeep.root} property the root POM sets.
 */
public final class SharedCorpora {

  private SharedCorpora() {}

  /** The corpus folder {@code name}; fails the test if it is not there. */
  public static Path dir(String name) {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    Path dir = root.resolve("../shared/corpora").resolve(name).normalize();
    assertThat(dir).as("corpus %s beside the checkout (../shared/corpora)", name).isDirectory();
    return dir;
  }
}
