package io.whispyrkeep.audit.query;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets the export negotiate its own format. A streamed response is written in the single media type
 * its method declares, so JAX-RS would refuse (406) every {@code Accept} but that one; before
 * matching, the client's {@code Accept} for the export is set aside for {@link ExportFormat} and
 * replaced by the declared type, and the export answers 406 itself when no format of its fits.
 */
public class ExportAccept {

  /** The export's path. */
  static final String PATH = "/audit/events/export";

  /** Routing-context key of the client's Accept header values. */
  static final String ORIGINAL = "whispyrkeep.export.accept";

  @ServerRequestFilter(preMatching = true)
  public void setAside(ContainerRequestContext request, RoutingContext routing) {
    if (routing.request().method() == HttpMethod.GET && PATH.equals(routing.normalizedPath())) {
      routing.put(ORIGINAL, request.getAcceptableMediaTypes());
      request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.TEXT_PLAIN);
    }
  }

  /** The media types the client accepts for the export, most preferred first. */
  static List<MediaType> acceptable(RoutingContext routing) {
    List<MediaType> original = routing.get(ORIGINAL);
    return original == null ? List.of(MediaType.WILDCARD_TYPE) : original;
  }
}
