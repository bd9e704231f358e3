package io.whispyrkeep.auth.admin;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.whispyrkeep.auth.account.AccountRepository;
import io.whispyrkeep.auth.account.AccountService;
import io.whispyrkeep.auth.account.EmailAddresses;
import io.whispyrkeep.auth.account.RegisterRequest;
import io.whispyrkeep.auth.account.Role;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.platform.http.RequestMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Creates the first admin at start-up from {@code whispyrkeep.auth.bootstrap-admin.email} and
 * {@code .password} (a Kubernetes Secret, or {@code .local/admin.env} locally) when no account has
 * that email yet. There is no built-in password: without both values nothing is created.
 */
@ApplicationScoped
public class AdminBootstrap {

  private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

  void onStart(
      @Observes StartupEvent event,
      AuthConfig config,
      AccountRepository accounts,
      AccountService accountService)
      throws Throwable {
    var email = config.bootstrapAdmin().email().filter(value -> !value.isBlank());
    var password = config.bootstrapAdmin().password().filter(value -> !value.isBlank());
    if (email.isEmpty() || password.isEmpty()) {
      return;
    }
    String normalised =
        EmailAddresses.normalise(email.get())
            .orElseThrow(() -> new IllegalStateException("bootstrap admin email is not valid"));
    boolean exists =
        VertxContextSupport.subscribeAndAwait(
            () -> Panache.withSession(() -> accounts.findByEmail(normalised)).map(a -> a != null));
    if (exists) {
      return;
    }
    VertxContextSupport.subscribeAndAwait(
        () ->
            accountService.register(
                new RegisterRequest(normalised, password.get(), "Administrator"),
                Set.of(Role.PLAYER, Role.ADMIN),
                RequestMetadata.NONE));
    LOG.infof("bootstrap admin %s created", normalised);
  }
}
