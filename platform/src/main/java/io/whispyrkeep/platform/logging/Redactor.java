package io.whispyrkeep.platform.logging;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks anything that looks like a credential in free text: passwords and secrets in {@code
 * key=value} or JSON form, bearer tokens, JWTs, refresh tokens and LLM provider API keys. It is the
 * one place every log line, error detail and event value goes through, so a new secret shape is
 * added here once. Over-masking is preferred to a leak.
 */
public final class Redactor {

  /** What replaces a secret. */
  public static final String MASK = "[REDACTED]";

  /** Key names whose values are always secret, matched case-insensitively anywhere in a key. */
  private static final String SECRET_KEY =
      "(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|credential"
          + "|private[_-]?key|client[_-]?secret|cookie|session)";

  private static final List<Pattern> PATTERNS =
      List.of(
          // "password": "value" (JSON) — the value up to the closing quote, escapes included
          Pattern.compile(
              "(\"[\\w.-]*" + SECRET_KEY + "[\\w.-]*\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")",
              Pattern.CASE_INSENSITIVE),
          // password=value, token: value (properties, query strings, form bodies, log text)
          Pattern.compile(
              "(\\b[\\w.-]*"
                  + SECRET_KEY
                  + "[\\w.-]*\\s*[=:]\\s*)(?!\\[REDACTED])([^\\s,;&\"'}\\]]+)",
              Pattern.CASE_INSENSITIVE),
          // Authorization: Bearer <token> / Basic <credentials>
          Pattern.compile("(\\b(?:Bearer|Basic)\\s+)([A-Za-z0-9._~+/=-]{8,})"),
          // a bare JWT (header.payload.signature, base64url)
          Pattern.compile("()(eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)"),
          // LLM provider keys: OpenAI/Anthropic sk-..., Google AIza..., generic wk refresh tokens
          Pattern.compile("()(\\bsk-[A-Za-z0-9_-]{16,})"),
          Pattern.compile("()(\\bAIza[0-9A-Za-z_-]{30,})"),
          Pattern.compile("()(\\bwkrt_[A-Za-z0-9_-]{16,})"));

  private static final Pattern SECRET_KEY_PATTERN =
      Pattern.compile(SECRET_KEY, Pattern.CASE_INSENSITIVE);

  private Redactor() {}

  /** Returns {@code text} with every secret-looking value masked; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (Pattern pattern : PATTERNS) {
      Matcher matcher = pattern.matcher(result);
      if (!matcher.find()) {
        continue;
      }
      StringBuilder out = new StringBuilder(result.length());
      do {
        String tail = matcher.groupCount() >= 3 ? matcher.group(3) : "";
        matcher.appendReplacement(
            out, Matcher.quoteReplacement(matcher.group(1) + MASK + (tail == null ? "" : tail)));
      } while (matcher.find());
      matcher.appendTail(out);
      result = out.toString();
    }
    return result;
  }

  /** Whether a field or map key names a secret, so its value must never be shown. */
  public static boolean isSecretKey(String key) {
    return key != null && SECRET_KEY_PATTERN.matcher(key.toLowerCase(Locale.ROOT)).find();
  }
}
