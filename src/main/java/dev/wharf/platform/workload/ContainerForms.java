package dev.wharf.platform.workload;

import dev.wharf.platform.web.PageActions;
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
                ports(form.ports()), blank(form.network()) ? null : form.network().strip(), volumes(form.volumes()),
                form.restartPolicy(), Boolean.TRUE.equals(form.start()));
    }

    /** How many port rows the form shows at least; one more blank row than were filled in, so there is always room for another. */
    static final int PORT_ROWS = 3;

    /**
     * The port rows a person filled in, in order: a row with no container port, host port or host IP is left out.
     * The API's {@code ports[i]} is the i-th of these, so a refused form shows them again in this order.
     */
    static List<ContainerPages.PortField> filledPorts(List<ContainerPages.PortField> fields) {
        if (fields == null) {
            return List.of();
        }
        return fields.stream().filter(f -> f != null && !(blank(f.containerPort()) && blank(f.hostPort()) && blank(f.hostIp())))
                .toList();
    }

    /** The rows the form shows: the filled ones first (matching the API's indexes), then blank ones. */
    static List<ContainerPages.PortField> portRows(List<ContainerPages.PortField> fields) {
        List<ContainerPages.PortField> rows = new ArrayList<>(filledPorts(fields));
        int size = Math.max(PORT_ROWS, rows.size() + 1);
        while (rows.size() < size) {
            rows.add(new ContainerPages.PortField("", "", "tcp", ""));
        }
        return rows;
    }

    /** The filled port rows as the API's ports; numbers are checked here, the rest by {@link ContainerManagement}. */
    static List<ContainerRequest.PortRequest> ports(List<ContainerPages.PortField> fields) {
        List<ContainerPages.PortField> filled = filledPorts(fields);
        List<ContainerRequest.PortRequest> ports = new ArrayList<>();
        for (int i = 0; i < filled.size(); i++) {
            ContainerPages.PortField f = filled.get(i);
            ports.add(new ContainerRequest.PortRequest(port("ports[" + i + "].containerPort", "container port", f.containerPort()),
                    port("ports[" + i + "].hostPort", "host port", f.hostPort()), blank(f.protocol()) ? null : f.protocol().strip(),
                    blank(f.hostIp()) ? null : f.hostIp().strip()));
        }
        return ports.isEmpty() ? null : ports;
    }

    private static Integer port(String field, String what, String text) {
        if (blank(text)) {
            return null; // the API says a port needs both
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField(field, what + " must be a number from 1 to 65535, got \"" + text.strip() + "\"");
        }
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
        return PageActions.fieldErrors(e);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
