package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClientOptions;
import io.whispyrkeep.keyvault.outbound.BaseUrlRefusedException.Reason;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SSRF guard resolving through the Vert.x DNS client against {@link FakeDnsServer}, a labelled
 * stand-in for a player's name server that can stall: a stalled lookup fails on its own timeout
 * without holding a thread, stalled lookups do not hold up other hosts, one host cannot take more
 * than its share, and internal answers are still refused.
 */
class VertxHostResolverTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private FakeDnsServer dns;
  private final List<Cancellable> pending = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    dns = new FakeDnsServer();
  }

  @AfterEach
  void stop() {
    pending.forEach(Cancellable::cancel);
    dns.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void check_nameServerThatNeverAnswers_isRefusedByTheQueryTimeout() {
    dns.stall("stalled.player.example");
    // The guard's own budget is far longer: the refusal must come from the DNS query's timeout.
    BaseUrlGuard guard = guard(Duration.ofMillis(300), Duration.ofMinutes(5), 256, 8);

    assertRefusedAs(guard, "https://stalled.player.example/v1", Reason.NOT_PUBLIC);
    assertThat(dns.aQuestions("stalled.player.example")).isEqualTo(1);
  }

  @Test
  void check_whileFiftyLookupsStall_anotherHostStillResolves() throws Exception {
    BaseUrlGuard guard = guard(Duration.ofMinutes(5), Duration.ofMinutes(5), 256, 8);
    Queue<Object> stalledOutcomes = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 50; i++) {
      String host = "h" + i + ".stalled.player.example";
      dns.stall(host);
      pending.add(
          guard
              .check("https://" + host + "/v1")
              .subscribe()
              .with(stalledOutcomes::add, stalledOutcomes::add));
    }
    await().atMost(WAIT).until(() -> stalledQuestions() == 50);
    dns.answer("api.other.example", InetAddress.getByName("93.184.216.34"));

    ResolvedTarget target = guard.check("https://api.other.example/v1").await().atMost(WAIT);

    assertThat(target.connectAddress().getHostAddress()).isEqualTo("93.184.216.34");
    assertThat(stalledOutcomes).as("the 50 stalled lookups are still waiting").isEmpty();
  }

  @Test
  void check_oneHostStalling_getsNoMoreThanItsBoundAndOthersStillResolve() throws Exception {
    dns.stall("stalled.player.example");
    BaseUrlGuard guard = guard(Duration.ofMinutes(5), Duration.ofMinutes(5), 256, 8);
    Queue<Throwable> refused = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 50; i++) {
      pending.add(
          guard
              .check("https://stalled.player.example/v1")
              .subscribe()
              .with(target -> {}, refused::add));
    }
    await().atMost(WAIT).until(() -> refused.size() == 42);
    dns.answer("api.other.example", InetAddress.getByName("93.184.216.34"));

    ResolvedTarget target = guard.check("https://api.other.example/v1").await().atMost(WAIT);

    assertThat(target.connectAddress().getHostAddress()).isEqualTo("93.184.216.34");
    assertThat(refused)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        BaseUrlRefusedException.class,
                        r -> assertThat(r.reason()).isEqualTo(Reason.NOT_PUBLIC)));
    assertThat(dns.aQuestions("stalled.player.example")).isEqualTo(8);
  }

  @Test
  void check_allLookupsAtTheGlobalBound_refusesOneMoreAtOnce() throws Exception {
    BaseUrlGuard guard = guard(Duration.ofMinutes(5), Duration.ofMinutes(5), 4, 4);
    for (int i = 0; i < 4; i++) {
      String host = "h" + i + ".stalled.player.example";
      dns.stall(host);
      pending.add(guard.check("https://" + host + "/v1").subscribe().with(target -> {}, e -> {}));
    }
    await().atMost(WAIT).until(() -> stalledQuestions() == 4);
    dns.answer("api.other.example", InetAddress.getByName("93.184.216.34"));

    assertRefusedAs(guard, "https://api.other.example/v1", Reason.NOT_PUBLIC);
    assertThat(dns.aQuestions("api.other.example")).isZero();
  }

  @Test
  void check_privateOrLoopbackAnswers_areRefused() throws Exception {
    dns.answer("private.player.example", InetAddress.getByName("10.0.0.5"));
    dns.answer("loopback.player.example", InetAddress.getByName("127.0.0.1"));
    dns.answer("metadata.player.example", InetAddress.getByName("169.254.169.254"));
    dns.answer("v6loopback.player.example", InetAddress.getByName("::1"));
    dns.answer(
        "mixed.player.example",
        InetAddress.getByName("93.184.216.34"),
        InetAddress.getByName("fd00:ec2::254"));
    BaseUrlGuard guard = guard(Duration.ofSeconds(5), Duration.ofSeconds(10), 256, 8);

    for (String host :
        List.of(
            "private.player.example",
            "loopback.player.example",
            "metadata.player.example",
            "v6loopback.player.example",
            "mixed.player.example")) {
      assertRefusedAs(guard, "https://" + host + "/v1", Reason.NOT_PUBLIC);
    }
  }

  @Test
  void check_unknownName_isRefusedLikeAnInternalOne() {
    BaseUrlGuard guard = guard(Duration.ofSeconds(5), Duration.ofSeconds(10), 256, 8);

    assertRefusedAs(guard, "https://nowhere.player.example/v1", Reason.NOT_PUBLIC);
  }

  @Test
  void check_publicAnswers_returnEveryAddressOfBothFamilies() throws Exception {
    dns.answer(
        "api.player.example",
        InetAddress.getByName("93.184.216.34"),
        InetAddress.getByName("2606:4700:4700::1111"));
    BaseUrlGuard guard = guard(Duration.ofSeconds(5), Duration.ofSeconds(10), 256, 8);

    ResolvedTarget target = guard.check("https://api.player.example/v1").await().atMost(WAIT);

    assertThat(target.addresses())
        .extracting(InetAddress::getHostAddress)
        .containsExactlyInAnyOrder("93.184.216.34", "2606:4700:4700:0:0:0:0:1111");
  }

  @Test
  void check_eachCallAsksTheNameServerAgain() throws Exception {
    dns.answer("rebind.player.example", InetAddress.getByName("93.184.216.34"));
    BaseUrlGuard guard = guard(Duration.ofSeconds(5), Duration.ofSeconds(10), 256, 8);
    guard.check("https://rebind.player.example/v1").await().atMost(WAIT);
    dns.answer("rebind.player.example", InetAddress.getByName("127.0.0.1"));

    assertRefusedAs(guard, "https://rebind.player.example/v1", Reason.NOT_PUBLIC);
    assertThat(dns.aQuestions("rebind.player.example")).isEqualTo(2);
  }

  private BaseUrlGuard guard(
      Duration queryTimeout, Duration guardBudget, int maxLookups, int maxLookupsPerHost) {
    DnsClientOptions options =
        new DnsClientOptions()
            .setHost("127.0.0.1")
            .setPort(dns.port())
            .setQueryTimeout(queryTimeout.toMillis())
            .setRecursionDesired(true);
    return new BaseUrlGuard(
        new VertxHostResolver(vertx, options),
        PublicAddresses::isPublic,
        guardBudget,
        maxLookups,
        maxLookupsPerHost);
  }

  private int stalledQuestions() {
    int count = 0;
    for (int i = 0; i < 50; i++) {
      count += dns.aQuestions("h" + i + ".stalled.player.example");
    }
    return count;
  }

  private static void assertRefusedAs(BaseUrlGuard guard, String url, Reason reason) {
    assertThatThrownBy(() -> guard.check(url).await().atMost(WAIT))
        .as(url)
        .isInstanceOfSatisfying(
            BaseUrlRefusedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
