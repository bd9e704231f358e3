package io.whispyrkeep.platform.testapp;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.whispyrkeep.platform.event.SecurityEventFactory;
import io.whispyrkeep.platform.event.Severity;
import io.whispyrkeep.platform.outbox.Outbox;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;

/** Test-only resource: a state change recorded with its security event through the outbox. */
@Path("/widgets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WidgetResource {

  private final Outbox outbox;
  private final SecurityEventFactory events;
  private final SecurityIdentity identity;

  WidgetResource(Outbox outbox, SecurityEventFactory events, SecurityIdentity identity) {
    this.outbox = outbox;
    this.events = events;
    this.identity = identity;
  }

  @POST
  @RolesAllowed("player")
  @WithTransaction
  public Uni<Map<String, String>> create(@Valid WidgetRequest request) {
    Widget widget = new Widget();
    widget.id = UUID.randomUUID();
    widget.name = request.name();
    return widget
        .persist()
        .chain(() -> outbox.record(event(request.name())))
        .replaceWith(Map.of("id", widget.id.toString()));
  }

  /** How many events {@link #createBatch} records in its one transaction. */
  public static final int BATCH_SIZE = 20;

  /**
   * Records {@link #BATCH_SIZE} events in one transaction, one after another, with subjects {@code
   * name-0}, {@code name-1}, ...: the order a reader must see them in.
   */
  @POST
  @Path("/batch")
  @RolesAllowed("player")
  @WithTransaction
  public Uni<Void> createBatch(@Valid WidgetRequest request) {
    Uni<Void> written = Uni.createFrom().voidItem();
    for (int i = 0; i < BATCH_SIZE; i++) {
      String subject = request.name() + "-" + i;
      written = written.chain(() -> outbox.record(event(subject)));
    }
    return written;
  }

  /** Persists, records the event, then fails: neither may survive. */
  @POST
  @Path("/failing")
  @RolesAllowed("player")
  @WithTransaction
  public Uni<Void> createThenFail(@Valid WidgetRequest request) {
    Widget widget = new Widget();
    widget.id = UUID.randomUUID();
    widget.name = request.name();
    return widget
        .persist()
        .chain(() -> outbox.record(event(request.name())))
        .chain(
            () ->
                Uni.createFrom()
                    .failure(new IllegalStateException("boom with password=hunter2-planted")));
  }

  @GET
  @Path("/count")
  @RolesAllowed("player")
  @WithTransaction
  public Uni<Long> count() {
    return Widget.count();
  }

  @GET
  @Path("/admin")
  @RolesAllowed("admin")
  public String adminOnly() {
    return "admin";
  }

  @GET
  @Path("/public-ping")
  @PermitAll
  public Map<String, Boolean> publicButNotOpened() {
    return Map.of("ok", true);
  }

  private io.whispyrkeep.platform.event.SecurityEvent event(String name) {
    return events.create(
        "test.widget_created",
        Severity.INFO,
        SecurityEventFactory.actorOf(identity),
        name,
        Map.of("widgetName", name, "password", "should-never-appear"));
  }
}
