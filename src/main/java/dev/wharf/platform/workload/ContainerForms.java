package dev.wharf.platform.workload;

import dev.wharf.platform.web.PageActions;
import dev.wharf.platform.web.WharfException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
        AdvancedForm advanced = form.advanced() == null ? AdvancedForm.EMPTY : form.advanced();
        return new ContainerRequest(form.name().strip(), form.image().strip(), lines(form.command()), pairs("env", "environment", form.env()),
                null, text(advanced.user()), blank(form.project()) ? null : form.project(),
                new ContainerRequest.ResourceRequest(cpus, text(form.memory()), pids),
                ports(form.ports()), text(form.network()), volumes(form.volumes()), form.restartPolicy(), Boolean.TRUE.equals(form.start()),
                lines(advanced.entrypoint()), pairs("labels", "labels", advanced.labels()), healthcheck(advanced),
                whole("stopTimeout", "the stop timeout", advanced.stopTimeout()), ticked(advanced.init()), tmpfs(advanced.tmpfs()),
                ticked(advanced.readOnlyRootfs()));
    }

    /**
     * The health check part: the test is one shell command ({@code ["CMD-SHELL", command]}; {@code NONE} turns the
     * image's check off), the rest as typed; nothing filled in is none (the image's check, if it has one).
     */
    static ContainerRequest.HealthcheckRequest healthcheck(AdvancedForm form) {
        String test = text(form.healthTest());
        boolean restart = Boolean.TRUE.equals(form.healthRestart());
        if (test == null && blank(form.healthInterval()) && blank(form.healthTimeout()) && blank(form.healthStartPeriod())
                && blank(form.healthRetries()) && !restart) {
            return null;
        }
        return new ContainerRequest.HealthcheckRequest(test == null ? null : test.equals("NONE") ? List.of("NONE") : List.of("CMD-SHELL", test),
                text(form.healthInterval()), text(form.healthTimeout()), text(form.healthStartPeriod()),
                whole("healthcheck.retries", "retries", form.healthRetries()), restart ? "restart" : null);
    }

    /** How many tmpfs rows the form shows at least. */
    static final int TMPFS_ROWS = 2;

    /** The tmpfs rows to show: the filled ones first (the API's {@code tmpfs[i]}), then blank ones. */
    static List<AdvancedForm.TmpfsField> tmpfsRows(List<AdvancedForm.TmpfsField> fields) {
        return rows(fields, AdvancedForm.TmpfsField::isBlank, TMPFS_ROWS, () -> new AdvancedForm.TmpfsField("", ""));
    }

    /** The filled tmpfs rows as the API's tmpfs; a size left empty is refused by the API at its row. */
    static List<ContainerRequest.TmpfsRequest> tmpfs(List<AdvancedForm.TmpfsField> fields) {
        List<ContainerRequest.TmpfsRequest> mounts = filled(fields, AdvancedForm.TmpfsField::isBlank).stream()
                .map(f -> new ContainerRequest.TmpfsRequest(text(f.path()), text(f.size()))).toList();
        return mounts.isEmpty() ? null : mounts;
    }

    /** How many port rows the form shows at least; one more blank row than were filled in, so there is always room for another. */
    static final int PORT_ROWS = 3;

    /**
     * The port rows a person filled in, in order: a row with no container port, host port or host IP is left out.
     * The API's {@code ports[i]} is the i-th of these, so a refused form shows them again in this order.
     */
    static List<ContainerPages.PortField> filledPorts(List<ContainerPages.PortField> fields) {
        return filled(fields, ContainerForms::isBlank);
    }

    /** The rows the form shows: the filled ones first (matching the API's indexes), then blank ones. */
    static List<ContainerPages.PortField> portRows(List<ContainerPages.PortField> fields) {
        return rows(fields, ContainerForms::isBlank, PORT_ROWS, () -> new ContainerPages.PortField("", "", "tcp", ""));
    }

    /** A port row with no container port, host port or host IP is no port. */
    private static boolean isBlank(ContainerPages.PortField f) {
        return blank(f.containerPort()) && blank(f.hostPort()) && blank(f.hostIp());
    }

    /** The rows of a repeated group that were filled in, in order; the API's {@code field[i]} is the i-th of these. */
    static <T> List<T> filled(List<T> rows, Predicate<T> isBlank) {
        return rows == null ? List.of() : rows.stream().filter(row -> row != null && !isBlank.test(row)).toList();
    }

    /** The rows a repeated group shows: the filled ones, then blank ones up to {@code least}, and always one blank to add another. */
    static <T> List<T> rows(List<T> typed, Predicate<T> isBlank, int least, Supplier<T> blankRow) {
        List<T> rows = new ArrayList<>(filled(typed, isBlank));
        int size = Math.max(least, rows.size() + 1);
        while (rows.size() < size) {
            rows.add(blankRow.get());
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

    /** {@code KEY=VALUE} lines (the environment, labels); a refusal names {@code field} and calls the lines {@code what}. */
    static Map<String, String> pairs(String field, String what, String text) {
        if (blank(text)) {
            return null;
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\\R")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw WharfException.invalidField(field, "line " + number + " of the " + what + " is not KEY=VALUE: \"" + line.strip() + "\"");
            }
            pairs.put(line.substring(0, eq).strip(), line.substring(eq + 1));
        }
        return pairs;
    }

    /** A whole number typed into {@code field}; empty is none. */
    private static Integer whole(String field, String what, String text) {
        if (blank(text)) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw WharfException.invalidField(field, what + " must be a whole number, got \"" + text.strip() + "\"");
        }
    }

    /** A ticked box is {@code true}; an unticked one is left out (the API's default, false). */
    private static Boolean ticked(Boolean box) {
        return Boolean.TRUE.equals(box) ? Boolean.TRUE : null;
    }

    /** The text without surrounding blanks; empty is none. */
    private static String text(String value) {
        return blank(value) ? null : value.strip();
    }

    /** The API's {@code errors: [{field, message}]} keyed by the form's field names ({@code resources.memory} → {@code memory}). */
    @SuppressWarnings("unchecked")
    static Map<String, String> fieldErrors(WharfException e) {
        return PageActions.fieldErrors(e);
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
