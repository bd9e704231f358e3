package io.whispyrkeep.testsupport.vault;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresVault} tests only where {@link VaultStarter} finds a Vault. */
public class VaultAvailableCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return VaultStarter.vault()
        .map(vault -> ConditionEvaluationResult.enabled("Vault from " + vault.origin()))
        .orElseGet(
            () -> {
              System.out.println("SKIPPED (needs Vault): " + VaultStarter.unavailableReason());
              return ConditionEvaluationResult.disabled(VaultStarter.unavailableReason());
            });
  }
}
