package io.whispyrkeep.launcher.journey;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The journey's failure path (its success path runs in {@code LocalSuiteTest} against the suite):
 * the first failed step is printed as {@code FAIL} with its reason and ends the journey, so {@code
 * ./run-local.sh --smoke} exits 1.
 */
class JourneyTest {

  @Test
  void noFrontDoor_firstStepFails_journeyStops() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    List<Journey.StepResult> results =
        new Journey(URI.create("http://127.0.0.1:" + port), Path.of("no-admin.env"))
            .run(new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(results).hasSize(1);
    assertThat(results.get(0).passed()).isFalse();
    assertThat(results.get(0).name()).isEqualTo("register a player");
    assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("FAIL").contains("register");
  }
}
