package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart through the real Helm library (helm-java, Helm v3): strict lint, rendering with the
 * default and a production-like values file, every rendered document valid against the Kubernetes
 * JSON schemas, and values that break the schema or the chart's own rules refused.
 */
class HelmChartTest {

  static final Path CHART = DeployFiles.ROOT.resolve("helm/whispyrkeep");
  static final Path PRODUCTION = CHART.resolve("ci/production-values.yaml");

  /** The Kubernetes version of the schemas in ../shared/corpora. */
  static final String KUBE_VERSION = "1.32.2";

  static TemplateCommand template() {
    return new Helm(CHART)
        .template()
        .withName("whispyrkeep")
        .withNamespace("whispyrkeep")
        .withKubeVersion(KUBE_VERSION);
  }

  static String render(Path valuesFile) {
    TemplateCommand template = template();
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    return template.call();
  }

  static Path resource(String name) {
    return DeployFiles.ROOT.resolve("deploy-checks/src/test/resources").resolve(name);
  }

  @Test
  void lint_strictWithDefaultValues_passes() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void template_defaultValues_everyDocumentValidAgainstKubernetesSchemas() {
    List<JsonNode> documents = DeployFiles.documents(render(null));

    assertThat(documents).extracting(DeployFiles::typeOf).contains("apps/v1/Deployment");
    assertThat(documents.stream().flatMap(d -> DeployFiles.schemaErrors(d).stream())).isEmpty();
  }

  @Test
  void template_productionValues_everyDocumentValidAgainstKubernetesSchemas() {
    List<JsonNode> documents = DeployFiles.documents(render(PRODUCTION));

    assertThat(documents)
        .extracting(DeployFiles::typeOf)
        .contains("monitoring.coreos.com/v1/ServiceMonitor", "networking.k8s.io/v1/Ingress");
    assertThat(documents.stream().flatMap(d -> DeployFiles.schemaErrors(d).stream())).isEmpty();
  }

  @Test
  void template_valuesOfWrongTypes_refusedBySchema() {
    assertThatThrownBy(() -> render(resource("invalid-values.yaml")))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("replicaCount")
        .hasMessageContaining("digest")
        .hasMessageContaining("runAsUser")
        .hasMessageContaining("imagePullPolicy")
        .hasMessageContaining("bogusKey");
  }

  @Test
  void template_networkPolicyPeersOpenToEverything_refusedBySchema() {
    assertThatThrownBy(() -> render(resource("open-network-values.yaml")))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("/ingress/controller/namespaceSelector': minProperties")
        .hasMessageContaining("/ingress/controller/podSelector': minProperties")
        .hasMessageContaining("/kafka/namespaceSelector': minProperties")
        .hasMessageContaining("/kafka/podSelector': minProperties")
        .hasMessageContaining("/postgres/namespaceSelector': minProperties")
        .hasMessageContaining("/postgres/podSelector': minProperties")
        .hasMessageContaining("/vault/namespaceSelector': minProperties")
        .hasMessageContaining("/vault/podSelector': minProperties")
        .hasMessageContaining("/networkPolicy/dns/namespaceSelector': minProperties")
        .hasMessageContaining("/networkPolicy/dns/podSelector': minProperties")
        .hasMessageContaining("/networkPolicy/providers/except': no items match contains");
  }

  @Test
  void template_plainHttpVault_refusedBySchema() {
    assertThatThrownBy(() -> template().set("vault.url", "http://vault.vault.svc:8200").call())
        .hasMessageContaining("/vault/url");
  }

  @Test
  void template_everyAddressTrustedAsProxy_refusedBySchema() {
    for (String cidrs : List.of("0.0.0.0/0", "128.0.0.0/1", "::/0")) {
      assertThatThrownBy(() -> template().set("ingress.trustedProxies", cidrs).call())
          .as(cidrs)
          .hasMessageContaining("/ingress/trustedProxies");
    }
  }

  @Test
  void template_secretLookingExtraEnv_refusedBySchema() {
    assertThatThrownBy(
            () -> template().set("services.turn.extraEnv.WK_CLIENT_SECRET", "plain").call())
        .hasMessageContaining("invalid propertyName 'WK_CLIENT_SECRET'");
  }

  @Test
  void template_extraEnvOverridingSecuritySettings_refusedBySchema() {
    assertThatThrownBy(() -> render(resource("security-extra-env-values.yaml")))
        .hasMessageContaining("invalid propertyName 'QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING'")
        .hasMessageContaining("invalid propertyName 'QUARKUS_VAULT_TLS_SKIP_VERIFY'")
        .hasMessageContaining("invalid propertyName 'QUARKUS_DATASOURCE_REACTIVE_TRUST_ALL'")
        .hasMessageContaining("invalid propertyName 'JAVA_TOOL_OPTIONS'");
  }

  @Test
  void template_operationalExtraEnv_accepted() {
    assertThat(template().set("services.turn.extraEnv.QUARKUS_LOG_LEVEL", "DEBUG").call())
        .contains("QUARKUS_LOG_LEVEL: \"DEBUG\"");
  }

  @Test
  void template_imageTagInsteadOfDigest_refused() {
    assertThatThrownBy(() -> template().set("services.auth.image.digest", "latest").call())
        .hasMessageContaining("digest");
  }

  @Test
  void template_severalRuleViolations_allReportedInOneFailure() {
    assertThatThrownBy(
            () ->
                template()
                    .set("services.auth.autoscaling.minReplicas", 5)
                    .set("services.auth.autoscaling.maxReplicas", 3)
                    .set("services.turn.pdbMinAvailable", 2)
                    .set("frontendOrigin", "http://evil.example.com")
                    .call())
        .hasMessageContaining("invalid values")
        .hasMessageContaining("services.auth.autoscaling.minReplicas (5) is above maxReplicas (3)")
        .hasMessageContaining("services.turn.pdbMinAvailable (2) must be below")
        .hasMessageContaining("frontendOrigin http://evil.example.com must be https");
  }
}
