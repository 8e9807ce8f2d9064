package dev.wharf.runtime.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container of an image runs, as Docker decides it: the image's config gives the defaults,
 * the container request overrides them. The result fills a {@link ContainerSpec}:
 * <pre>
 *   Resolved run = ContainerDefaults.resolve(reference, image.config(), new Request(entrypoint, command, env, workingDir, user, health));
 *   new ContainerSpec(id, name, teamId, new Rootfs.Image(image.digest()), run.args(), run.env(), run.workingDir(),
 *           run.user(), resources, run.stopSignal(), volumes, network, new RunOptions(init, tmpfs, readOnly, run.healthCheck()));
 * </pre>
 * A user name ({@code nginx}) is kept as a name: the node looks it up in the image's own
 * {@code /etc/passwd} when it creates the container.
 */
public final class ContainerDefaults {

    private ContainerDefaults() {
    }

    /**
     * What a container request says about its process; null fields (and an empty command) leave the image's.
     *
     * @param entrypoint replaces the image's entrypoint; {@code []} clears it. Given, the image's cmd is not used either
     * @param command    replaces the image's cmd (not its entrypoint) when not empty
     * @param env        added to the image's environment, replacing variables of the same name
     * @param health     overrides the image's health check field by field; a test of {@code ["NONE"]} turns it off
     */
    public record Request(List<String> entrypoint, List<String> command, Map<String, String> env, String workingDir, String user,
            HealthOverride health) {
    }

    /** A health check as a request gives it: null fields take the image's value, then the default. */
    public record HealthOverride(List<String> test, java.time.Duration interval, java.time.Duration timeout,
            java.time.Duration startPeriod, Integer retries) {
    }

    /**
     * A container's process, merged from its image's config and its request.
     *
     * @param args        argv: entrypoint (the request's, else the image's), then the request's command, else the
     *                    image's cmd unless the request replaced the entrypoint
     * @param env         the image's environment, overridden key by key by the request's
     * @param workingDir  the request's, else the image's, else {@code /}
     * @param user        the request's, else the image's, else {@code 0:0}: numbers or names
     * @param stopSignal  the image's stop signal, normalized ({@code QUIT}), else {@code TERM}
     * @param healthCheck the image's health check with the request's overrides, or null for none
     */
    public record Resolved(List<String> args, Map<String, String> env, String workingDir, String user, String stopSignal,
            HealthCheck healthCheck) {
        public Resolved {
            args = List.copyOf(args);
            env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }
    }

    /**
     * Merges {@code config} (the image's) with what a container request gives; null or empty request
     * fields take the image's value.
     *
     * @param image the image's name for messages ({@code 127.0.0.1:5000/team/app:1} or its digest)
     * @throws RuntimeFailure INVALID_ARGUMENT when neither gives a command, when the image's stop signal
     *                        is unknown, or when the health check is not valid
     */
    public static Resolved resolve(String image, ImageInfo.ImageConfig config, Request request) {
        List<String> command = request.command();
        List<String> args = new ArrayList<>(request.entrypoint() != null ? request.entrypoint() : config.entrypoint());
        if (command != null && !command.isEmpty()) {
            args.addAll(command);
        } else if (request.entrypoint() == null) {
            args.addAll(config.cmd());
        }
        if (args.isEmpty()) {
            throw RuntimeFailure.invalid("image " + image + " has no command; give one");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (String variable : config.env()) {
            int equals = variable.indexOf('=');
            environment.put(equals < 0 ? variable : variable.substring(0, equals), equals < 0 ? "" : variable.substring(equals + 1));
        }
        if (request.env() != null) {
            environment.putAll(request.env());
        }
        String stopSignal;
        try {
            stopSignal = isBlank(config.stopSignal()) ? "TERM" : Signals.normalize(config.stopSignal());
        } catch (RuntimeFailure e) {
            throw RuntimeFailure.invalid("image " + image + " has the stop signal \"" + config.stopSignal()
                    + "\", which this runtime cannot send: " + e.getMessage());
        }
        return new Resolved(args, environment, firstGiven(request.workingDir(), config.workingDir(), "/"),
                firstGiven(request.user(), config.user(), "0:0"), stopSignal, healthCheck(config.healthCheck(), request.health()));
    }

    /** Docker's rule: the request's fields over the image's, a test of {@code ["NONE"]} meaning none. */
    private static HealthCheck healthCheck(HealthCheck image, HealthOverride request) {
        if (request == null) {
            return image;
        }
        List<String> test = request.test() != null && !request.test().isEmpty() ? request.test() : image == null ? null : image.test();
        if (test == null || test.get(0).equals("NONE")) {
            return null;
        }
        return new HealthCheck(test, first(request.interval(), image == null ? null : image.interval()),
                first(request.timeout(), image == null ? null : image.timeout()),
                first(request.startPeriod(), image == null ? null : image.startPeriod()),
                request.retries() != null ? request.retries() : image == null ? HealthCheck.DEFAULT_RETRIES : image.retries());
    }

    private static <T> T first(T first, T second) {
        return first != null ? first : second;
    }

    private static String firstGiven(String first, String second, String otherwise) {
        return !isBlank(first) ? first : !isBlank(second) ? second : otherwise;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
