package dev.wharf.platform.workload;

import dev.wharf.platform.web.WharfException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the dashboard's create form into the API's {@link ContainerRequest}, and the API's field
 * errors back into messages at the form's fields. Only the shape changes here; the rules stay in
 * {@link ContainerManagement} and the quota.
 */
final class ContainerForms {

    private ContainerForms() {
    }

    static ContainerRequest request(ContainerPages.CreateForm form) {
        if (form.name() == null || !dev.wharf.platform.web.Names.isDnsLabel(form.name().strip())) {
            dev.wharf.platform.web.Names.requireDnsLabel("name", form.name() == null ? "" : form.name().strip());
        }
        if (form.image() == null || form.image().isBlank()) {
            throw WharfException.invalidField("image", "image is required, like busybox:1 or registry.example:5000/team/app:1");
        }
        Double cpus;
        try {
            cpus = blank(form.cpus()) ? null : Double.valueOf(form.cpus().strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField("resources.cpus", "cpus must be a number of cores, like 0.5");
        }
        Long pids;
        try {
            pids = blank(form.pids()) ? null : Long.valueOf(form.pids().strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField("resources.pids", "pids must be a whole number");
        }
        return new ContainerRequest(form.name().strip(), form.image().strip(), lines(form.command()), env(form.env()), null, null,
                blank(form.project()) ? null : form.project(),
                new ContainerRequest.ResourceRequest(cpus, blank(form.memory()) ? null : form.memory().strip(), pids),
                null, null, volumes(form.volumes()), form.restartPolicy(), Boolean.TRUE.equals(form.start()));
    }

    /** The ticked volume rows; a ticked one needs its path. None ticked: no volumes. */
    static List<ContainerRequest.VolumeRequest> volumes(List<ContainerPages.VolumeField> fields) {
        if (fields == null) {
            return null;
        }
        List<ContainerRequest.VolumeRequest> mounts = new ArrayList<>();
        for (ContainerPages.VolumeField field : fields) {
            if (field == null || blank(field.name())) {
                continue;
            }
            if (blank(field.path())) {
                throw WharfException.invalidField("volumes", "give the path where volume " + field.name() + " is mounted, like /data");
            }
            mounts.add(new ContainerRequest.VolumeRequest(field.name(), field.path().strip(), Boolean.TRUE.equals(field.readOnly())));
        }
        return mounts.isEmpty() ? null : mounts;
    }

    /** One argument per line; blank lines are skipped; no lines is the image's command. */
    static List<String> lines(String text) {
        if (blank(text)) {
            return null;
        }
        List<String> args = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.isBlank()) {
                args.add(line.strip());
            }
        }
        return args.isEmpty() ? null : args;
    }

    /** {@code KEY=VALUE} lines. */
    static Map<String, String> env(String text) {
        if (blank(text)) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\\R")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw WharfException.invalidField("env", "line " + number + " of the environment is not KEY=VALUE: \"" + line.strip() + "\"");
            }
            env.put(line.substring(0, eq).strip(), line.substring(eq + 1));
        }
        return env;
    }

    /** The API's {@code errors: [{field, message}]} keyed by the form's field names ({@code resources.memory} → {@code memory}). */
    @SuppressWarnings("unchecked")
    static Map<String, String> fieldErrors(WharfException e) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (e.properties().get("errors") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> error && error.get("field") instanceof String field) {
                    String key = field.startsWith("resources.") ? field.substring("resources.".length()) : field;
                    errors.put(key, String.valueOf(error.get("message")));
                }
            }
        }
        return errors;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
