package dev.wharf.runtime.api;

import java.util.Locale;
import java.util.Map;

/** The signals a caller may send, by name ({@code TERM}, {@code SIGKILL}) or number. */
public final class Signals {

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
            Map.entry("QUIT", 3), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("USR2", 12), Map.entry("TERM", 15),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("WINCH", 28));

    private Signals() {
    }

    /** {@code "sigterm"} → {@code "TERM"}; {@code "9"} → {@code "KILL"}; anything unknown is an invalid argument. */
    public static String normalize(String signal) {
        String s = signal.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        if (NUMBERS.containsKey(s)) {
            return s;
        }
        for (Map.Entry<String, Integer> e : NUMBERS.entrySet()) {
            if (String.valueOf(e.getValue()).equals(s)) {
                return e.getKey();
            }
        }
        throw RuntimeFailure.invalid("unknown signal \"" + signal + "\"; use one of " + NUMBERS.keySet());
    }

    public static int number(String signal) {
        return NUMBERS.get(normalize(signal));
    }
}
