package io.whispyrkeep.keyvault.outbound;

/** How a provider is spoken to. */
public enum WireFormat {
  /**
   * OpenAI chat completions: {@code POST {base}/chat/completions}, {@code Authorization: Bearer
   * <key>}; also every OpenAI-compatible server.
   */
  OPENAI,
  /**
   * Anthropic messages: {@code POST {base}/messages}, {@code x-api-key: <key>}, {@code
   * anthropic-version: 2023-06-01}, system prompt in {@code system}.
   */
  ANTHROPIC
}
