package dev.wharf.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.runtime.api.ContainerDefaults.Resolved;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerDefaultsTests {

    private static final String IMAGE = "127.0.0.1:5000/team/app:1";

    /** An image config with only what a case needs. */
    private static ImageInfo.ImageConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
            String user, String stopSignal) {
        return new ImageInfo.ImageConfig(entrypoint, cmd, env, workingDir, user, stopSignal, List.of("80/tcp"));
    }

    private static final ContainerDefaults.Request NOTHING = request(null, null, null, null);

    /** A container request: command, env, workingDir, user. */
    private static ContainerDefaults.Request request(List<String> command, Map<String, String> env, String workingDir, String user) {
        return new ContainerDefaults.Request(null, command, env, workingDir, user, null);
    }

    private static ContainerDefaults.Request entrypoint(List<String> entrypoint, List<String> command) {
        return new ContainerDefaults.Request(entrypoint, command, null, null, null, null);
    }

    private static Resolved resolved(List<String> args, Map<String, String> env, String workingDir, String user, String stopSignal) {
        return new Resolved(args, env, workingDir, user, stopSignal, null);
    }

    static Stream<Arguments> merges() {
        ImageInfo.ImageConfig nginx = image(List.of("/docker-entrypoint.sh"), List.of("nginx", "-g", "daemon off;"),
                List.of("PATH=/usr/sbin:/bin", "NGINX_VERSION=1.27"), "/srv", "101:101", "SIGQUIT");
        ImageInfo.ImageConfig shell = image(null, List.of("/bin/sh"), null, null, null, null);
        return Stream.of(
                Arguments.of("the image's defaults when the request says nothing", nginx, NOTHING,
                        resolved(List.of("/docker-entrypoint.sh", "nginx", "-g", "daemon off;"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "1.27"), "/srv", "101:101", "QUIT")),
                Arguments.of("a command replaces cmd and follows the entrypoint; env overrides key by key", nginx,
                        request(List.of("nginx", "-t"), Map.of("NGINX_VERSION", "test", "MODE", "debug"), "/tmp", "0"),
                        resolved(List.of("/docker-entrypoint.sh", "nginx", "-t"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "test", "MODE", "debug"), "/tmp", "0", "QUIT")),
                Arguments.of("an empty command keeps the image's cmd", shell, request(List.of(), Map.of(), "", " "),
                        resolved(List.of("/bin/sh"), Map.of(), "/", "0:0", "TERM")),
                Arguments.of("no cmd in the image: the entrypoint runs with the command as its arguments",
                        image(List.of("/bin/app"), null, List.of("EMPTY=", "BARE", "EQUALS=a=b"), "/app", "1000", "9"),
                        request(List.of("--serve"), null, null, null),
                        resolved(List.of("/bin/app", "--serve"), Map.of("EMPTY", "", "BARE", "", "EQUALS", "a=b"), "/app", "1000",
                                "KILL")),
                Arguments.of("a request's numeric user wins over the image's name", image(null, List.of("/bin/sh"), null, null,
                        "nginx", "sigterm"), request(null, null, null, "33:33"),
                        resolved(List.of("/bin/sh"), Map.of(), "/", "33:33", "TERM")),
                Arguments.of("user names stay names, for the node to look up", image(null, List.of("sh"), null, null, "nginx", null),
                        request(null, null, null, "app:staff"), resolved(List.of("sh"), Map.of(), "/", "app:staff", "TERM")),
                Arguments.of("a request's entrypoint replaces the image's, and drops the image's cmd", nginx,
                        entrypoint(List.of("/bin/sh", "-c"), null), resolved(List.of("/bin/sh", "-c"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "1.27"), "/srv", "101:101", "QUIT")),
                Arguments.of("a request's entrypoint with a command", nginx, entrypoint(List.of("/bin/echo"), List.of("hi")),
                        resolved(List.of("/bin/echo", "hi"), Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "1.27"), "/srv",
                                "101:101", "QUIT")),
                Arguments.of("an empty entrypoint clears the image's; the command runs alone", nginx,
                        entrypoint(List.of(), List.of("nginx", "-t")), resolved(List.of("nginx", "-t"),
                                Map.of("PATH", "/usr/sbin:/bin", "NGINX_VERSION", "1.27"), "/srv", "101:101", "QUIT")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("merges")
    void mergesTheImageConfigWithTheRequest(String description, ImageInfo.ImageConfig config, ContainerDefaults.Request request,
            Resolved expected) {
        Resolved resolved = ContainerDefaults.resolve(IMAGE, config, request);
        assertThat(resolved).isEqualTo(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no command anywhere", image(null, null, null, null, null, null), NOTHING,
                        "image " + IMAGE + " has no command; give one"),
                Arguments.of("an empty entrypoint and no command", image(List.of("/bin/app"), List.of("serve"), null, null, null, null),
                        entrypoint(List.of(), null), "image " + IMAGE + " has no command; give one"),
                Arguments.of("a stop signal the runtime cannot send", image(null, List.of("/sbin/init"), null, null, null,
                        "SIGRTMIN+3"), NOTHING, "image " + IMAGE + " has the stop signal \"SIGRTMIN+3\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWhatItCannotRun(String description, ImageInfo.ImageConfig config, ContainerDefaults.Request request, String message) {
        assertThatThrownBy(() -> ContainerDefaults.resolve(IMAGE, config, request))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((RuntimeFailure) e).kind()).isEqualTo(RuntimeFailure.Kind.INVALID_ARGUMENT));
    }

    @Test
    void theResultFillsAContainerSpec() {
        Resolved run = ContainerDefaults.resolve(IMAGE, image(null, List.of("/bin/sh"), List.of("PATH=/bin"), "/root", "1000:1000",
                "SIGINT"), request(null, Map.of("A", "1"), null, null));
        ContainerSpec spec = new ContainerSpec("abc", "app", 1, new Rootfs.Image("sha256:" + "a".repeat(64)), run.args(), run.env(),
                run.workingDir(), run.user(), null, run.stopSignal());
        assertThat(spec.user()).isEqualTo("1000:1000");
        assertThat(spec.stopSignal()).isEqualTo("INT");
        assertThat(spec.env()).containsEntry("PATH", "/bin").containsEntry("A", "1");
    }

    private static final HealthCheck IMAGE_CHECK = new HealthCheck(List.of("CMD-SHELL", "test -f /ready"), Duration.ofSeconds(5),
            Duration.ofSeconds(2), Duration.ofSeconds(10), 4);

    @Test
    void theImagesHealthCheckIsTakenAndOverriddenFieldByField() {
        ImageInfo.ImageConfig config = new ImageInfo.ImageConfig(null, List.of("sh"), null, null, null, null, null, Map.of(), IMAGE_CHECK);
        assertThat(ContainerDefaults.resolve(IMAGE, config, NOTHING).healthCheck()).isEqualTo(IMAGE_CHECK);
        ContainerDefaults.HealthOverride interval = new ContainerDefaults.HealthOverride(null, Duration.ofSeconds(1), null, null, null);
        assertThat(ContainerDefaults.resolve(IMAGE, config, new ContainerDefaults.Request(null, null, null, null, null, interval))
                .healthCheck()).isEqualTo(new HealthCheck(IMAGE_CHECK.test(), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(10), 4));
        ContainerDefaults.HealthOverride none = new ContainerDefaults.HealthOverride(List.of("NONE"), null, null, null, null);
        assertThat(ContainerDefaults.resolve(IMAGE, config, new ContainerDefaults.Request(null, null, null, null, null, none))
                .healthCheck()).isNull();
    }

    @Test
    void aRequestsHealthCheckOnAnImageWithoutOneTakesDockersDefaults() {
        ContainerDefaults.HealthOverride check = new ContainerDefaults.HealthOverride(List.of("CMD", "/bin/true"), null, null, null, null);
        HealthCheck resolved = ContainerDefaults.resolve(IMAGE, image(null, List.of("sh"), null, null, null, null),
                new ContainerDefaults.Request(null, null, null, null, null, check)).healthCheck();
        assertThat(resolved).isEqualTo(new HealthCheck(List.of("CMD", "/bin/true"), Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ZERO, 3));
        assertThat(resolved.command()).containsExactly("/bin/true");
        assertThat(IMAGE_CHECK.command()).containsExactly("/bin/sh", "-c", "test -f /ready");
    }

    @Test
    void aHealthCheckThatCannotRunIsRefused() {
        assertThatThrownBy(() -> new HealthCheck(List.of("CMD-SHELL"), null, null, null, 3)).isInstanceOf(RuntimeFailure.class);
        assertThatThrownBy(() -> new HealthCheck(List.of("CMD", "true"), Duration.ofMillis(10), null, null, 3))
                .hasMessageContaining("interval");
        assertThatThrownBy(() -> new HealthCheck(List.of("CMD", "true"), null, null, null, 0)).hasMessageContaining("retries");
    }
}
