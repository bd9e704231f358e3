package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml without a Docker engine: valid against the Compose specification's JSON schema
 * (../shared/corpora/compose-spec, Draft 7), and the rules: images pinned by digest, only the
 * ingress publishes a port and only on 127.0.0.1, everything else on the internal network only,
 * healthchecks and healthy-start ordering, non-root users, no plaintext secret.
 */
class ComposeFileTest {

  private static final Pattern PINNED =
      Pattern.compile(".+@(sha256:[0-9a-f]{64}|\\$\\{WK_[A-Z_]+_DIGEST:\\?[^}]+})");
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|SECRET|PRIVATE).*|.*_(KEY|TOKEN|SHA256)$|.*TOKEN.*");
  private static final Pattern FROM_ENV = Pattern.compile("\\$\\{WK_[A-Z0-9_]+:\\?[^}]+}");

  /** Parsed with SnakeYAML, which resolves the file's anchors and merge keys as Compose does. */
  private static JsonNode compose() {
    Object yaml = new Yaml().load(DeployFiles.read(DeployFiles.ROOT.resolve("docker-compose.yml")));
    return DeployFiles.JSON.valueToTree(yaml);
  }

  private static Map<String, JsonNode> services() {
    Map<String, JsonNode> services = new java.util.LinkedHashMap<>();
    compose()
        .path("services")
        .fields()
        .forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    return services;
  }

  private static boolean oneShot(JsonNode service) {
    return service.path("restart").asText().equals("no");
  }

  @Test
  void composeFile_validAgainstComposeSpecification() throws IOException {
    ObjectNode spec =
        (ObjectNode)
            DeployFiles.JSON.readTree(
                DeployFiles.CORPORA.resolve("compose-spec/compose-spec.json").toFile());
    // Its relative "$id" (compose_spec.json) is no URI the validator accepts; the draft is
    // explicit.
    spec.remove("$id");
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(spec);

    assertThat(schema.validate(compose())).isEmpty();
    ObjectNode broken = (ObjectNode) compose().deepCopy();
    ((ObjectNode) broken.path("services").path("postgres")).put("imagee", "postgres");
    ((ObjectNode) broken.path("services").path("kafka")).put("user", 1000);
    assertThat(schema.validate(broken).toString()).contains("imagee").contains("kafka.user");
  }

  @Test
  void services_theWholeSuite() {
    assertThat(services().keySet())
        .containsExactlyInAnyOrder(
            "postgres",
            "kafka",
            "kafka-init",
            "vault",
            "vault-init",
            "offline-narrator",
            "auth-service",
            "keyvault-service",
            "turn-service",
            "audit-migrate",
            "audit-service",
            "ingress");
  }

  @Test
  void images_pinnedByDigest() {
    services()
        .forEach(
            (name, service) ->
                assertThat(service.path("image").asText())
                    .as(name)
                    .matches(PINNED)
                    .doesNotContain(":latest"));
  }

  @Test
  void networks_onlyTheIngressLeavesTheInternalNetwork() {
    JsonNode networks = compose().path("networks");
    assertThat(networks.at("/internal/internal").asBoolean()).isTrue();

    services()
        .forEach(
            (name, service) -> {
              List<String> attached = new ArrayList<>();
              JsonNode net = service.path("networks");
              if (net.isArray()) {
                net.forEach(n -> attached.add(n.asText()));
              } else {
                net.fieldNames().forEachRemaining(attached::add);
              }
              if (name.equals("ingress")) {
                assertThat(attached).containsExactlyInAnyOrder("internal", "edge");
              } else {
                assertThat(attached).as(name).containsExactly("internal");
                assertThat(service.has("ports")).as(name + " publishes no port").isFalse();
              }
              assertThat(service.path("network_mode").asText()).as(name).isNotEqualTo("host");
            });
  }

  @Test
  void ports_boundTo127001Only() {
    JsonNode ports = services().get("ingress").path("ports");

    assertThat(ports).isNotEmpty();
    ports.forEach(p -> assertThat(p.asText()).startsWith("127.0.0.1:"));
  }

  @Test
  void ingress_routesTheFrontDoorsPathsOnly() {
    String nginx = DeployFiles.read(DeployFiles.ROOT.resolve("compose/nginx.conf"));
    Map<String, String> routes = new java.util.HashMap<>();
    var proxied =
        Pattern.compile("location (\\S+) \\{\\s*set \\$upstream http://([a-z-]+):[0-9]+;")
            .matcher(nginx);
    while (proxied.find()) {
      routes.put(proxied.group(1), proxied.group(2));
    }

    assertThat(routes).containsExactlyInAnyOrderEntriesOf(DeployFiles.ROUTES);
    assertThat(nginx.split("proxy_pass", -1)).hasSize(DeployFiles.ROUTES.size() + 1);
    assertThat(nginx).containsPattern("location / \\{\\s*return 404;");
  }

  @Test
  void services_healthcheckedAndStartedWhenHealthy() {
    services()
        .forEach(
            (name, service) -> {
              if (!oneShot(service)) {
                assertThat(service.at("/healthcheck/test")).as(name + " healthcheck").isNotEmpty();
              }
              service
                  .path("depends_on")
                  .fields()
                  .forEachRemaining(
                      dependency -> {
                        String condition = dependency.getValue().path("condition").asText();
                        String expected =
                            oneShot(services().get(dependency.getKey()))
                                ? "service_completed_successfully"
                                : "service_healthy";
                        assertThat(condition)
                            .as(name + " -> " + dependency.getKey())
                            .isEqualTo(expected);
                      });
            });
    assertThat(services().get("ingress").path("depends_on").size()).isEqualTo(4);
  }

  @Test
  void containers_nonRootReadOnlyWithoutCapabilities() {
    services()
        .forEach(
            (name, service) -> {
              String user = service.path("user").asText();
              assertThat(user).as(name).matches("[1-9][0-9]*(:[0-9]+)?");
              assertThat(service.path("read_only").asBoolean()).as(name).isTrue();
              assertThat(service.path("cap_drop").toString()).as(name).contains("ALL");
              assertThat(service.has("privileged")).as(name).isFalse();
              assertThat(service.path("security_opt").toString())
                  .as(name)
                  .contains("no-new-privileges:true");
            });
    for (String service : DeployFiles.SERVICES) {
      assertThat(services().get(service).path("user").asText()).isEqualTo("1000:1000");
    }
  }

  @Test
  void secrets_onlyFromDotEnvOrSecretFiles() {
    services()
        .forEach(
            (name, service) ->
                service
                    .path("environment")
                    .fields()
                    .forEachRemaining(
                        env -> {
                          String where = name + "." + env.getKey();
                          String value = env.getValue().asText();
                          if (SECRET_NAME.matcher(env.getKey()).matches()) {
                            assertThat(value).as(where).matches(FROM_ENV);
                          }
                          assertThat(value).as(where).doesNotContain("-----BEGIN");
                        }));
    compose()
        .path("secrets")
        .forEach(s -> assertThat(s.path("file").asText()).startsWith("./.local/compose/"));
    assertThat(DeployFiles.read(DeployFiles.ROOT.resolve(".gitignore")))
        .containsPattern("(?m)^\\.env$")
        .containsPattern("(?m)^\\.local/$");
  }

  @Test
  void envExample_placeholdersOnlyAndEveryVariableOfTheComposeFile() throws IOException {
    Properties example = new Properties();
    example.load(new StringReader(DeployFiles.read(DeployFiles.ROOT.resolve(".env.example"))));
    Set<String> allowed =
        Set.of("change-me", "admin@whispyrkeep.local", "whispyrkeep", "http://127.0.0.1:8080");

    example.forEach(
        (key, value) -> {
          if (key.toString().endsWith("_DIGEST")) {
            assertThat(value.toString()).as(key.toString()).isEqualTo("sha256:" + "0".repeat(64));
          } else {
            assertThat(allowed).as(key.toString()).contains(value.toString());
          }
        });
    var used =
        Pattern.compile("\\$\\{(WK_[A-Z0-9_]+)")
            .matcher(DeployFiles.read(DeployFiles.ROOT.resolve("docker-compose.yml")));
    while (used.find()) {
      assertThat(example).as(used.group(1)).containsKey(used.group(1));
    }
  }
}
