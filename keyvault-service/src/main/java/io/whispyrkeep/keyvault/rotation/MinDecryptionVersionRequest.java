package io.whispyrkeep.keyvault.rotation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** {@code POST /admin/keys/min-decryption-version}: the oldest key version that may decrypt. */
public record MinDecryptionVersionRequest(@NotNull @Min(1) @Max(1_000_000) Integer version) {}
