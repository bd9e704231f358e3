package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images' definitions, checked statically (no Docker engine here): base pinned by digest,
 * runtime user 1000, COPY of build output only (no ADD, no secret file, no secret ENV or ARG),
 * Quarkus fast-jar layout for the services, heap sized from the container's memory.
 */
class DockerfileTest {

  private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+)");
  private static final Pattern USER = Pattern.compile("(?m)^USER\\s+(\\S+)");
  private static final Pattern SECRET_WORD =
      Pattern.compile("(?i).*(password|secret|token|private|\\.pem|\\.key|\\.env|credential).*");

  private static String dockerfile(String module) {
    return DeployFiles.read(
        DeployFiles.ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));
  }

  private static List<String> instructions(String text, String keyword) {
    return text.replace("\\\n", " ").lines().filter(l -> l.startsWith(keyword + " ")).toList();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "auth-service",
        "keyvault-service",
        "turn-service",
        "audit-service",
        "offline-narrator"
      })
  void dockerfile_pinnedNonRootNoSecret(String module) {
    String text = dockerfile(module);

    Matcher from = FROM.matcher(text);
    assertThat(from.find()).isTrue();
    assertThat(from.group(1))
        .matches("registry\\.access\\.redhat\\.com/ubi9/openjdk-17-runtime@sha256:[0-9a-f]{64}");
    assertThat(from.find()).as("single stage").isFalse();
    Matcher user = USER.matcher(text);
    String last = null;
    while (user.find()) {
      last = user.group(1);
    }
    assertThat(last).isEqualTo("1000:1000");
    assertThat(instructions(text, "ADD")).isEmpty();
    assertThat(instructions(text, "COPY"))
        .isNotEmpty()
        .allMatch(c -> c.contains(" target/"))
        .noneMatch(c -> SECRET_WORD.matcher(c).matches());
    assertThat(instructions(text, "ENV")).noneMatch(c -> SECRET_WORD.matcher(c).matches());
    assertThat(instructions(text, "ARG")).noneMatch(c -> SECRET_WORD.matcher(c).matches());
    String entrypoint = instructions(text, "ENTRYPOINT").get(0);
    assertThat(entrypoint).contains("-XX:MaxRAMPercentage=").doesNotContain("-Xmx");
    assertThat(entrypoint).contains("-Djava.io.tmpdir=/tmp").startsWith("ENTRYPOINT [");
  }

  @ParameterizedTest
  @ValueSource(strings = {"auth-service", "keyvault-service", "turn-service", "audit-service"})
  void dockerfile_quarkusFastJarLayout(String module) {
    String text = dockerfile(module);

    assertThat(instructions(text, "COPY"))
        .anyMatch(c -> c.contains("target/quarkus-app/lib/ /deployments/lib/"))
        .anyMatch(c -> c.contains("target/quarkus-app/*.jar /deployments/"))
        .anyMatch(c -> c.contains("target/quarkus-app/app/ /deployments/app/"))
        .anyMatch(c -> c.contains("target/quarkus-app/quarkus/ /deployments/quarkus/"));
    assertThat(instructions(text, "ENTRYPOINT").get(0)).contains("/deployments/quarkus-run.jar");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ".",
        "auth-service",
        "keyvault-service",
        "turn-service",
        "audit-service",
        "offline-narrator"
      })
  void dockerignore_keepsSecretsOutOfTheContext(String folder) {
    Path file = DeployFiles.ROOT.resolve(folder).resolve(".dockerignore");
    List<String> lines =
        DeployFiles.read(file).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();

    assertThat(lines.get(0)).as("everything excluded unless listed").isEqualTo("**");
    assertThat(lines).contains(".env", ".local/", "**/*.pem", "**/*.key", "**/secrets/");
    String lastInclude =
        lines.stream().filter(l -> l.startsWith("!")).reduce((a, b) -> b).orElseThrow();
    assertThat(lines.indexOf("**/*.pem"))
        .as("secret patterns come after the includes, so they win")
        .isGreaterThan(lines.lastIndexOf(lastInclude));
  }
}
