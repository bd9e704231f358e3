package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.whispyrkeep.keyvault.outbound.BaseUrlRefusedException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SSRF guard against the public PayloadsAllTheThings bypass corpus ({@code
 * shared/corpora/ssrf}, beside the repository) and explicit cases. The stub resolver answers every
 * name with a public address unless the corpus (or a test) says the name resolves internally, so a
 * refusal can never come from a name merely failing to resolve.
 */
class BaseUrlGuardTest {

  private static final String PUBLIC_ADDRESS = "93.184.216.34";
  private static final Pattern NIP_IO = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)\\.nip\\.io$");

  private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private BaseUrlGuard guard;

  @BeforeEach
  void createGuard() {
    guard = new BaseUrlGuard(stub(), PublicAddresses::isPublic, Duration.ofSeconds(5));
  }

  /** {@link #resolve} as a resolver; the stub answers at once, so it runs on the caller. */
  private HostResolver stub() {
    return host ->
        Uni.createFrom()
            .emitter(
                emitter -> {
                  try {
                    emitter.complete(resolve(host));
                  } catch (UnknownHostException e) {
                    emitter.fail(e);
                  }
                });
  }

  /** The stub resolver: explicit answers, then the corpus' known rebinding names, else public. */
  private List<InetAddress> resolve(String host) throws UnknownHostException {
    lookups.incrementAndGet();
    List<InetAddress> explicit = answers.get(host);
    if (explicit != null) {
      if (explicit.isEmpty()) {
        throw new UnknownHostException("no such host (stub)");
      }
      return explicit;
    }
    Matcher nip = NIP_IO.matcher(host);
    if (nip.find()) {
      return List.of(InetAddress.getByName(nip.group(1)));
    }
    switch (host) {
      case "localtest.me":
      case "localh.st":
      case "xn--zca.localdomain.pw":
        return List.of(InetAddress.getByName("127.0.0.1"));
      case "make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms":
        // A rebinding name answers a public and an internal address.
        return List.of(InetAddress.getByName("1.2.3.4"), InetAddress.getByName("169.254.169.254"));
      default:
        return List.of(InetAddress.getByName(PUBLIC_ADDRESS));
    }
  }

  // ---- the public corpus -------------------------------------------------------------------

  @Test
  void check_everyInternalSpellingOfTheCorpus_isRefused() throws IOException {
    List<String> mustBlock = new ArrayList<>();
    mustBlock.addAll(corpus("urls-must-block.txt"));
    mustBlock.addAll(corpus("urls-invalid-must-reject.txt"));
    mustBlock.addAll(corpus("urls-non-http-scheme.txt"));
    mustBlock.addAll(corpus("urls-dns-resolving-internal.txt"));
    int checked = 0;
    List<String> accepted = new ArrayList<>();
    for (String url : mustBlock) {
      for (String spelling : List.of(url, asHttps(url))) {
        checked++;
        if (accepts(spelling)) {
          accepted.add(spelling);
        }
      }
    }

    assertThat(checked).isGreaterThan(3000);
    assertThat(accepted).as("internal targets the guard let through").isEmpty();
  }

  @Test
  void check_everyInternalHostOfTheCorpus_isRefusedAsAnHttpsHost() throws IOException {
    List<String> hosts = corpus("hosts-must-block.txt");
    List<String> accepted = new ArrayList<>();
    for (String host : hosts) {
      String url = "https://" + host + "/v1";
      if (accepts(url)) {
        accepted.add(url);
      }
    }

    assertThat(hosts).hasSizeGreaterThan(200);
    assertThat(accepted).as("internal hosts the guard let through").isEmpty();
  }

  @Test
  void check_parserDifferentialCorpus_refusesOrReadsTheSameHostAsWhatwg() throws IOException {
    Map<String, String> whatwgHost = new HashMap<>();
    for (String row : corpus("all.tsv")) {
      String[] columns = row.split("\t", -1);
      if (columns.length > 4) {
        whatwgHost.put(columns[0], columns[4]);
      }
    }
    List<String> differential = corpus("urls-parser-differential.txt");
    List<String> misread = new ArrayList<>();
    int accepted = 0;
    for (String url : differential) {
      String https = asHttps(url);
      try {
        ResolvedTarget target = guard.check(https).await().atMost(Duration.ofSeconds(10));
        accepted++;
        String expected = whatwgHost.get(url);
        if (expected == null || !expected.toLowerCase(Locale.ROOT).equals(target.host())) {
          misread.add(url + " -> " + target.host());
        }
        assertThat(target.addresses()).allMatch(PublicAddresses::isPublic);
      } catch (BaseUrlRefusedException e) {
        // refusing is always acceptable
      }
    }

    assertThat(differential).hasSizeGreaterThan(500);
    assertThat(misread).as("URLs whose host we read differently from WHATWG").isEmpty();
    assertThat(accepted).isLessThan(differential.size());
  }

  // ---- explicit spellings --------------------------------------------------------------------

  @Test
  void check_loopbackInEverySpelling_isRefused() {
    for (String url :
        List.of(
            "https://127.0.0.1/",
            "https://127.0.0.1:8443/v1",
            "https://127.1/",
            "https://127.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0x7f.1/",
            "https://0x7F.0.0.1/",
            "https://0177.0.0.1/",
            "https://0177.1/",
            "https://127.000.000.001/",
            "https://127.0.0.1./",
            "https://localhost/",
            "https://LOCALHOST/",
            "https://localhost./",
            "https://a.localhost/",
            "https://%31%32%37.0.0.1/",
            "https://127%2E0%2E0%2E1/",
            "https://127\u30020\u30020\u30021/",
            "https://127\uff0e0\uff0e0\uff0e1/",
            "https://\u2460\u2461\u2466.0.0.1/",
            "https://[::1]/",
            "https://[0:0:0:0:0:0:0:1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[0:0:0:0:0:ffff:127.0.0.1]/",
            "https://[::127.0.0.1]/",
            "https://[64:ff9b::127.0.0.1]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[64:ff9b:1::7f00:1]/",
            "https://[2002:7f00:1::]/",
            "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "https://[::1%25lo]/",
            "https://[::1%lo]/",
            "https://[::1]:443/",
            "https://127.0.0.1.nip.io/",
            "https://localtest.me/")) {
      assertRefused(url);
    }
  }

  @Test
  void check_privateLinkLocalAndSpecialRanges_areRefused() {
    for (String url :
        List.of(
            "https://0.0.0.0/",
            "https://0/",
            "https://10.0.0.1/",
            "https://172.16.0.1/",
            "https://172.31.255.255/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://169.254.170.2/v2",
            "https://100.64.0.1/",
            "https://100.100.100.200/",
            "https://192.0.0.192/",
            "https://198.18.0.1/",
            "https://192.0.2.1/",
            "https://198.51.100.1/",
            "https://203.0.113.1/",
            "https://224.0.0.1/",
            "https://240.0.0.1/",
            "https://255.255.255.255/",
            "https://[fe80::1]/",
            "https://[fe80::1%25eth0]/",
            "https://[fd00:ec2::254]/",
            "https://[fc00::1]/",
            "https://[fec0::1]/",
            "https://[ff02::1]/",
            "https://[::]/",
            "https://[2001:db8::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[::ffff:a9fe:a9fe]/")) {
      assertRefused(url);
    }
  }

  @Test
  void check_internalNames_areRefusedWhateverTheyResolveTo() {
    for (String url :
        List.of(
            "https://metadata.google.internal/computeMetadata/v1",
            "https://metadata/",
            "https://instance-data/",
            "https://kubernetes/",
            "https://kubernetes.default.svc/",
            "https://keyvault-service.whispyrkeep.svc.cluster.local/",
            "https://printer.local/",
            "https://router.home.arpa/",
            "https://1.0.0.127.in-addr.arpa/",
            "https://db.corp/",
            "https://ollama.lan/",
            "https://x.test/",
            "https://x.invalid/",
            "https://hidden.onion/",
            "https://host.localdomain/")) {
      assertThatThrownBy(() -> guard.parse(url))
          .as(url)
          .isInstanceOfSatisfying(
              BaseUrlRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOST));
    }
  }

  @Test
  void parse_malformedAndDecoyUrls_areRefusedWithTheirReason() {
    Map<String, Reason> cases = new java.util.LinkedHashMap<>();
    cases.put("", Reason.MALFORMED);
    cases.put("https:api.example.com", Reason.MALFORMED);
    cases.put("//api.example.com/v1", Reason.MALFORMED);
    cases.put("https://ex ample.com/", Reason.MALFORMED);
    cases.put("https://api.example.com/v1\n", Reason.MALFORMED);
    cases.put("https://api.example.com\\@127.0.0.1/", Reason.MALFORMED);
    cases.put("https://api_example.com/", Reason.MALFORMED);
    cases.put("https://b\u00fccher.example/", Reason.MALFORMED);
    cases.put("http://api.example.com/v1", Reason.SCHEME);
    cases.put("HTTP://api.example.com/v1", Reason.SCHEME);
    cases.put("ftp://api.example.com/", Reason.SCHEME);
    cases.put("file:///etc/passwd", Reason.SCHEME);
    cases.put("gopher://127.0.0.1:6379/_INFO", Reason.SCHEME);
    cases.put("https://user:pass@api.example.com/v1", Reason.USERINFO);
    cases.put("https://api.example.com@127.0.0.1/", Reason.USERINFO);
    cases.put("https://api.example.com#@127.0.0.1/", Reason.QUERY_OR_FRAGMENT);
    cases.put("https://api.example.com/v1?x=1", Reason.QUERY_OR_FRAGMENT);
    cases.put("https://api.example.com/v1#", Reason.QUERY_OR_FRAGMENT);
    cases.put("https://api.example.com:22/", Reason.PORT);
    cases.put("https://api.example.com:80/", Reason.PORT);
    cases.put("https://api.example.com:0/", Reason.PORT);
    cases.put("https://api.example.com:0443/", Reason.PORT);
    cases.put("https://api.example.com:/", Reason.PORT);
    cases.put("https://api.example.com:70000/", Reason.PORT);
    cases.put("https://api.example.com/../admin", Reason.PATH);
    cases.put("https://api.example.com/v1/./chat", Reason.PATH);
    cases.put("https://api.example.com//v1", Reason.PATH);
    cases.put("https://api.example.com/v1/%2e%2e/", Reason.PATH);
    cases.put("https://api.example.com/v1;x", Reason.PATH);
    cases.put("https://api.example.com/" + "a".repeat(300), Reason.PATH);
    cases.put("https://api.example.com./v1", Reason.HOST);
    cases.put("https://1.2.3.4.5/", Reason.MALFORMED);
    cases.put("https://api.0x10/", Reason.MALFORMED);
    cases.put("https://api.example.123/", Reason.MALFORMED);
    cases.put("https://2130706433/", Reason.HOST);
    cases.put("https://999999999999/", Reason.HOST);
    cases.put("https://127.000.000.001/", Reason.HOST);
    cases.put("https://0/", Reason.HOST);
    cases.put("https://" + "a".repeat(64) + ".example.com/", Reason.HOST);
    cases.put("https://[::ffff:8.8.8.8]/", Reason.HOST);
    cases.put("https://api.example.com/" + "v".repeat(2100), Reason.TOO_LONG);
    for (Map.Entry<String, Reason> c : cases.entrySet()) {
      assertThatThrownBy(() -> guard.parse(c.getKey()))
          .as(c.getKey())
          .isInstanceOfSatisfying(
              BaseUrlRefusedException.class,
              e -> assertThat(e.reason()).as(c.getKey()).isEqualTo(c.getValue()));
    }
    assertThatThrownBy(() -> guard.parse(null)).isInstanceOf(BaseUrlRefusedException.class);
  }

  @Test
  void refusal_neverEchoesTheUrlOrHost() {
    String url = "https://secret-internal-name.corp/v1";

    assertThatThrownBy(() -> guard.parse(url))
        .isInstanceOf(BaseUrlRefusedException.class)
        .hasMessage("base URL refused: host")
        .message()
        .doesNotContain("secret-internal-name");
  }

  // ---- DNS answers ---------------------------------------------------------------------------

  @Test
  void check_nameResolvingToPrivateAddress_isRefusedAsNotPublic() throws Exception {
    answers.put("llm.player.example", List.of(InetAddress.getByName("10.1.2.3")));

    assertRefusedAs("https://llm.player.example/v1", Reason.NOT_PUBLIC);
  }

  @Test
  void check_nameResolvingToPublicAndInternal_isRefused() throws Exception {
    answers.put(
        "mixed.player.example",
        List.of(InetAddress.getByName("8.8.8.8"), InetAddress.getByName("169.254.169.254")));

    assertRefusedAs("https://mixed.player.example/v1", Reason.NOT_PUBLIC);
  }

  @Test
  void check_nameResolvingToIpv6Internal_isRefused() throws Exception {
    answers.put("v6.player.example", List.of(InetAddress.getByName("fd00:ec2::254")));
    answers.put("mapped.player.example", List.of(InetAddress.getByName("::ffff:127.0.0.1")));
    answers.put("nat64.player.example", List.of(InetAddress.getByName("64:ff9b::a9fe:a9fe")));

    assertRefusedAs("https://v6.player.example/v1", Reason.NOT_PUBLIC);
    assertRefusedAs("https://mapped.player.example/v1", Reason.NOT_PUBLIC);
    assertRefusedAs("https://nat64.player.example/v1", Reason.NOT_PUBLIC);
  }

  @Test
  void check_unresolvableName_isRefusedLikeAnInternalOne() {
    answers.put("nowhere.player.example", List.of());

    assertRefusedAs("https://nowhere.player.example/v1", Reason.NOT_PUBLIC);
  }

  @Test
  void check_resolverSlowerThanTheTimeout_isRefused() {
    BaseUrlGuard slow =
        new BaseUrlGuard(
            host -> Uni.createFrom().nothing(), PublicAddresses::isPublic, Duration.ofMillis(200));

    assertThatThrownBy(
            () ->
                slow.check("https://slow.player.example/v1").await().atMost(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            BaseUrlRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_PUBLIC));
  }

  @Test
  void check_resolverThrowing_isRefusedNotPropagated() {
    BaseUrlGuard failing =
        new BaseUrlGuard(
            host -> {
              throw new IllegalStateException("resolver broke for internal-db.corp.example");
            },
            PublicAddresses::isPublic,
            Duration.ofSeconds(5));

    assertThatThrownBy(
            () ->
                failing
                    .check("https://api.player.example/v1")
                    .await()
                    .atMost(Duration.ofSeconds(10)))
        .isInstanceOf(BaseUrlRefusedException.class)
        .hasMessageNotContaining("internal-db");
  }

  // ---- accepted ------------------------------------------------------------------------------

  @Test
  void check_publicName_returnsTheCheckedTarget() throws Exception {
    answers.put("api.player.example", List.of(InetAddress.getByName("93.184.216.34")));

    ResolvedTarget target =
        guard
            .check("https://API.Player.Example:8443/openai/v1/")
            .await()
            .atMost(Duration.ofSeconds(10));

    assertThat(target.uri()).hasToString("https://api.player.example:8443/openai/v1");
    assertThat(target.host()).isEqualTo("api.player.example");
    assertThat(target.port()).isEqualTo(8443);
    assertThat(target.connectAddress().getHostAddress()).isEqualTo("93.184.216.34");
  }

  @Test
  void check_publicLiterals_needNoLookup() throws Exception {
    ResolvedTarget v4 =
        guard.check("https://93.184.216.34/v1").await().atMost(Duration.ofSeconds(10));
    ResolvedTarget v6 =
        guard.check("https://[2606:4700:4700::1111]/v1").await().atMost(Duration.ofSeconds(10));

    assertThat(v4.connectAddress().getHostAddress()).isEqualTo("93.184.216.34");
    assertThat(v4.uri()).hasToString("https://93.184.216.34/v1");
    assertThat(v6.connectAddress().getHostAddress()).isEqualTo("2606:4700:4700:0:0:0:0:1111");
    assertThat(v6.uri()).hasToString("https://[2606:4700:4700::1111]/v1");
    assertThat(lookups.get()).isZero();
  }

  @Test
  void check_punycodeHostAndDefaultPort_isAccepted() throws Exception {
    ResolvedTarget target =
        guard.check("https://xn--bcher-kva.example:443/v1").await().atMost(Duration.ofSeconds(10));

    assertThat(target.uri()).hasToString("https://xn--bcher-kva.example/v1");
    assertThat(target.port()).isEqualTo(443);
  }

  @Test
  void check_eachCallResolvesAgain() throws Exception {
    answers.put("rebind.player.example", List.of(InetAddress.getByName("93.184.216.34")));
    guard.check("https://rebind.player.example/v1").await().atMost(Duration.ofSeconds(10));
    answers.put("rebind.player.example", List.of(InetAddress.getByName("127.0.0.1")));

    assertRefusedAs("https://rebind.player.example/v1", Reason.NOT_PUBLIC);
    assertThat(lookups.get()).isEqualTo(2);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private boolean accepts(String url) {
    try {
      guard.check(url).await().atMost(Duration.ofSeconds(10));
      return true;
    } catch (BaseUrlRefusedException e) {
      return false;
    }
  }

  private void assertRefused(String url) {
    assertThat(accepts(url)).as(url).isFalse();
  }

  private void assertRefusedAs(String url, Reason reason) {
    assertThatThrownBy(() -> guard.check(url).await().atMost(Duration.ofSeconds(10)))
        .as(url)
        .isInstanceOfSatisfying(
            BaseUrlRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /** {@code http://x} as {@code https://x}, so the host checks are reached, not just the scheme. */
  private static String asHttps(String url) {
    if (url.regionMatches(true, 0, "http://", 0, 7)) {
      return "https://" + url.substring(7);
    }
    return url;
  }

  private static List<String> corpus(String file) throws IOException {
    Path root = Path.of(System.getProperty("whispyrkeep.root", "..")).toAbsolutePath().normalize();
    Path path = root.resolve("../shared/corpora/ssrf").resolve(file).normalize();
    List<String> lines = new ArrayList<>();
    boolean tsv = file.endsWith(".tsv");
    for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
      if (!line.isEmpty() && !(tsv && line.startsWith("url\t"))) {
        lines.add(line);
      }
    }
    assertThat(lines).as(path.toString()).isNotEmpty();
    return lines;
  }
}
