package dev.wharf.runtime.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a container of an image runs, as Docker decides it: the image's config gives the defaults,
 * the container request overrides them. The result fills a {@link ContainerSpec}:
 * <pre>
 *   Resolved run = ContainerDefaults.resolve(reference, image.config(), command, env, workingDir, user);
 *   new ContainerSpec(id, name, teamId, new Rootfs.Image(image.digest()), run.args(), run.env(), run.workingDir(),
 *           run.user(), resources, run.stopSignal());
 * </pre>
 * Not done yet: overriding the image's entrypoint, and user names ({@code nginx}), which need the
 * image's {@code /etc/passwd}; a name is refused.
 */
public final class ContainerDefaults {

    private static final Pattern NUMERIC_USER = Pattern.compile("\\d+(:\\d+)?");

    private ContainerDefaults() {
    }

    /**
     * A container's process, merged from its image's config and its request.
     *
     * @param args       argv: the image's entrypoint, then the request's command or else the image's cmd
     * @param env        the image's environment, overridden key by key by the request's
     * @param workingDir the request's, else the image's, else {@code /}
     * @param user       {@code uid[:gid]}: the request's, else the image's, else {@code 0:0}
     * @param stopSignal the image's stop signal, normalized ({@code QUIT}), else {@code TERM}
     */
    public record Resolved(List<String> args, Map<String, String> env, String workingDir, String user, String stopSignal) {
        public Resolved {
            args = List.copyOf(args);
            env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }
    }

    /**
     * Merges {@code config} (the image's) with what a container request gives; null or empty request
     * fields take the image's value.
     *
     * @param image      the image's name for messages ({@code 127.0.0.1:5000/team/app:1} or its digest)
     * @param command    replaces the image's cmd (not its entrypoint) when not empty
     * @param env        added to the image's environment, replacing variables of the same name
     * @throws RuntimeFailure INVALID_ARGUMENT when neither gives a command, when the user is a name
     *                        rather than {@code uid[:gid]}, or when the image's stop signal is unknown
     */
    public static Resolved resolve(String image, ImageInfo.ImageConfig config, List<String> command, Map<String, String> env,
            String workingDir, String user) {
        List<String> args = new ArrayList<>(config.entrypoint());
        args.addAll(command == null || command.isEmpty() ? config.cmd() : command);
        if (args.isEmpty()) {
            throw RuntimeFailure.invalid("image " + image + " has no command; give one");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (String variable : config.env()) {
            int equals = variable.indexOf('=');
            environment.put(equals < 0 ? variable : variable.substring(0, equals), equals < 0 ? "" : variable.substring(equals + 1));
        }
        if (env != null) {
            environment.putAll(env);
        }
        String resolvedUser = user(image, user, config.user());
        String stopSignal;
        try {
            stopSignal = isBlank(config.stopSignal()) ? "TERM" : Signals.normalize(config.stopSignal());
        } catch (RuntimeFailure e) {
            throw RuntimeFailure.invalid("image " + image + " has the stop signal \"" + config.stopSignal()
                    + "\", which this runtime cannot send: " + e.getMessage());
        }
        return new Resolved(args, environment, firstGiven(workingDir, config.workingDir(), "/"), resolvedUser, stopSignal);
    }

    /** The request's user, else the image's, else root; numeric only until image user names are looked up. */
    private static String user(String image, String requested, String imageUser) {
        String user = firstGiven(requested, imageUser, "0:0");
        if (!NUMERIC_USER.matcher(user).matches()) {
            String source = isBlank(requested) ? "image " + image + " runs as" : "the container asks for";
            throw RuntimeFailure.invalid(source + " user \"" + user + "\"; only a numeric uid[:gid] is supported"
                    + " (user names are not looked up in the image's /etc/passwd yet)");
        }
        return user;
    }

    private static String firstGiven(String first, String second, String otherwise) {
        return !isBlank(first) ? first : !isBlank(second) ? second : otherwise;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
