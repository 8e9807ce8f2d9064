package dev.wharf.runtime.api;

import java.util.List;
import java.util.regex.Pattern;

/** A team volume mounted into a container: by name, at an absolute path, optionally read-only. */
public record VolumeMount(String name, String path, boolean readOnly) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public VolumeMount {
        if (name == null || !NAME.matcher(name).matches()) {
            throw RuntimeFailure.invalid("volume name must be a DNS label, got " + name);
        }
        if (path == null || !path.startsWith("/") || path.equals("/") || List.of(path.split("/")).contains("..")) {
            throw RuntimeFailure.invalid("volume " + name + " needs an absolute mount path other than / and without .., got " + path);
        }
    }
}
