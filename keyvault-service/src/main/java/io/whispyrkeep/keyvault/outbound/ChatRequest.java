package io.whispyrkeep.keyvault.outbound;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A chat-completion request in provider-neutral form, bounded so that one player cannot make the
 * service send (and pay for) an unbounded request.
 *
 * @param model the provider's model name, e.g. {@code gpt-4o-mini}
 * @param messages at most {@link #MAX_MESSAGES}, each at most {@link ChatMessage#MAX_CONTENT_CHARS}
 *     characters, together at most {@link #MAX_TOTAL_CHARS}
 * @param maxTokens 1 to {@link #MAX_TOKENS}; null lets OpenAI choose and sends {@link
 *     #DEFAULT_ANTHROPIC_MAX_TOKENS} to Anthropic (which requires a value)
 * @param temperature 0 to 2, or null (Anthropic accepts at most 1 and answers 4xx above)
 * @param topP 0 to 1, or null
 * @param stop at most 4 stop sequences of at most 64 characters, or null
 */
public record ChatRequest(
    @NotBlank @Size(max = 128) @Pattern(regexp = "[A-Za-z0-9._:/@-]+") String model,
    @NotEmpty @Size(max = MAX_MESSAGES) List<@NotNull @Valid ChatMessage> messages,
    @JsonProperty("max_tokens") @Min(1) @Max(MAX_TOKENS) Integer maxTokens,
    @DecimalMin("0") @DecimalMax("2") Double temperature,
    @JsonProperty("top_p") @DecimalMin("0") @DecimalMax("1") Double topP,
    @Size(max = 4) List<@NotNull @Size(min = 1, max = 64) String> stop) {

  /** Most messages in one request. */
  public static final int MAX_MESSAGES = 64;

  /** Most characters over all messages: 256 Ki. */
  public static final int MAX_TOTAL_CHARS = 256 * 1024;

  /** Most tokens a completion may ask for. */
  public static final int MAX_TOKENS = 8192;

  /** {@code max_tokens} sent to Anthropic when the request leaves it open. */
  public static final int DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

  public ChatRequest {
    messages = messages == null ? null : List.copyOf(messages);
    stop = stop == null ? null : List.copyOf(stop);
  }

  /** A request with only a model and messages. */
  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, null, null, null, null);
  }

  /** Whether all messages together stay within {@link #MAX_TOTAL_CHARS}. */
  @JsonIgnore
  @AssertTrue(message = "messages together must not exceed 262144 characters")
  public boolean isWithinTotalSize() {
    if (messages == null) {
      return true;
    }
    long total = 0;
    for (ChatMessage message : messages) {
      if (message != null && message.content() != null) {
        total += message.content().length();
      }
    }
    return total <= MAX_TOTAL_CHARS;
  }
}
