package io.whispyrkeep.platform.http;

import io.vertx.ext.web.RoutingContext;

/**
 * What a security event records about the request that caused it. The client IP is the one the
 * {@link ClientAddressFilter} resolved: {@code X-Forwarded-For} counts only when the peer is one of
 * {@code whispyrkeep.http.trusted-proxies}, walked from the right, so a client cannot choose its
 * own address.
 */
public record RequestMetadata(String requestId, String clientIp, String userAgent) {

  /** Longest user agent kept; longer ones are cut (the event schema allows 512). */
  public static final int MAX_USER_AGENT = 512;

  /** Metadata for work that no request caused (relays, consumers, schedulers). */
  public static final RequestMetadata NONE = new RequestMetadata(null, null, null);

  public static RequestMetadata from(RoutingContext context) {
    if (context == null) {
      return NONE;
    }
    String ip = ClientAddressFilter.clientAddress(context);
    String agent = context.request().getHeader("User-Agent");
    if (agent != null && agent.length() > MAX_USER_AGENT) {
      agent = agent.substring(0, MAX_USER_AGENT);
    }
    return new RequestMetadata(RequestIdFilter.requestId(context), ip, agent);
  }
}
