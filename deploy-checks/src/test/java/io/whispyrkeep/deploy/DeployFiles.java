package io.whispyrkeep.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where the deployment files are and how they are read: YAML documents as JSON trees, validated
 * against the JSON schemas in {@code ../shared/corpora/} (beside the checkout, never copied into
 * it), and as fabric8 typed objects.
 */
final class DeployFiles {

  static final Path ROOT = root();
  static final Path CORPORA = ROOT.resolve("../shared/corpora").normalize();
  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();
  static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  /** The four services the chart deploys, by name. */
  static final List<String> SERVICES =
      List.of("auth-service", "keyvault-service", "turn-service", "audit-service");

  /**
   * The front door's routes (path prefix to service), the same as the local launcher's {@code
   * FrontDoor.routes}: the Helm Ingress and the compose ingress route exactly these, so {@code
   * /internal/*} and {@code /q/*} are never reachable from outside.
   */
  static final Map<String, String> ROUTES =
      Map.of(
          "/auth", "auth-service",
          "/.well-known", "auth-service",
          "/keys", "keyvault-service",
          "/admin/keys", "keyvault-service",
          "/campaigns", "turn-service",
          "/audit", "audit-service");

  /** CRD schemas: Strimzi 1.2.0 (serves kafka.strimzi.io/v1 only) and CloudNativePG 1.30.0. */
  private static final Map<String, String> CRD_SCHEMAS =
      Map.of(
          "kafka.strimzi.io/v1/Kafka", "k8s-crds/strimzi-1.2.0/jsonschema/kafka_v1.strict.json",
          "kafka.strimzi.io/v1/KafkaNodePool",
              "k8s-crds/strimzi-1.2.0/jsonschema/kafkanodepool_v1.strict.json",
          "kafka.strimzi.io/v1/KafkaTopic",
              "k8s-crds/strimzi-1.2.0/jsonschema/kafkatopic_v1.strict.json",
          "kafka.strimzi.io/v1/KafkaUser",
              "k8s-crds/strimzi-1.2.0/jsonschema/kafkauser_v1.strict.json",
          "postgresql.cnpg.io/v1/Cluster",
              "k8s-crds/cloudnative-pg-v1.30.0/jsonschema/cluster_v1.strict.json",
          "postgresql.cnpg.io/v1/Database",
              "k8s-crds/cloudnative-pg-v1.30.0/jsonschema/database_v1.strict.json");

  /** Kinds for which the corpora hold no schema; checked field by field instead. */
  static final Set<String> WITHOUT_SCHEMA = Set.of("monitoring.coreos.com/v1/ServiceMonitor");

  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private DeployFiles() {}

  private static Path root() {
    String configured = System.getProperty("whispyrkeep.root");
    Path path = configured != null ? Path.of(configured) : Path.of("..");
    return path.toAbsolutePath().normalize();
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty document of a (multi-document) YAML text. */
  static List<JsonNode> documents(String yaml) {
    try (var parser = new YAMLFactory().createParser(yaml)) {
      List<JsonNode> documents = new ArrayList<>();
      var iterator = YAML.readValues(parser, JsonNode.class);
      while (iterator.hasNext()) {
        JsonNode node = iterator.next();
        if (node != null && !node.isNull() && !node.isMissingNode() && node.size() > 0) {
          documents.add(node);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of every YAML file under a folder. */
  static List<JsonNode> documentsUnder(Path folder) {
    try (var files = Files.walk(folder)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml"))
          .sorted()
          .flatMap(p -> documents(read(p)).stream())
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String typeOf(JsonNode document) {
    return document.path("apiVersion").asText() + "/" + document.path("kind").asText();
  }

  /** The schema for a document's apiVersion and kind, or null when the corpora have none. */
  static JsonSchema kubernetesSchema(JsonNode document) {
    String type = typeOf(document);
    if (WITHOUT_SCHEMA.contains(type)) {
      return null;
    }
    String relative = CRD_SCHEMAS.get(type);
    if (relative == null) {
      String apiVersion = document.path("apiVersion").asText();
      String kind = document.path("kind").asText().toLowerCase();
      int slash = apiVersion.indexOf('/');
      String name =
          slash < 0
              ? kind + "-" + apiVersion
              : kind
                  + "-"
                  + apiVersion.substring(0, slash).split("\\.")[0]
                  + "-"
                  + apiVersion.substring(slash + 1);
      relative = "k8s-schemas/v1.32.2-standalone-strict/" + name + ".json";
    }
    return SCHEMAS.computeIfAbsent(relative, DeployFiles::loadDraft4);
  }

  /** Draft 4, chosen explicitly: the files' unversioned "$schema" names no draft. */
  private static JsonSchema loadDraft4(String relative) {
    Path file = CORPORA.resolve(relative);
    if (!Files.exists(file)) {
      throw new IllegalStateException("no schema " + file + " (is ../shared beside the checkout?)");
    }
    try {
      ObjectNode schema = (ObjectNode) JSON.readTree(file.toFile());
      schema.remove("$schema");
      schema.remove("id");
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schema's complaints about a document, each prefixed with the document's kind and name. */
  static List<String> schemaErrors(JsonNode document) {
    JsonSchema schema = kubernetesSchema(document);
    if (schema == null) {
      return List.of();
    }
    // Quantities and IntOrString are written as YAML numbers or strings: compare as JSON.
    JsonNode json = JSON.valueToTree(document);
    Set<ValidationMessage> messages = schema.validate(json);
    String name = typeOf(document) + " " + document.path("metadata").path("name").asText();
    return messages.stream().map(m -> name + ": " + m.getMessage()).sorted().toList();
  }

  static HasMetadata typed(JsonNode document) {
    return KUBERNETES.convertValue(document, HasMetadata.class);
  }
}
