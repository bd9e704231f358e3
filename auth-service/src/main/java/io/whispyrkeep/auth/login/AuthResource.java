package io.whispyrkeep.auth.login;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.whispyrkeep.auth.account.AccountResponse;
import io.whispyrkeep.auth.account.AccountService;
import io.whispyrkeep.auth.account.RegisterRequest;
import io.whispyrkeep.auth.account.Role;
import io.whispyrkeep.auth.config.AuthConfig;
import io.whispyrkeep.auth.lockout.DeviceTokens;
import io.whispyrkeep.platform.http.RequestMetadata;
import io.whispyrkeep.platform.problem.ProblemException;
import io.whispyrkeep.platform.problem.ProblemType;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The player-facing endpoints: register, login, refresh, logout, me. */
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthResource {

  private final AccountService accounts;
  private final LoginService logins;
  private final AuthConfig config;
  private final JsonWebToken jwt;

  AuthResource(AccountService accounts, LoginService logins, AuthConfig config, JsonWebToken jwt) {
    this.accounts = accounts;
    this.logins = logins;
    this.config = config;
    this.jwt = jwt;
  }

  @POST
  @Path("register")
  @PermitAll
  public Uni<Response> register(RegisterRequest request, RoutingContext context) {
    RequestMetadata meta = RequestMetadata.from(context);
    RegisterRequest body = request == null ? new RegisterRequest(null, null, null) : request;
    return logins
        .enforceRateLimit("register", config.rateLimit().registerPerMinute(), meta)
        .chain(() -> accounts.register(body, Set.of(Role.PLAYER), meta))
        .map(account -> Response.status(201).entity(AccountResponse.of(account)).build());
  }

  @POST
  @Path("login")
  @PermitAll
  public Uni<Response> login(
      LoginRequest request,
      @CookieParam(DeviceTokens.COOKIE) String deviceCookie,
      RoutingContext context) {
    LoginRequest body = request == null ? new LoginRequest(null, null) : request;
    return logins
        .login(body, deviceCookie, RequestMetadata.from(context))
        .map(tokens -> Response.ok(tokens).cookie(deviceCookie(tokens.deviceToken())).build());
  }

  /** The device token as an HttpOnly, Secure, SameSite=Strict cookie sent only to the login. */
  private NewCookie deviceCookie(String token) {
    return new NewCookie.Builder(DeviceTokens.COOKIE)
        .value(token)
        .path(DeviceTokens.COOKIE_PATH)
        .maxAge(
            (int) Math.min(Integer.MAX_VALUE, config.lockout().deviceTokenLifetime().toSeconds()))
        .secure(true)
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .build();
  }

  @POST
  @Path("refresh")
  @PermitAll
  public Uni<TokenResponse> refresh(RefreshRequest request, RoutingContext context) {
    RefreshRequest body = request == null ? new RefreshRequest(null) : request;
    return logins.refresh(body, RequestMetadata.from(context));
  }

  @POST
  @Path("logout")
  @Authenticated
  public Uni<Response> logout(RefreshRequest request, RoutingContext context) {
    RefreshRequest body = request == null ? new RefreshRequest(null) : request;
    return logins
        .logout(body, accountId(), RequestMetadata.from(context))
        .replaceWith(Response.noContent().build());
  }

  /** The caller's account id; service tokens (subject = client id) have no account. */
  private UUID accountId() {
    try {
      return UUID.fromString(jwt.getSubject());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ProblemException(
          ProblemType.FORBIDDEN, "This token does not belong to an account.");
    }
  }

  @GET
  @Path("me")
  @Authenticated
  public Uni<AccountResponse> me() {
    return accounts.find(accountId()).map(AccountResponse::of);
  }
}
