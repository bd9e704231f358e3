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
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

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

  @Operation(summary = "Register a player account")
  @APIResponse(responseCode = "201", description = "Account created")
  @APIResponse(
      responseCode = "409",
      description = "Email already registered (problem type email-taken)")
  @POST
  @Path("register")
  @PermitAll
  public Uni<Response> register(@Valid @NotNull RegisterRequest body, RoutingContext context) {
    RequestMetadata meta = RequestMetadata.from(context);
    return logins
        .enforceRateLimit("register", config.rateLimit().registerPerMinute(), meta)
        .chain(() -> accounts.register(body, Set.of(Role.PLAYER), meta))
        .map(account -> Response.status(201).entity(AccountResponse.of(account)).build());
  }

  @Operation(summary = "Sign in with email and password; returns tokens and a device token")
  @APIResponse(
      responseCode = "200",
      description = "Access and refresh tokens; device token in the body and an HttpOnly cookie")
  @APIResponse(
      responseCode = "401",
      description =
          "Wrong credentials, or refused while locked or under attack: one answer for all (problem type invalid-credentials)")
  @POST
  @Path("login")
  @PermitAll
  public Uni<Response> login(
      @Valid @NotNull LoginRequest body,
      @CookieParam(DeviceTokens.COOKIE) String deviceCookie,
      RoutingContext context) {
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

  @Operation(
      summary = "Exchange a refresh token for new tokens (rotating; reuse revokes the family)")
  @APIResponse(responseCode = "200", description = "New access and refresh tokens")
  @APIResponse(responseCode = "401", description = "Refresh token invalid, expired, or reused")
  @POST
  @Path("refresh")
  @PermitAll
  public Uni<TokenResponse> refresh(@Valid @NotNull RefreshRequest body, RoutingContext context) {
    return logins.refresh(body, RequestMetadata.from(context));
  }

  @Operation(summary = "Revoke a refresh token family")
  @APIResponse(responseCode = "204", description = "Signed out")
  @POST
  @Path("logout")
  @Authenticated
  public Uni<Response> logout(@Valid @NotNull RefreshRequest body, RoutingContext context) {
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
