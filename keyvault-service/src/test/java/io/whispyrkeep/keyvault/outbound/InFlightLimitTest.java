package io.whispyrkeep.keyvault.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightLimitTest {

  @Test
  void tryAcquire_keyAtItsBound_isRefusedWhileOtherKeysStillGetSlots() {
    InFlightLimit limit = new InFlightLimit(2, 10);

    assertThat(limit.tryAcquire("a")).isTrue();
    assertThat(limit.tryAcquire("a")).isTrue();
    assertThat(limit.tryAcquire("a")).isFalse();
    assertThat(limit.tryAcquire("b")).isTrue();
  }

  @Test
  void tryAcquire_allAtTheGlobalBound_isRefusedForANewKey() {
    InFlightLimit limit = new InFlightLimit(5, 3);
    limit.tryAcquire("a");
    limit.tryAcquire("b");
    limit.tryAcquire("c");

    assertThat(limit.tryAcquire("d")).isFalse();
  }

  @Test
  void release_freesTheSlotOfItsKeyAndOfTheWhole() {
    InFlightLimit limit = new InFlightLimit(1, 1);
    limit.tryAcquire("a");
    assertThat(limit.tryAcquire("b")).isFalse();

    limit.release("a");

    assertThat(limit.tryAcquire("b")).isTrue();
    assertThat(limit.tryAcquire("a")).isFalse();
  }

  @Test
  void refusedAcquire_doesNotTakeAGlobalSlot() {
    InFlightLimit limit = new InFlightLimit(1, 2);
    limit.tryAcquire("a");
    for (int i = 0; i < 5; i++) {
      assertThat(limit.tryAcquire("a")).isFalse();
    }

    assertThat(limit.tryAcquire("b")).isTrue();
  }

  @Test
  void newLimit_nonPositiveBound_isRefused() {
    assertThatThrownBy(() -> new InFlightLimit(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InFlightLimit(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
