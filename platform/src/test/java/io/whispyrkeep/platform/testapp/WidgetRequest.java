package io.whispyrkeep.platform.testapp;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public record WidgetRequest(@NotBlank @Size(max = 100) String name) {}
