package io.whispyrkeep.keyvault.outbound;

import io.smallrye.mutiny.Uni;
import io.whispyrkeep.keyvault.outbound.BaseUrlRefusedException.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * SSRF guard for a base URL a player supplies for their own provider (operator-configured provider
 * URLs are trusted and never come here). A URL passes only when it is a strict https URL and every
 * address its host resolves to is public ({@link PublicAddresses}); the caller then connects to the
 * address checked here, never resolving the name again ({@link ResolvedTarget}).
 *
 * <p>Parsing is strict rather than forgiving: {@link URI} must accept the text with a server-based
 * authority; only printable ASCII; no userinfo, query or fragment; port 443 or 1024-65535, written
 * plainly; a path of {@code [A-Za-z0-9._~/-]} without dot or empty segments. The host is
 * lower-cased and must already be in its {@link IDN#toASCII} form (so Unicode dots, full-width
 * digits and percent-encoding are refused, not mapped); a trailing dot, a single label and internal
 * names ({@code localhost}, {@code .internal}, {@code .local}, {@code .arpa} ...) are refused. A
 * host whose last label is numeric (as WHATWG and {@code inet_aton} read it: digits, or {@code 0x}
 * and hex) must be a canonical dotted quad, so {@code 2130706433}, {@code 0177.0.0.1}, {@code
 * 0x7f.1} and {@code 127.1} are refused instead of being left to some resolver's reading. IPv6
 * literals are parsed without DNS; zone ids and IPv4-mapped spellings are refused.
 *
 * <p>Names are resolved through the injectable {@link HostResolver}, which holds no thread while
 * the name server answers, within {@code whispyrkeep.keyvault.outbound.dns-timeout}. Each check
 * does its own lookup (answers are never shared between checks, so a call can never reuse an answer
 * older than itself). Lookups in flight are bounded per host ({@code dns-max-lookups-per-host}) and
 * in all ({@code dns-max-lookups}); a lookup over either bound, or over its time, is refused like
 * an unresolvable name. Every resolved address must be public; one internal address among public
 * ones refuses the URL (a DNS answer that mixes them is a rebinding attempt).
 */
@ApplicationScoped
public class BaseUrlGuard {

  /** Longest accepted base URL; browsers and CDNs cap URLs near 2 KiB too. */
  public static final int MAX_URL_LENGTH = 2048;

  /** Longest accepted path of a base URL ({@code /v1}, {@code /openai/v1} ...). */
  static final int MAX_PATH_LENGTH = 256;

  /** Longest DNS name (RFC 1035 section 2.3.4, without the trailing dot). */
  private static final int MAX_HOST_LENGTH = 253;

  private static final int DEFAULT_HTTPS_PORT = 443;

  /** Lowest port accepted besides 443: no well-known service port (SMTP, SSH, Redis on 6379 is). */
  private static final int LOWEST_PORT = 1024;

  /**
   * Last labels that never name a public host: RFC 6761 (localhost, test, invalid), RFC 6762
   * (local), RFC 7686 (onion), RFC 9476 (alt), RFC 8375 (home.arpa, and all of arpa), ICANN's
   * .internal, names ICANN will not delegate (home, corp, mail, lan, intranet, localdomain) and the
   * Kubernetes service domain.
   */
  private static final Set<String> INTERNAL_LAST_LABELS =
      Set.of(
          "localhost",
          "local",
          "internal",
          "localdomain",
          "arpa",
          "test",
          "invalid",
          "onion",
          "alt",
          "home",
          "corp",
          "mail",
          "lan",
          "intranet",
          "svc");

  private static final Logger LOG = Logger.getLogger(BaseUrlGuard.class);

  private final HostResolver resolver;
  private final Predicate<InetAddress> addressPolicy;
  private final Duration dnsTimeout;
  private final InFlightLimit lookups;

  /**
   * A base URL after parsing, before DNS: the normalised URL, host, port, and the address if the
   * host is a literal.
   */
  public record ParsedBaseUrl(URI uri, String host, int port, InetAddress literal) {}

  @Inject
  public BaseUrlGuard(HostResolver resolver, OutboundConfig config) {
    this(
        resolver,
        PublicAddresses::isPublic,
        config.dnsTimeout(),
        config.dnsMaxLookups(),
        config.dnsMaxLookupsPerHost());
  }

  /**
   * A guard with its own address policy; tests use it to let one loopback address through for a
   * local TLS server. Production always uses {@link PublicAddresses#isPublic}.
   */
  BaseUrlGuard(HostResolver resolver, Predicate<InetAddress> addressPolicy, Duration dnsTimeout) {
    this(resolver, addressPolicy, dnsTimeout, 256, 8);
  }

  BaseUrlGuard(
      HostResolver resolver,
      Predicate<InetAddress> addressPolicy,
      Duration dnsTimeout,
      int maxLookups,
      int maxLookupsPerHost) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.addressPolicy = Objects.requireNonNull(addressPolicy, "addressPolicy");
    this.dnsTimeout = Objects.requireNonNull(dnsTimeout, "dnsTimeout");
    this.lookups = new InFlightLimit(maxLookupsPerHost, maxLookups);
  }

  /**
   * Parses and normalises {@code baseUrl} without any DNS lookup: use it to answer a player at
   * once; {@link #check} still decides.
   *
   * @throws BaseUrlRefusedException when the spelling alone is refused
   */
  public ParsedBaseUrl parse(String baseUrl) {
    if (baseUrl == null || baseUrl.isEmpty()) {
      throw new BaseUrlRefusedException(Reason.MALFORMED);
    }
    if (baseUrl.length() > MAX_URL_LENGTH) {
      throw new BaseUrlRefusedException(Reason.TOO_LONG);
    }
    for (int i = 0; i < baseUrl.length(); i++) {
      char c = baseUrl.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new BaseUrlRefusedException(Reason.MALFORMED);
      }
    }
    URI uri;
    try {
      uri = new URI(baseUrl).parseServerAuthority();
    } catch (URISyntaxException e) {
      throw new BaseUrlRefusedException(Reason.MALFORMED);
    }
    if (uri.isOpaque() || uri.getScheme() == null) {
      throw new BaseUrlRefusedException(Reason.MALFORMED);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new BaseUrlRefusedException(Reason.SCHEME);
    }
    String rawAuthority = uri.getRawAuthority();
    if (uri.getRawUserInfo() != null || (rawAuthority != null && rawAuthority.indexOf('@') >= 0)) {
      throw new BaseUrlRefusedException(Reason.USERINFO);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new BaseUrlRefusedException(Reason.QUERY_OR_FRAGMENT);
    }
    String rawHost = uri.getHost();
    if (rawHost == null || rawAuthority == null || rawHost.isEmpty()) {
      throw new BaseUrlRefusedException(Reason.MALFORMED);
    }
    int port = port(uri, rawHost, rawAuthority);
    String host;
    InetAddress literal = null;
    if (rawHost.startsWith("[")) {
      literal = ipv6Literal(rawHost.substring(1, rawHost.length() - 1));
      host = rawHost.substring(1, rawHost.length() - 1).toLowerCase(Locale.ROOT);
    } else {
      host = rawHost.toLowerCase(Locale.ROOT);
      literal = hostName(host);
    }
    String path = path(uri.getRawPath());
    String uriHost = literal != null && host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    URI normalised =
        URI.create("https://" + uriHost + (port == DEFAULT_HTTPS_PORT ? "" : ":" + port) + path);
    return new ParsedBaseUrl(normalised, host, port, literal);
  }

  /**
   * Parses {@code baseUrl}, resolves its host (unless it is an address literal) and verifies that
   * every address is public. Completes with the target to connect to, or fails with {@link
   * BaseUrlRefusedException}. Never blocks the caller.
   */
  public Uni<ResolvedTarget> check(String baseUrl) {
    ParsedBaseUrl parsed;
    try {
      parsed = parse(baseUrl);
    } catch (BaseUrlRefusedException e) {
      return Uni.createFrom().failure(e);
    }
    if (parsed.literal() != null) {
      return Uni.createFrom().item(() -> verified(parsed, List.of(parsed.literal())));
    }
    return resolve(parsed.host())
        .ifNoItem()
        .after(dnsTimeout)
        .fail()
        .onFailure(e -> !(e instanceof BaseUrlRefusedException))
        .transform(
            e -> {
              // The exception type only: a resolver message can name internal hosts.
              LOG.debugf("base URL host did not resolve: %s", e.getClass().getName());
              return new BaseUrlRefusedException(Reason.NOT_PUBLIC);
            })
        .map(addresses -> verified(parsed, addresses));
  }

  /** One lookup of its own, within the bounds; the permit is returned however it ends. */
  private Uni<List<InetAddress>> resolve(String host) {
    return Uni.createFrom()
        .deferred(
            () -> {
              if (!lookups.tryAcquire(host)) {
                LOG.warn("base URL lookups at their bound; refusing the lookup");
                return Uni.createFrom()
                    .<List<InetAddress>>failure(new BaseUrlRefusedException(Reason.NOT_PUBLIC));
              }
              Uni<List<InetAddress>> lookup;
              try {
                lookup = Objects.requireNonNull(resolver.resolve(host), "lookup");
              } catch (RuntimeException e) {
                lookup = Uni.createFrom().failure(e);
              }
              return lookup
                  .map(addresses -> addresses == null ? List.<InetAddress>of() : addresses)
                  .ifNoItem()
                  .after(dnsTimeout)
                  .fail()
                  .onTermination()
                  .invoke(() -> lookups.release(host));
            });
  }

  private ResolvedTarget verified(ParsedBaseUrl parsed, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      throw new BaseUrlRefusedException(Reason.NOT_PUBLIC);
    }
    for (InetAddress address : addresses) {
      if (address == null || !addressPolicy.test(address)) {
        throw new BaseUrlRefusedException(Reason.NOT_PUBLIC);
      }
    }
    return new ResolvedTarget(parsed.uri(), parsed.host(), parsed.port(), addresses);
  }

  /** The port, 443 when absent; the authority must be exactly {@code host} or {@code host:port}. */
  private static int port(URI uri, String rawHost, String rawAuthority) {
    int port = uri.getPort();
    String expected = port == -1 ? rawHost : rawHost + ":" + port;
    if (!rawAuthority.equals(expected)) {
      throw new BaseUrlRefusedException(Reason.PORT);
    }
    if (port == -1) {
      return DEFAULT_HTTPS_PORT;
    }
    if (port != DEFAULT_HTTPS_PORT && (port < LOWEST_PORT || port > 65535)) {
      throw new BaseUrlRefusedException(Reason.PORT);
    }
    return port;
  }

  /** An IPv6 literal (without brackets), parsed without DNS; zone ids and IPv4 forms refused. */
  private static InetAddress ipv6Literal(String text) {
    if (text.isEmpty() || text.length() > 45) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') {
        // '%' (a zone id, %25eth0) lands here, as does anything URI let through.
        throw new BaseUrlRefusedException(Reason.HOST);
      }
    }
    if (text.indexOf(':') < 0) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    InetAddress address;
    try {
      // Only hex digits, ':' and '.', with a ':': the JDK parses it as a literal, never via DNS.
      address = InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    if (address instanceof Inet4Address) {
      // The JDK turned an IPv4-mapped literal (::ffff:a.b.c.d) into IPv4: refused as written.
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    return address;
  }

  /**
   * Checks a lower-cased host that is not bracketed: returns its address when it is a canonical
   * dotted quad, null when it is a DNS name to resolve; refuses everything else.
   */
  private static InetAddress hostName(String host) {
    if (host.length() > MAX_HOST_LENGTH || host.endsWith(".") || host.startsWith(".")) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    String ascii;
    try {
      ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES);
    } catch (IllegalArgumentException e) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    if (!ascii.equals(host)) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    String[] labels = host.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        throw new BaseUrlRefusedException(Reason.HOST);
      }
    }
    String last = labels[labels.length - 1];
    if (isNumericLabel(last)) {
      InetAddress quad = canonicalDottedQuad(labels);
      if (quad == null) {
        throw new BaseUrlRefusedException(Reason.HOST);
      }
      return quad;
    }
    if (labels.length < 2 || INTERNAL_LAST_LABELS.contains(last)) {
      throw new BaseUrlRefusedException(Reason.HOST);
    }
    return null;
  }

  /** Numeric as WHATWG reads a last label: decimal digits, or {@code 0x} and hex digits. */
  private static boolean isNumericLabel(String label) {
    int start = label.startsWith("0x") ? 2 : 0;
    for (int i = start; i < label.length(); i++) {
      char c = label.charAt(i);
      boolean digit = c >= '0' && c <= '9';
      boolean hex = start == 2 && c >= 'a' && c <= 'f';
      if (!digit && !hex) {
        return false;
      }
    }
    return true;
  }

  /** Four decimal labels 0-255 without leading zeros, or null. */
  private static InetAddress canonicalDottedQuad(String[] labels) {
    if (labels.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String label = labels[i];
      if (label.isEmpty() || label.length() > 3 || (label.length() > 1 && label.charAt(0) == '0')) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < label.length(); j++) {
        char c = label.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        value = value * 10 + (c - '0');
      }
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }

  /** The path without a trailing slash: empty, or {@code /segment(/segment)*}. */
  private static String path(String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || "/".equals(rawPath)) {
      return "";
    }
    if (rawPath.length() > MAX_PATH_LENGTH || rawPath.charAt(0) != '/') {
      throw new BaseUrlRefusedException(Reason.PATH);
    }
    String path = rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '~'
              || c == '-'
              || c == '/';
      if (!allowed) {
        throw new BaseUrlRefusedException(Reason.PATH);
      }
    }
    String[] segments = path.substring(1).split("/", -1);
    for (String segment : segments) {
      if (segment.isEmpty() || ".".equals(segment) || "..".equals(segment)) {
        throw new BaseUrlRefusedException(Reason.PATH);
      }
    }
    return path;
  }
}
