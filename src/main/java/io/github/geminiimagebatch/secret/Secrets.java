package io.github.geminiimagebatch.secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Process-wide redaction of credentials in text that is about to be logged or shown.
 *
 * <p>Two mechanisms: exact secrets registered at start-up (API keys from configuration, OAuth tokens
 * as they are minted) and patterns for credential shapes that may reach a log line without ever
 * being registered (a key pasted into a URL, a service-account JSON echoed in an error).
 */
public final class Secrets {

    public static final String MASK = "***";

    /** Shorter strings would match inside ordinary words and mask half of every log line. */
    static final int MIN_SECRET_LENGTH = 6;

    private static final Object REGISTRY_LOCK = new Object();

    /** Copy-on-write, longest first so a secret that contains another is masked as a whole. */
    private static volatile List<String> registered = List.of();

    /**
     * Credential shapes. Each rule keeps the part that says what was there ({@code key=},
     * {@code Bearer }, the JSON field name) so a redacted line is still readable, and names the
     * lower-case substrings without which it cannot match: a log line that contains none of them
     * costs one lower-casing and a few {@code contains}, not nine regex scans.
     */
    private static final List<Rule> RULES = List.of(
            // Multi-line first: the PEM body would otherwise be left for the short patterns.
            new Rule("(-----BEGIN [A-Z ]*PRIVATE KEY-----)(?:.*?-----END [A-Z ]*PRIVATE KEY-----|.*)", "$1" + MASK, "private key"),
            new Rule("(\"private_key\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"?", "$1" + MASK + "\"", "\"private_key\""),
            // Google keys are AIza + 35; a cut or mistyped one (AIza + 20 or more) is still masked whole.
            new Rule("\\bAIza[0-9A-Za-z_\\-]{20,}", MASK, "aiza"),
            new Rule("\\bya29\\.[0-9A-Za-z_\\-.]+", MASK, "ya29."),
            new Rule("\\bsk-or-v1-[0-9A-Za-z]{16,}", MASK, "sk-or-v1-"),
            new Rule("(?i)([?&;](?:key|api[_-]?key|access_token)=)[^&#\\s\"'<>]+", "$1" + MASK, "key=", "access_token="),
            new Rule("(?i)\\b((?:x-goog-api-key|api[_-]?key)\"?\\s*[:=]\\s*\"?)[^\\s\"'&#,;}]+", "$1" + MASK, "api-key", "api_key", "apikey"),
            new Rule("(?i)\\b((?:proxy-)?authorization\"?\\s*[:=]\\s*\"?)[^\\r\\n\"]+", "$1" + MASK, "authorization"),
            // A token has a digit or punctuation; "bearer authentication" in a sentence has neither.
            new Rule("(?i)\\b(bearer\\s+)(?=[A-Za-z]*[0-9._~+/\\-])[A-Za-z0-9._~+/\\-]+=*", "$1" + MASK, "bearer"));

    private Secrets() {
    }

    /**
     * Remembers a secret so {@link #redact} masks it, also in its URL-encoded form. Blank or short
     * values (under {@value #MIN_SECRET_LENGTH} characters) are ignored: masking them would garble
     * ordinary text and they are not credentials worth the name.
     */
    public static void register(String secret) {
        if (secret == null || secret.strip().length() < MIN_SECRET_LENGTH) {
            return;
        }
        synchronized (REGISTRY_LOCK) {
            List<String> next = new ArrayList<>(registered);
            addIfAbsent(next, secret);
            addIfAbsent(next, URLEncoder.encode(secret, StandardCharsets.UTF_8));
            next.sort(Comparator.comparingInt(String::length).reversed());
            registered = List.copyOf(next);
        }
    }

    /** Returns the text with every registered secret and every credential-shaped value masked; the same instance when nothing matched. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : registered) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        String lowerCase = result.toLowerCase(Locale.ROOT);
        for (Rule rule : RULES) {
            if (rule.mayMatch(lowerCase)) {
                Matcher matcher = rule.pattern.matcher(result);
                if (matcher.find()) {
                    result = matcher.replaceAll(rule.replacement);
                }
            }
        }
        return result;
    }

    /** Forgets every registered secret; tests only, the registry is otherwise append-only for the life of the JVM. */
    public static void clearForTests() {
        synchronized (REGISTRY_LOCK) {
            registered = List.of();
        }
    }

    private static void addIfAbsent(List<String> secrets, String secret) {
        if (!secrets.contains(secret)) {
            secrets.add(secret);
        }
    }

    private record Rule(Pattern pattern, String replacement, List<String> triggers) {
        Rule(String regex, String replacement, String... triggers) {
            this(Pattern.compile(regex, Pattern.DOTALL), replacement, List.of(triggers));
        }

        boolean mayMatch(String lowerCaseText) {
            for (String trigger : triggers) {
                if (lowerCaseText.contains(trigger)) {
                    return true;
                }
            }
            return false;
        }
    }
}
