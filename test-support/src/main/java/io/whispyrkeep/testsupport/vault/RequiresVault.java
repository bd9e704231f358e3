package io.whispyrkeep.testsupport.vault;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs a live Vault; it is skipped, with the reason printed, where none can be
 * reached. Never replace such a test with a stand-in and call it done.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(VaultAvailableCondition.class)
public @interface RequiresVault {}
