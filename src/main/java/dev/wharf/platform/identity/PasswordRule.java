package dev.wharf.platform.identity;

import dev.wharf.platform.web.WharfException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a password must be, as one pure function. A password has 12 to 72 bytes and at least 5
 * different characters; it is not one short piece repeated, not a run of keys, letters or digits
 * ({@code 123456789012}, {@code qwertyuiop}), not built from the user's name, and not one of the
 * ~3,500 most common passwords ({@code identity/common-passwords.txt}, shipped with Wharf), also
 * not when digits or symbols are put around it or letters written as digits ({@code P@ssw0rd2024!}).
 * Each refusal names the rule it broke.
 */
final class PasswordRule {

    static final int MIN_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
    static final int MAX_BYTES = 72;
    static final int MIN_DISTINCT = 5;

    private static final List<String> SEQUENCES = List.of("abcdefghijklmnopqrstuvwxyz", "0123456789",
            "qwertyuiopasdfghjklzxcvbnm", "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn",
            "1234567890-=", "!@#$%^&*()_+", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp");
    private static final Set<String> COMMON = load("/identity/common-passwords.txt");

    private PasswordRule() {
    }

    /** Refuses (400, field {@code password}) a password that breaks the rule; {@code userName} may be null. */
    static void check(String userName, String password) {
        problem(userName, password).ifPresent(detail -> {
            throw WharfException.invalidField("password", detail);
        });
    }

    /** What is wrong with the password, if anything. */
    static Optional<String> problem(String userName, String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            return Optional.of("password must have at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("password must have at most " + MAX_BYTES + " bytes");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (lower.codePoints().distinct().count() < MIN_DISTINCT) {
            return Optional.of("password must use at least " + MIN_DISTINCT + " different characters");
        }
        if (repeatsAShortPiece(lower)) {
            return Optional.of("password must not be a short piece repeated (like abcabcabcabc)");
        }
        if (userName != null && userName.length() >= 3) {
            String rest = lower.replace(userName.toLowerCase(Locale.ROOT), "");
            if (rest.length() < lower.length() && (rest.length() < 8 || weak(rest))) {
                return Optional.of("password must not be built from the user name");
            }
        }
        if (sequence(lower) || sequence(core(lower))) {
            return Optional.of("password must not be a run of keys, letters or digits (like 123456789012 or qwertyuiop)");
        }
        if (common(lower)) {
            return Optional.of("password is one of the most common passwords (or one with digits or symbols added): choose another");
        }
        return Optional.empty();
    }

    private static boolean weak(String text) {
        return sequence(text) || sequence(core(text)) || common(text);
    }

    private static boolean common(String lower) {
        String core = core(lower);
        return COMMON.contains(lower) || COMMON.contains(core) || COMMON.contains(unLeet(core)) || COMMON.contains(core(unLeet(lower)));
    }

    /** The text without the digits and symbols at its start and end: {@code "2024password!!"} → {@code "password"}. */
    static String core(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && !Character.isLetter(text.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetter(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static String unLeet(String text) {
        StringBuilder plain = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            plain.append(switch (c) {
                case '@', '4' -> 'a';
                case '0' -> 'o';
                case '1', '!' -> 'i';
                case '3' -> 'e';
                case '$', '5' -> 's';
                case '7' -> 't';
                default -> c;
            });
        }
        return plain.toString();
    }

    /** At least four characters, all a stretch of one of the {@link #SEQUENCES} (forwards or backwards, wrapping around). */
    private static boolean sequence(String text) {
        if (text.length() < 4) {
            return false;
        }
        for (String sequence : SEQUENCES) {
            String twice = sequence + sequence;
            if (twice.contains(text) || new StringBuilder(twice).reverse().toString().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean repeatsAShortPiece(String text) {
        for (int period = 1; period < MIN_LENGTH && period * 2 <= text.length(); period++) {
            boolean repeats = true;
            for (int i = period; i < text.length() && repeats; i++) {
                repeats = text.charAt(i) == text.charAt(i - period);
            }
            if (repeats) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> load(String resource) {
        try (InputStream in = PasswordRule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the list of common passwords " + resource + " is missing from the build");
            }
            Set<String> words = new HashSet<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    words.add(line.strip().toLowerCase(Locale.ROOT));
                }
            }
            return Set.copyOf(new ArrayList<>(words));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the list of common passwords " + resource, e);
        }
    }
}
