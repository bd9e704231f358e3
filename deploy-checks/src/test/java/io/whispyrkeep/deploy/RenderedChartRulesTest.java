package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of the deployment, checked on fabric8 typed objects rendered from the chart with the
 * default and the production-like values: restricted pods, probes, resources, a PDB, an HPA and a
 * NetworkPolicy per Deployment, images by digest only, no secret value in a ConfigMap or env, one
 * Ingress with TLS, headers and CORS for the frontend only.
 */
class RenderedChartRulesTest {

  private static final Pattern DIGEST = Pattern.compile(".+@sha256:[0-9a-f]{64}");
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|SECRET|PRIVATE).*|.*_(KEY|TOKEN|SHA256)$");
  private static final Pattern SECRET_VALUE =
      Pattern.compile(
          "(?s).*(-----BEGIN|password=|ScramLoginModule|\\bhvs\\.|\\bsk-[A-Za-z0-9]).*");

  static Stream<Arguments> renders() {
    return Stream.of(
        Arguments.of("default values", objects(null)),
        Arguments.of("production values", objects(HelmChartTest.PRODUCTION)));
  }

  private static List<HasMetadata> objects(Path values) {
    return DeployFiles.documents(HelmChartTest.render(values)).stream()
        .filter(d -> DeployFiles.kubernetesSchema(d) != null)
        .map(DeployFiles::typed)
        .toList();
  }

  private static <T> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  private static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getContainers());
    all.addAll(pod.getInitContainers());
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void deployments_oneRestrictedPodPerService(String values, List<HasMetadata> objects) {
    List<Deployment> deployments = ofKind(objects, Deployment.class);

    assertThat(deployments)
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(DeployFiles.SERVICES);
    for (Deployment deployment : deployments) {
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      String name = deployment.getMetadata().getName();
      assertThat(pod.getAutomountServiceAccountToken()).as(name).isFalse();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).as(name).isEqualTo(1000L);
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .as(name)
          .isEqualTo("RuntimeDefault");
      assertThat(pod.getTopologySpreadConstraints()).as(name).isNotEmpty();
      Volume tmp =
          pod.getVolumes().stream()
              .filter(v -> v.getName().equals("tmp"))
              .findFirst()
              .orElseThrow();
      assertThat(tmp.getEmptyDir()).as(name).isNotNull();
      for (Container container : containers(pod)) {
        String where = name + "/" + container.getName();
        var security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).as(where).isTrue();
        assertThat(security.getRunAsUser()).as(where).isEqualTo(1000L);
        assertThat(security.getAllowPrivilegeEscalation()).as(where).isFalse();
        assertThat(security.getPrivileged()).as(where).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).as(where).isTrue();
        assertThat(security.getCapabilities().getDrop()).as(where).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).as(where).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).as(where).isEqualTo("RuntimeDefault");
        assertThat(container.getVolumeMounts())
            .as(where)
            .anyMatch(m -> m.getMountPath().equals("/tmp") && m.getName().equals("tmp"));
        assertThat(container.getImage()).as(where).matches(DIGEST).doesNotContain(":latest");
        assertThat(container.getResources().getRequests()).as(where).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).as(where).containsKey("memory");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void deployments_probesOnQuarkusHealthEndpoints(String values, List<HasMetadata> objects) {
    for (Deployment deployment : ofKind(objects, Deployment.class)) {
      Container main = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      String name = deployment.getMetadata().getName();
      assertThat(main.getLivenessProbe().getHttpGet().getPath())
          .as(name)
          .isEqualTo("/q/health/live");
      assertThat(main.getReadinessProbe().getHttpGet().getPath())
          .as(name)
          .isEqualTo("/q/health/ready");
      assertThat(main.getStartupProbe().getHttpGet().getPath())
          .as(name)
          .isEqualTo("/q/health/started");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void deployments_eachHasPdbHpaOrReplicasAndNetworkPolicy(
      String values, List<HasMetadata> objects) {
    List<String> pdbs =
        ofKind(objects, PodDisruptionBudget.class).stream()
            .map(p -> p.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/name"))
            .toList();
    List<String> hpas =
        ofKind(objects, HorizontalPodAutoscaler.class).stream()
            .map(h -> h.getSpec().getScaleTargetRef().getName())
            .toList();
    List<NetworkPolicy> policies = ofKind(objects, NetworkPolicy.class);
    for (Deployment deployment : ofKind(objects, Deployment.class)) {
      String name = deployment.getMetadata().getName();
      Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(pdbs).as(name).contains(name);
      if (deployment.getSpec().getReplicas() == null) {
        assertThat(hpas).as(name + " scales by HPA").contains(name);
      } else {
        assertThat(deployment.getSpec().getReplicas()).as(name).isGreaterThan(1);
      }
      assertThat(policies)
          .as(name + " selected by a NetworkPolicy with Ingress and Egress")
          .anyMatch(
              p ->
                  labels
                          .entrySet()
                          .containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet())
                      && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress")));
    }
    assertThat(hpas).as("default values autoscale every service").isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void networkPolicies_defaultDenyAndOnlyTheSuitesFlows(String values, List<HasMetadata> objects) {
    List<NetworkPolicy> policies = ofKind(objects, NetworkPolicy.class);
    NetworkPolicy deny =
        policies.stream()
            .filter(p -> p.getMetadata().getName().endsWith("-default-deny"))
            .findFirst()
            .orElseThrow();
    assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
    assertThat(deny.getSpec().getEgress()).isNullOrEmpty();

    Map<String, NetworkPolicy> byService = new java.util.HashMap<>();
    policies.stream()
        .filter(p -> DeployFiles.SERVICES.contains(p.getMetadata().getName()))
        .forEach(p -> byService.put(p.getMetadata().getName(), p));
    assertThat(byService).containsOnlyKeys(DeployFiles.SERVICES);

    // turn -> keyvault: the only service-to-service flow besides auth.
    assertThat(egressPeers(byService.get("turn-service")))
        .contains("keyvault-service", "auth-service");
    assertThat(egressPeers(byService.get("auth-service"))).doesNotContain("keyvault-service");
    assertThat(egressPeers(byService.get("audit-service")))
        .contains("auth-service")
        .doesNotContain("keyvault-service");
    // keyvault alone reaches Vault and the providers (443, private ranges excluded).
    for (String service : DeployFiles.SERVICES) {
      boolean vault =
          byService.get(service).getSpec().getEgress().stream()
              .anyMatch(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 8200));
      assertThat(vault).as(service + " -> Vault").isEqualTo(service.equals("keyvault-service"));
      boolean dns =
          byService.get(service).getSpec().getEgress().stream()
              .anyMatch(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 53));
      assertThat(dns).as(service + " -> DNS").isTrue();
    }
    var providerRule =
        byService.get("keyvault-service").getSpec().getEgress().stream()
            .filter(r -> r.getTo().stream().anyMatch(t -> t.getIpBlock() != null))
            .findFirst()
            .orElseThrow();
    assertThat(providerRule.getPorts()).allMatch(p -> p.getPort().getIntVal() == 443);
    assertThat(providerRule.getTo().get(0).getIpBlock().getExcept()).contains("10.0.0.0/8");
    // Only turn-service (besides the ingress controller) may call keyvault-service.
    var keyvaultFrom =
        byService.get("keyvault-service").getSpec().getIngress().get(0).getFrom().stream()
            .filter(peer -> peer.getNamespaceSelector() == null)
            .map(peer -> peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))
            .toList();
    assertThat(keyvaultFrom).containsExactly("turn-service");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void networkPolicies_everyRuleNamesItsPeersAndPorts(String values, List<HasMetadata> objects) {
    for (NetworkPolicy policy : ofKind(objects, NetworkPolicy.class)) {
      String name = policy.getMetadata().getName();
      List<NetworkPolicyPeer> peers = new ArrayList<>();
      for (var rule : policy.getSpec().getIngress()) {
        assertThat(rule.getFrom()).as(name + " ingress from").isNotEmpty();
        assertThat(rule.getPorts()).as(name + " ingress ports").isNotEmpty();
        peers.addAll(rule.getFrom());
      }
      for (var rule : policy.getSpec().getEgress()) {
        assertThat(rule.getTo()).as(name + " egress to").isNotEmpty();
        assertThat(rule.getPorts()).as(name + " egress ports").isNotEmpty();
        peers.addAll(rule.getTo());
      }
      for (NetworkPolicyPeer peer : peers) {
        if (peer.getIpBlock() != null) {
          // Only keyvault-service's provider egress (checked on 443 with exclusions above).
          assertThat(name).as("ipBlock peer").isEqualTo("keyvault-service");
          assertThat(peer.getIpBlock().getExcept())
              .as(name)
              .contains(
                  "10.0.0.0/8",
                  "172.16.0.0/12",
                  "192.168.0.0/16",
                  "169.254.0.0/16",
                  "100.64.0.0/10");
        } else {
          assertThat(peer.getPodSelector()).as(name + " peer without pod selector").isNotNull();
          assertThat(peer.getPodSelector().getMatchLabels())
              .as(name + " peer selecting every pod")
              .isNotEmpty();
          if (peer.getNamespaceSelector() != null) {
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                .as(name + " peer in every namespace")
                .isNotEmpty();
          }
        }
      }
    }
  }

  private static List<String> egressPeers(NetworkPolicy policy) {
    return policy.getSpec().getEgress().stream()
        .map(NetworkPolicyEgressRule::getTo)
        .flatMap(List::stream)
        .filter(peer -> peer.getPodSelector() != null && peer.getNamespaceSelector() == null)
        .map(peer -> peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))
        .filter(Objects::nonNull)
        .toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void configAndEnv_noSecretValue(String values, List<HasMetadata> objects) {
    assertThat(objects).noneMatch(o -> o.getKind().equals("Secret"));
    for (ConfigMap configMap : ofKind(objects, ConfigMap.class)) {
      configMap
          .getData()
          .forEach(
              (key, value) -> {
                String where = configMap.getMetadata().getName() + "." + key;
                assertThat(key).as(where).doesNotMatch(SECRET_NAME);
                assertThat(value).as(where).doesNotMatch(SECRET_VALUE);
              });
    }
    for (Deployment deployment : ofKind(objects, Deployment.class)) {
      for (Container container : containers(deployment.getSpec().getTemplate().getSpec())) {
        for (EnvVar env : container.getEnv()) {
          String where = deployment.getMetadata().getName() + "/" + env.getName();
          if (SECRET_NAME.matcher(env.getName()).matches()) {
            assertThat(env.getValue()).as(where + " must come from a Secret").isNull();
            assertThat(env.getValueFrom().getSecretKeyRef()).as(where).isNotNull();
          } else if (env.getValue() != null) {
            assertThat(env.getValue()).as(where).doesNotMatch(SECRET_VALUE);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void serviceAccounts_noTokenMounted_keyvaultGetsVaultAudienceTokenOnly(
      String values, List<HasMetadata> objects) {
    assertThat(ofKind(objects, ServiceAccount.class))
        .hasSize(4)
        .allMatch(sa -> Boolean.FALSE.equals(sa.getAutomountServiceAccountToken()));
    for (Deployment deployment : ofKind(objects, Deployment.class)) {
      List<Volume> projected =
          deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
              .filter(v -> v.getProjected() != null)
              .toList();
      if (deployment.getMetadata().getName().equals("keyvault-service")) {
        assertThat(projected).hasSize(1);
        var token = projected.get(0).getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("vault");
        assertThat(token.getExpirationSeconds()).isLessThanOrEqualTo(3600L);
      } else {
        assertThat(projected).as(deployment.getMetadata().getName()).isEmpty();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void ingress_tlsRoutesHeadersAndCorsForFrontendOnly(String values, List<HasMetadata> objects) {
    List<Ingress> ingresses = ofKind(objects, Ingress.class);
    assertThat(ingresses).hasSize(1);
    Ingress ingress = ingresses.get(0);
    assertThat(ingress.getSpec().getTls()).hasSize(1);
    Map<String, String> routes = new java.util.HashMap<>();
    ingress
        .getSpec()
        .getRules()
        .get(0)
        .getHttp()
        .getPaths()
        .forEach(p -> routes.put(p.getPath(), p.getBackend().getService().getName()));
    assertThat(routes).containsExactlyInAnyOrderEntriesOf(DeployFiles.ROUTES);
    assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths())
        .allMatch(p -> p.getPathType().equals("Prefix"));
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    String origin =
        values.startsWith("production") ? "https://app.whispyrkeep.com" : "https://whispyrkeep.com";
    assertThat(annotations)
        .containsEntry("nginx.ingress.kubernetes.io/cors-allow-origin", origin)
        .containsEntry("nginx.ingress.kubernetes.io/force-ssl-redirect", "true");
    String headersRef = annotations.get("nginx.ingress.kubernetes.io/custom-headers");
    ConfigMap headers =
        ofKind(objects, ConfigMap.class).stream()
            .filter(c -> headersRef.endsWith("/" + c.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(headers.getData())
        .containsEntry("X-Frame-Options", "DENY")
        .containsEntry("X-Content-Type-Options", "nosniff")
        .containsEntry("Referrer-Policy", "no-referrer")
        .containsKeys("Content-Security-Policy", "Strict-Transport-Security");
    assertThat(headers.getData().get("Strict-Transport-Security")).startsWith("max-age=");
  }
}
