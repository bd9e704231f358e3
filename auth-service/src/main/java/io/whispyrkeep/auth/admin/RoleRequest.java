package io.whispyrkeep.auth.admin;

/** {@code POST /auth/users/{id}/roles}. */
public record RoleRequest(String role) {}
