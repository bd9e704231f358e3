package io.whispyrkeep.turn.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;

/** {@link TurnConfig} built by SmallRye Config as Quarkus builds it, without booting Quarkus. */
public final class TurnConfigs {

  private TurnConfigs() {}

  /** The defaults of every key. */
  public static TurnConfig defaults() {
    return with(Map.of());
  }

  /** The defaults, with {@code properties} (full keys, e.g. {@code whispyrkeep.turn.x}) set. */
  public static TurnConfig with(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            .withMapping(TurnConfig.class)
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return config.getConfigMapping(TurnConfig.class);
  }
}
