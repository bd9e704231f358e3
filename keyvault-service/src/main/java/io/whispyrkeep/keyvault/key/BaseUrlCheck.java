package io.whispyrkeep.keyvault.key;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Placeholder until the SSRF guard lands: refuses every player-supplied base URL. */
@ApplicationScoped
public class BaseUrlCheck {

  public Uni<String> check(String baseUrl) {
    return Uni.createFrom()
        .failure(io.whispyrkeep.keyvault.KeyvaultProblems.baseUrlRefused("not checked yet"));
  }
}
