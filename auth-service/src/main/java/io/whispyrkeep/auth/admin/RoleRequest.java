package io.whispyrkeep.auth.admin;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** {@code POST /auth/users/{id}/roles}. */
public record RoleRequest(@NotBlank @Size(max = 64) String role) {}
