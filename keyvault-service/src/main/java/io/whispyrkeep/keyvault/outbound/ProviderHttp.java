package io.whispyrkeep.keyvault.outbound;

import io.netty.handler.codec.DecoderException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * The HTTP exchange with a provider, on a Vert.x {@link HttpClient} rather than the Quarkus REST
 * client: the REST client connects to whatever its URL's host resolves to at connect time and
 * offers no way to name the address, so a player's host could resolve to a public address for
 * {@link BaseUrlGuard} and to an internal one a moment later (DNS rebinding). Here the request
 * carries the original host name (Host header, TLS SNI and certificate hostname verification all
 * use it) while {@link RequestOptions#setServer} sends the connection to the address that was
 * checked, as a resolved {@link InetSocketAddress}, so Vert.x does not look the name up again.
 *
 * <p>Never follows redirects (a 3xx is a failure); never asks for compression and refuses a
 * compressed answer (no decompression bomb); reads at most {@code max-response-size} bytes of an
 * answer and only the first 64 KiB of an error answer, which is discarded unread. Header and status
 * line sizes are bounded by the client; Netty's wire logging stays off. The key becomes a header
 * String only in {@link #putKey}, immediately before the request is written; that String is
 * unavoidable with an HTTP client and is not kept by this class.
 */
final class ProviderHttp implements AutoCloseable {

  /** Error answers are drained up to this many bytes to keep the connection, then cut. */
  private static final int MAX_ERROR_DRAIN_BYTES = 64 * 1024;

  /** Longest key accepted; provider keys are ~50-200 characters. */
  static final int MAX_KEY_BYTES = 1024;

  private static final int MAX_HEADER_BYTES = 16 * 1024;

  private static final int MAX_STATUS_LINE_BYTES = 4096;

  private final HttpClient client;
  private final Settings settings;

  /**
   * Tunables.
   *
   * @param connectTimeout TCP and TLS connect timeout
   * @param idleTimeout longest silence on an open connection
   * @param maxResponseBytes largest answer read
   * @param maxRetryAfter longest {@code Retry-After} waited for
   * @param maxConnectionsPerTarget pool size per (host, port, address)
   * @param clock for {@code Retry-After} given as an HTTP date
   */
  record Settings(
      Duration connectTimeout,
      Duration idleTimeout,
      int maxResponseBytes,
      Duration maxRetryAfter,
      int maxConnectionsPerTarget,
      Clock clock) {

    static Settings from(OutboundConfig config, Clock clock) {
      long maxResponse = config.maxResponseSize().asLongValue();
      return new Settings(
          config.connectTimeout(),
          config.idleTimeout(),
          (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, maxResponse)),
          config.maxRetryAfter(),
          config.maxConnectionsPerTarget(),
          clock);
    }
  }

  /**
   * Where to connect.
   *
   * @param tls https or plain http (plain only for operator-configured URLs)
   * @param host the name for the Host header, SNI and certificate verification
   * @param port the TCP port
   * @param basePath the base URL's path without a trailing slash
   * @param pinned the checked address to connect to, or null to let Vert.x resolve {@code host}
   *     (operator-configured URLs only)
   */
  record Target(boolean tls, String host, int port, String basePath, InetAddress pinned) {

    /** An operator-configured base URL: resolved by Vert.x, not checked. */
    static Target trusted(URI base) {
      boolean tls = "https".equalsIgnoreCase(base.getScheme());
      int port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
      String host = base.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new Target(tls, host, port, stripSlash(base.getRawPath()), null);
    }

    /** A checked player URL: https, pinned to the first checked address. */
    static Target pinned(ResolvedTarget target) {
      return new Target(
          true,
          target.host(),
          target.port(),
          stripSlash(target.uri().getRawPath()),
          target.connectAddress());
    }

    private static String stripSlash(String path) {
      if (path == null || path.isEmpty()) {
        return "";
      }
      return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
  }

  /**
   * A client on {@code vertx}; {@code trust} null means the JVM's default trust store (tests pass a
   * self-signed certificate).
   */
  ProviderHttp(Vertx vertx, Settings settings, TrustOptions trust) {
    this.settings = Objects.requireNonNull(settings, "settings");
    HttpClientOptions options =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setConnectTimeout(
                (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
            .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setKeepAlive(true)
            .setVerifyHost(true)
            .setForceSni(true)
            .setTrustAll(false)
            .setUseAlpn(false)
            .setTryUseCompression(false)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setMaxInitialLineLength(MAX_STATUS_LINE_BYTES)
            .setMaxRedirects(0)
            .setLogActivity(false)
            .setShared(false);
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client =
        vertx.createHttpClient(
            options, new PoolOptions().setHttp1MaxSize(settings.maxConnectionsPerTarget()));
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * Sends {@code request} to {@code target} in {@code format} with {@code apiKey}. Fails with
   * {@link UpstreamException} (or a subclass saying whether a retry is safe). Cancelling the
   * returned Uni (e.g. a fault-tolerance timeout) resets the request and closes its connection.
   */
  Uni<ChatCompletion> send(Target target, WireFormat format, byte[] apiKey, ChatRequest request) {
    checkKey(apiKey);
    byte[] body = WireCodec.encode(format, request);
    return Uni.createFrom()
        .emitter(
            emitter -> {
              Exchange exchange = new Exchange(emitter);
              emitter.onTermination(exchange::cancelIfRunning);
              client
                  .request(options(target, format))
                  .onComplete(
                      connected -> {
                        if (connected.failed()) {
                          exchange.fail(connectFailure(connected.cause()));
                          return;
                        }
                        HttpClientRequest http = connected.result();
                        if (!exchange.attach(http)) {
                          return;
                        }
                        http.putHeader("Content-Type", "application/json");
                        http.putHeader("Accept", "application/json");
                        http.putHeader("Accept-Encoding", "identity");
                        http.putHeader("User-Agent", "whispyrkeep-keyvault");
                        putKey(http, format, apiKey);
                        http.send(Buffer.buffer(body))
                            .onComplete(
                                answered -> {
                                  if (answered.failed()) {
                                    exchange.fail(sendFailure(answered.cause()));
                                  } else {
                                    read(answered.result(), format, exchange);
                                  }
                                });
                      });
            });
  }

  private RequestOptions options(Target target, WireFormat format) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.tls())
            .setURI(target.basePath() + WireCodec.path(format))
            .setFollowRedirects(false)
            .setConnectTimeout(settings.connectTimeout().toMillis())
            .setIdleTimeout(settings.idleTimeout().toMillis());
    if (target.pinned() != null) {
      // A resolved InetSocketAddress: Vert.x connects to it as is (no lookup), while Host, SNI
      // and hostname verification use target.host().
      options.setServer(
          SocketAddress.inetSocketAddress(new InetSocketAddress(target.pinned(), target.port())));
    }
    return options;
  }

  /**
   * Builds the key header as late as possible. OpenAI: {@code Authorization: Bearer <key>};
   * Anthropic: {@code x-api-key} and {@code anthropic-version}.
   */
  private static void putKey(HttpClientRequest http, WireFormat format, byte[] apiKey) {
    String key = new String(apiKey, StandardCharsets.US_ASCII);
    if (format == WireFormat.ANTHROPIC) {
      http.putHeader("x-api-key", key);
      http.putHeader("anthropic-version", WireCodec.ANTHROPIC_VERSION);
    } else {
      http.putHeader("Authorization", "Bearer " + key);
    }
  }

  /**
   * A key is 1 to {@link #MAX_KEY_BYTES} visible ASCII characters: nothing that splits a header.
   */
  static void checkKey(byte[] apiKey) {
    if (apiKey == null || apiKey.length == 0 || apiKey.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("API key must be 1 to " + MAX_KEY_BYTES + " bytes");
    }
    for (byte b : apiKey) {
      if (b < 0x21 || b > 0x7e) {
        throw new IllegalArgumentException("API key must be visible ASCII");
      }
    }
  }

  private void read(HttpClientResponse response, WireFormat format, Exchange exchange) {
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      drain(response, exchange);
      exchange.fail(statusFailure(status, response.getHeader("Retry-After")));
      return;
    }
    String encoding = response.getHeader("Content-Encoding");
    if (encoding != null && !"identity".equalsIgnoreCase(encoding.trim())) {
      exchange.failAndReset(new ProviderFaultException(UpstreamException.Failure.MALFORMED));
      return;
    }
    String length = response.getHeader("Content-Length");
    if (length != null && declaredLength(length) > settings.maxResponseBytes()) {
      exchange.failAndReset(new ProviderFaultException(UpstreamException.Failure.TOO_LARGE));
      return;
    }
    Buffer received = Buffer.buffer();
    response.handler(
        chunk -> {
          if (exchange.isDone()) {
            return;
          }
          if ((long) received.length() + chunk.length() > settings.maxResponseBytes()) {
            exchange.failAndReset(new ProviderFaultException(UpstreamException.Failure.TOO_LARGE));
            return;
          }
          received.appendBuffer(chunk);
        });
    response.exceptionHandler(
        e -> exchange.fail(new ProviderFaultException(UpstreamException.Failure.CONNECT, e)));
    response.endHandler(
        ended -> {
          if (exchange.isDone()) {
            return;
          }
          ChatCompletion completion;
          try {
            completion = WireCodec.decode(format, received.getBytes());
          } catch (UpstreamException e) {
            exchange.fail(e);
            return;
          }
          exchange.complete(completion);
        });
  }

  /**
   * Reads and drops an error answer, cutting the connection past {@link #MAX_ERROR_DRAIN_BYTES}.
   */
  private static void drain(HttpClientResponse response, Exchange exchange) {
    long[] drained = {0};
    response.handler(
        chunk -> {
          drained[0] += chunk.length();
          if (drained[0] > MAX_ERROR_DRAIN_BYTES) {
            exchange.reset();
          }
        });
    // The exchange has already failed with the status; a broken error body changes nothing.
    response.exceptionHandler(e -> exchange.reset());
  }

  private UpstreamException statusFailure(int status, String retryAfterHeader) {
    if (status >= 300 && status < 400) {
      return new ProviderFaultException(UpstreamException.Failure.REDIRECT);
    }
    if (status == 429) {
      long retryAfter = retryAfterMillis(retryAfterHeader);
      if (retryAfter > settings.maxRetryAfter().toMillis()) {
        return new UpstreamException(UpstreamException.Failure.RATE_LIMITED);
      }
      return new RateLimitedException(retryAfter);
    }
    if (status >= 500 && status < 600) {
      long retryAfter = retryAfterMillis(retryAfterHeader);
      if (retryAfter > settings.maxRetryAfter().toMillis()) {
        return new ProviderFaultException(UpstreamException.Failure.SERVER_ERROR);
      }
      return new TransientProviderFaultException(
          UpstreamException.Failure.SERVER_ERROR, retryAfter);
    }
    if (status >= 400 && status < 500) {
      return new UpstreamException(UpstreamException.Failure.CLIENT_ERROR);
    }
    return new ProviderFaultException(UpstreamException.Failure.MALFORMED);
  }

  /**
   * {@code Retry-After} in milliseconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3);
   * -1 when absent or unreadable, 0 for a date in the past.
   */
  long retryAfterMillis(String header) {
    if (header == null) {
      return -1;
    }
    String value = header.trim();
    if (value.isEmpty() || value.length() > 64) {
      return -1;
    }
    boolean digits = true;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        digits = false;
        break;
      }
    }
    if (digits) {
      if (value.length() > 9) {
        return Long.MAX_VALUE;
      }
      return Long.parseLong(value) * 1000;
    }
    try {
      ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      long millis = Duration.between(settings.clock().instant(), when.toInstant()).toMillis();
      return Math.max(0, millis);
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private static long declaredLength(String header) {
    try {
      long value = Long.parseLong(header.trim());
      return value < 0 ? Long.MAX_VALUE : value;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /** No connection: safe to retry, unless TLS refused the peer (that will not fix itself). */
  private static UpstreamException connectFailure(Throwable cause) {
    if (isTls(cause)) {
      return new ProviderFaultException(UpstreamException.Failure.TLS, cause);
    }
    return new TransientProviderFaultException(UpstreamException.Failure.CONNECT, cause);
  }

  /** The request may have reached the provider: not retried (a chat call is not idempotent). */
  private static UpstreamException sendFailure(Throwable cause) {
    if (cause instanceof UpstreamException) {
      return (UpstreamException) cause;
    }
    if (isTls(cause)) {
      return new ProviderFaultException(UpstreamException.Failure.TLS, cause);
    }
    if (isUndecodable(cause)) {
      // No cause: a decoder's message can quote the provider's status line or headers.
      return new ProviderFaultException(UpstreamException.Failure.MALFORMED);
    }
    return new ProviderFaultException(UpstreamException.Failure.CONNECT, cause);
  }

  /** Netty could not decode the answer (status line or headers too long, not HTTP at all). */
  private static boolean isUndecodable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DecoderException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static boolean isTls(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** One exchange's outcome: completes or fails the emitter once, resets the request on cancel. */
  private static final class Exchange {
    private final UniEmitter<? super ChatCompletion> emitter;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();

    Exchange(UniEmitter<? super ChatCompletion> emitter) {
      this.emitter = emitter;
    }

    /** Remembers the request; false (and the request reset) when the exchange already ended. */
    boolean attach(HttpClientRequest http) {
      request.set(http);
      if (done.get()) {
        http.reset();
        return false;
      }
      return true;
    }

    boolean isDone() {
      return done.get();
    }

    void complete(ChatCompletion completion) {
      if (done.compareAndSet(false, true)) {
        emitter.complete(completion);
      }
    }

    void fail(Throwable failure) {
      if (done.compareAndSet(false, true)) {
        emitter.fail(failure);
      }
    }

    void failAndReset(Throwable failure) {
      fail(failure);
      reset();
    }

    void reset() {
      HttpClientRequest http = request.get();
      if (http != null) {
        http.reset();
      }
    }

    /** Called on any termination; acts only when the subscriber cancelled a running exchange. */
    void cancelIfRunning() {
      if (done.compareAndSet(false, true)) {
        reset();
      }
    }
  }
}
