package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * k8s/ (applied once by the SRE before the chart): every document valid against the Kubernetes,
 * Strimzi and CloudNativePG schemas in ../shared/corpora, and the rules the suite depends on (topic
 * names from the code, exact ACLs, PSA labels, TLS-only PostgreSQL, one role per service).
 */
class ClusterPrerequisitesTest {

  private static final Path K8S = DeployFiles.ROOT.resolve("k8s");

  private static List<JsonNode> documents() {
    return DeployFiles.documentsUnder(K8S);
  }

  private static List<JsonNode> ofKind(String kind) {
    return documents().stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  @Test
  void everyDocument_validAgainstItsSchema() {
    List<JsonNode> documents = documents();

    assertThat(documents)
        .extracting(DeployFiles::typeOf)
        .contains(
            "v1/Namespace",
            "kafka.strimzi.io/v1/Kafka",
            "kafka.strimzi.io/v1/KafkaNodePool",
            "kafka.strimzi.io/v1/KafkaTopic",
            "kafka.strimzi.io/v1/KafkaUser",
            "postgresql.cnpg.io/v1/Cluster",
            "postgresql.cnpg.io/v1/Database");
    assertThat(documents).allMatch(d -> DeployFiles.kubernetesSchema(d) != null);
    assertThat(documents.stream().flatMap(d -> DeployFiles.schemaErrors(d).stream())).isEmpty();
    assertThat(documents.stream().map(DeployFiles::typed))
        .allMatch(o -> o.getMetadata().getName() != null);
  }

  @Test
  void namespace_podSecurityRestrictedInEveryMode() {
    HasMetadata namespace = DeployFiles.typed(ofKind("Namespace").get(0));

    assertThat(namespace).isInstanceOf(Namespace.class);
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted");
  }

  @Test
  void kafka_kraftNodePoolsAndOnlyTlsListenersWithAuthentication() {
    JsonNode kafka = ofKind("Kafka").get(0);
    GenericKubernetesResource typed = (GenericKubernetesResource) DeployFiles.typed(kafka);

    assertThat(typed.getMetadata().getName()).isEqualTo("whispyrkeep-kafka");
    assertThat(kafka.at("/spec/zookeeper").isMissingNode()).isTrue();
    for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
      assertThat(listener.path("tls").asBoolean()).as(listener.toString()).isTrue();
      assertThat(listener.at("/authentication/type").asText()).isEqualTo("scram-sha-512");
    }
    assertThat(kafka.at("/spec/kafka/authorization/type").asText()).isEqualTo("simple");
    List<String> roles = new ArrayList<>();
    ofKind("KafkaNodePool").forEach(p -> p.at("/spec/roles").forEach(r -> roles.add(r.asText())));
    assertThat(roles).contains("controller", "broker");
    ofKind("KafkaNodePool").forEach(p -> assertThat(p.at("/spec/replicas").asInt()).isEqualTo(3));
  }

  @Test
  void topics_namesOfTheCodeReplicatedThreeTimesWithTwoInSync() {
    Map<String, JsonNode> topics = new HashMap<>();
    ofKind("KafkaTopic").forEach(t -> topics.put(t.at("/spec/topicName").asText(), t));

    assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(codeTopics());
    topics.forEach(
        (name, topic) -> {
          assertThat(topic.at("/spec/replicas").asInt()).as(name).isEqualTo(3);
          assertThat(topic.at("/spec/config/min.insync.replicas").asInt()).as(name).isEqualTo(2);
          assertThat(topic.at("/spec/partitions").asInt()).as(name).isGreaterThanOrEqualTo(3);
        });
    assertThat(topics.get("security.events").at("/spec/partitions").asInt())
        .isGreaterThanOrEqualTo(12);
  }

  /** The topic constants of io.whispyrkeep.platform.event.SecurityEventTopics, read from source. */
  private static Set<String> codeTopics() {
    String source =
        DeployFiles.read(
            DeployFiles.ROOT.resolve(
                "platform/src/main/java/io/whispyrkeep/platform/event/SecurityEventTopics.java"));
    Matcher matcher = Pattern.compile("static final String \\w+ = \"([^\"]+)\"").matcher(source);
    Set<String> topics = new TreeSet<>();
    while (matcher.find()) {
      topics.add(matcher.group(1));
    }
    assertThat(topics).contains("security.events");
    return topics;
  }

  private static Properties auditProperties() throws IOException {
    Properties properties = new Properties();
    properties.load(
        new StringReader(
            DeployFiles.read(
                DeployFiles.ROOT.resolve(
                    "audit-service/src/main/resources/application.properties"))));
    return properties;
  }

  @Test
  void kafkaUsers_oneScramUserPerServiceWithExactlyItsAcls() throws IOException {
    Properties audit = auditProperties();
    String events = audit.getProperty("mp.messaging.incoming.security-events.topic");
    String group = audit.getProperty("mp.messaging.incoming.security-events.group.id");
    String dlq = audit.getProperty("mp.messaging.outgoing.security-events-dlq.topic");
    Set<String> writesOnly = Set.of("topic:" + events + ":Write");
    Map<String, Set<String>> expected =
        Map.of(
            "auth-service", writesOnly,
            "keyvault-service", writesOnly,
            "turn-service", writesOnly,
            "audit-service",
                Set.of(
                    "topic:" + events + ":Write",
                    "topic:" + events + ":Read",
                    "group:" + group + ":Read",
                    "topic:" + dlq + ":Write",
                    "topic:security.alerts:Write"));

    Map<String, Set<String>> actual = new HashMap<>();
    for (JsonNode user : ofKind("KafkaUser")) {
      assertThat(user.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
      Set<String> acls = new TreeSet<>();
      for (JsonNode acl : user.at("/spec/authorization/acls")) {
        assertThat(acl.at("/resource/patternType").asText()).isEqualTo("literal");
        assertThat(acl.path("type").asText("allow")).isEqualTo("allow");
        for (JsonNode operation : acl.path("operations")) {
          acls.add(
              acl.at("/resource/type").asText()
                  + ":"
                  + acl.at("/resource/name").asText()
                  + ":"
                  + operation.asText());
        }
      }
      actual.put(user.at("/metadata/name").asText(), acls);
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void postgres_threeInstancesTlsOnlyAndOneRolePerService() {
    JsonNode cluster = ofKind("Cluster").get(0);

    assertThat(cluster.at("/spec/instances").asInt()).isEqualTo(3);
    assertThat(cluster.at("/spec/enableSuperuserAccess").asBoolean()).isFalse();
    List<String> hba = new ArrayList<>();
    cluster.at("/spec/postgresql/pg_hba").forEach(l -> hba.add(l.asText()));
    assertThat(hba.get(0)).isEqualTo("hostnossl all all 0.0.0.0/0 reject");
    assertThat(hba.get(1)).isEqualTo("hostnossl all all ::/0 reject");
    assertThat(hba).noneMatch(l -> l.startsWith("host ") || l.contains(" trust"));
    Map<String, String> roles = new HashMap<>();
    cluster
        .at("/spec/managed/roles")
        .forEach(r -> roles.put(r.path("name").asText(), r.at("/passwordSecret/name").asText()));
    assertThat(roles.keySet())
        .containsExactlyInAnyOrder(
            "wk_auth", "wk_keyvault", "wk_turn", "wk_audit", "wk_audit_runtime");
    assertThat(roles.values()).allMatch(s -> s.startsWith("whispyrkeep-pg-"));
    Map<String, String> owners = new HashMap<>();
    ofKind("Database")
        .forEach(d -> owners.put(d.at("/spec/name").asText(), d.at("/spec/owner").asText()));
    assertThat(owners)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "auth",
                "wk_auth",
                "keyvault",
                "wk_keyvault",
                "turn",
                "wk_turn",
                "audit",
                "wk_audit"));
  }

  @Test
  void postgres_reachableOnlyFromTheSuiteItselfAndTheOperator() {
    List<NetworkPolicy> policies =
        ofKind("NetworkPolicy").stream()
            .map(DeployFiles::typed)
            .map(NetworkPolicy.class::cast)
            .filter(
                p ->
                    "whispyrkeep-pg"
                        .equals(
                            p.getSpec().getPodSelector().getMatchLabels().get("cnpg.io/cluster")))
            .toList();

    assertThat(policies).hasSize(1);
    NetworkPolicy policy = policies.get(0);
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
    for (var rule : policy.getSpec().getIngress()) {
      assertThat(rule.getFrom()).isNotEmpty();
      assertThat(rule.getPorts()).isNotEmpty();
      for (var peer : rule.getFrom()) {
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getPodSelector().getMatchLabels()).isNotEmpty();
        if (peer.getNamespaceSelector() != null) {
          assertThat(peer.getNamespaceSelector().getMatchLabels()).isNotEmpty();
        }
        if ("whispyrkeep"
            .equals(peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/part-of"))) {
          // The chart's pods: SQL only, never the instance manager's port.
          assertThat(rule.getPorts())
              .extracting(p -> p.getPort().getIntVal())
              .containsExactly(5432);
        }
      }
    }
    assertThat(policy.getSpec().getIngress())
        .flatExtracting(r -> r.getFrom())
        .extracting(peer -> peer.getPodSelector().getMatchLabels())
        .contains(Map.of("app.kubernetes.io/part-of", "whispyrkeep"));
  }

  @Test
  void vault_roleBoundToKeyvaultServiceAccountWithTransitPolicy() {
    String setup = DeployFiles.read(K8S.resolve("vault/kubernetes-auth.sh"));
    String policy = DeployFiles.read(K8S.resolve("vault/keyvault-transit-policy.hcl"));

    assertThat(setup)
        .contains("auth/kubernetes/role/keyvault-service")
        .contains("bound_service_account_names=\"$SERVICE_ACCOUNT\"")
        .contains("SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-keyvault-service}")
        .contains("token_policies=keyvault-transit")
        .contains("audience=vault");
    assertThat(policy)
        .contains("path \"transit/decrypt/whispyrkeep-llm-keys\"")
        .doesNotContain("\"*\"");
  }

  @Test
  void vaultPolicy_exactlyTheTransitOperationsOnOneKey() {
    String policy =
        DeployFiles.read(K8S.resolve("vault/keyvault-transit-policy.hcl"))
            .replaceAll("(?m)^\\s*#.*$", "");
    Map<String, String> paths = new HashMap<>();
    Matcher block =
        Pattern.compile("path \"([^\"]+)\" \\{([^{}]*(?:\\{[^}]*\\}[^}]*)?)\\}").matcher(policy);
    while (block.find()) {
      paths.put(block.group(1), block.group(2).replaceAll("\\s+", " ").strip());
    }
    String key = "whispyrkeep-llm-keys";

    assertThat(paths)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "transit/encrypt/" + key, "capabilities = [\"update\"]",
                "transit/decrypt/" + key, "capabilities = [\"update\"]",
                "transit/rewrap/" + key, "capabilities = [\"update\"]",
                "transit/keys/" + key, "capabilities = [\"read\"]",
                "transit/keys/" + key + "/rotate", "capabilities = [\"update\"]",
                "transit/keys/" + key + "/config",
                    "capabilities = [\"update\"] allowed_parameters = {"
                        + " \"min_decryption_version\" = [] }"));
    assertThat(policy.split("path \"", -1)).hasSize(paths.size() + 1);
  }

  @Test
  void postgres_pgHbaLetsEachRoleIntoItsOwnDatabaseOnlyOverTls() {
    List<String> hba = new ArrayList<>();
    ofKind("Cluster").get(0).at("/spec/postgresql/pg_hba").forEach(l -> hba.add(l.asText()));

    assertThat(hba)
        .containsExactly(
            "hostnossl all all 0.0.0.0/0 reject",
            "hostnossl all all ::/0 reject",
            "hostssl auth wk_auth all scram-sha-256",
            "hostssl keyvault wk_keyvault all scram-sha-256",
            "hostssl turn wk_turn all scram-sha-256",
            "hostssl audit wk_audit,wk_audit_runtime all scram-sha-256",
            "hostssl all all all reject");
  }

  @Test
  void schemas_misspeltOrWronglyTypedField_rejected() {
    ObjectNode kafka = (ObjectNode) ofKind("Kafka").get(0).deepCopy();
    ((ObjectNode) kafka.path("spec").path("kafka"))
        .set("listners", kafka.at("/spec/kafka/listeners"));
    ObjectNode cluster = (ObjectNode) ofKind("Cluster").get(0).deepCopy();
    ((ObjectNode) cluster.path("spec")).put("instances", "three");
    ObjectNode namespace = (ObjectNode) ofKind("Namespace").get(0).deepCopy();
    namespace.put("bogusField", true);

    assertThat(DeployFiles.schemaErrors(kafka)).anyMatch(e -> e.contains("listners"));
    assertThat(DeployFiles.schemaErrors(cluster)).anyMatch(e -> e.contains("instances"));
    assertThat(DeployFiles.schemaErrors(namespace)).anyMatch(e -> e.contains("bogusField"));
  }
}
