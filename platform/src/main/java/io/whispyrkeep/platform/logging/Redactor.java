package io.whispyrkeep.platform.logging;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.function.Predicate;

/**
 * Masks anything that looks like a credential in free text: passwords and secrets in {@code
 * key=value} or JSON form, bearer tokens, JWTs, refresh tokens and LLM provider API keys. It is the
 * one place every log line, error detail and event value goes through, so a new secret shape is
 * added here once. Over-masking is preferred to a leak.
 *
 * <p>Its input is often attacker-controlled (an HTTP method, a header, a client id) and it runs on
 * the event loop, so the patterns run on RE2/J, whose matching time is linear in the input whatever
 * the pattern: no input can make redaction backtrack (the JDK engine took seconds for a
 * 2,000-character method name). RE2/J has no look-around, so an already masked value is recognised
 * by its capture group instead.
 */
public final class Redactor {

  /** What replaces a secret. */
  public static final String MASK = "[REDACTED]";

  /** Key names whose values are always secret, matched case-insensitively anywhere in a key. */
  private static final String SECRET_KEY =
      "(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|credential"
          + "|private[_-]?key|client[_-]?secret|cookie|session)";

  /**
   * A secret-key name anywhere in a text. A plain alternation of literals (no repetition), so the
   * JDK engine matches it in linear time; it is the cheap test that tells whether the key-based
   * rules need to run at all. Unicode case folding, like RE2/J's, so it never skips a text that
   * those rules would match.
   */
  private static final java.util.regex.Pattern SECRET_KEY_PATTERN =
      java.util.regex.Pattern.compile(
          SECRET_KEY,
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE);

  /**
   * One secret shape: a pattern with the kept prefix as group 1, the secret as group 2 and, for
   * quoted values, the kept closing quote as group 3; and a cheap test that the text may hold one,
   * so ordinary log lines skip the pattern.
   */
  private record Rule(Pattern pattern, Predicate<String> mayMatch) {}

  private static final Predicate<String> HAS_SECRET_KEY =
      text -> SECRET_KEY_PATTERN.matcher(text).find();

  private static final List<Rule> RULES =
      List.of(
          // "password": "value" (JSON) — the value up to the closing quote, escapes included
          new Rule(
              Pattern.compile(
                  "(\"[\\w.-]*" + SECRET_KEY + "[\\w.-]*\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")",
                  Pattern.CASE_INSENSITIVE),
              HAS_SECRET_KEY),
          // password=value, token: value (properties, query strings, form bodies, log text);
          // a value already masked matches as a whole and is put back as it was
          new Rule(
              Pattern.compile(
                  "(\\b[\\w.-]*"
                      + SECRET_KEY
                      + "[\\w.-]*\\s*[=:]\\s*)(\\[REDACTED\\]|[^\\s,;&\"'}\\]]+)",
                  Pattern.CASE_INSENSITIVE),
              HAS_SECRET_KEY),
          // Authorization: Bearer <token> / Basic <credentials>
          new Rule(
              Pattern.compile("(\\b(?:Bearer|Basic)\\s+)([A-Za-z0-9._~+/=-]{8,})"),
              text -> text.contains("Bearer") || text.contains("Basic")),
          // a bare JWT (header.payload.signature, base64url)
          new Rule(
              Pattern.compile("()(eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)"),
              text -> text.contains("eyJ")),
          // LLM provider keys: OpenAI/Anthropic sk-..., Google AIza..., generic wk refresh tokens
          new Rule(Pattern.compile("()(\\bsk-[A-Za-z0-9_-]{16,})"), text -> text.contains("sk-")),
          new Rule(Pattern.compile("()(\\bAIza[0-9A-Za-z_-]{30,})"), text -> text.contains("AIza")),
          new Rule(
              Pattern.compile("()(\\bwkrt_[A-Za-z0-9_-]{16,})"), text -> text.contains("wkrt_")));

  private Redactor() {}

  /** Returns {@code text} with every secret-looking value masked; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String result = text;
    for (Rule rule : RULES) {
      if (!rule.mayMatch().test(result)) {
        continue;
      }
      Matcher matcher = rule.pattern().matcher(result);
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
    return key != null && SECRET_KEY_PATTERN.matcher(key).find();
  }
}
