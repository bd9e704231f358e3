package io.whispyrkeep.turn.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
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
            // Quarkus's own converter, so "7d" and "1h" read as they do in the service
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return config.getConfigMapping(TurnConfig.class);
  }
}
