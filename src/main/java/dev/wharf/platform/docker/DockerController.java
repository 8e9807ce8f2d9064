package dev.wharf.platform.docker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A handler class of the Docker Engine API: a {@link RestController} mapped under {@link DockerApi#BASE}
 * (so its methods map Docker's own paths, {@code @GetMapping("/containers/json")}), reachable only
 * through the Docker port, whose failures {@link DockerErrors} answers as Docker does.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@RestController
@RequestMapping(DockerApi.BASE)
public @interface DockerController {
}
