package dev.wharf.platform.docker;

import dev.wharf.platform.web.WharfException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Docker's container ids (64 hex digits) for Wharf's (16): Wharf's id followed by 48 digits derived
 * from it, so the id Docker shows starts with the one REST and the dashboard show (and its 12-digit
 * short form is a prefix of both), and maps back without a table. {@link #container} finds a
 * container of the caller's team by full id, name ({@code web} or {@code /web}) or unique id prefix,
 * the way Docker does; another team's containers are never found.
 */
@Component
public class DockerIds {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,64}");

    private final JdbcTemplate jdbc;

    DockerIds(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The 64-digit Docker id of a Wharf container id. */
    public static String dockerId(String wharfId) {
        if (wharfId.length() >= 64) {
            return wharfId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("wharf-container:" + wharfId).getBytes(StandardCharsets.UTF_8));
            return (wharfId + HexFormat.of().formatHex(digest)).substring(0, 64);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 12-digit short form Docker prints. */
    public static String shortId(String wharfId) {
        return dockerId(wharfId).substring(0, 12);
    }

    /** A container of the caller's team as Docker names it. */
    public record ContainerRef(String wharfId, String name, String dockerId) {
    }

    /**
     * The container of the caller's team that {@code reference} names: a full Docker or Wharf id, a
     * name (with or without Docker's leading {@code /}), or a prefix of exactly one container's Docker id.
     *
     * @throws WharfException 404 "No such container: …" when none matches, 400 when a prefix matches several
     */
    @Transactional(readOnly = true)
    public ContainerRef container(DockerCaller caller, String reference) {
        String wanted = reference == null ? "" : reference.strip();
        String name = wanted.startsWith("/") ? wanted.substring(1) : wanted;
        List<ContainerRef> all = jdbc.query("select id, name from containers where team_id = ?",
                (rs, i) -> new ContainerRef(rs.getString("id"), rs.getString("name"), dockerId(rs.getString("id"))), caller.teamId());
        for (ContainerRef c : all) {
            if (c.dockerId().equals(wanted) || c.wharfId().equals(wanted)) {
                return c;
            }
        }
        for (ContainerRef c : all) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        if (HEX.matcher(wanted).matches()) {
            List<ContainerRef> matching = all.stream().filter(c -> c.dockerId().startsWith(wanted)).toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
            if (matching.size() > 1) {
                throw WharfException.invalid("multiple IDs found with provided prefix: " + wanted);
            }
        }
        throw WharfException.notFound("No such container: " + wanted);
    }

    /** The image digests that containers of the caller's team use (an image in use is never pruned). */
    @Transactional(readOnly = true)
    public java.util.Set<String> imageDigestsInUse(DockerCaller caller) {
        return new java.util.HashSet<>(jdbc.queryForList("select distinct image_digest from containers where team_id = ? and image_digest is not null",
                String.class, caller.teamId()));
    }

    /** A container of the caller's team as {@code /system/df} and {@code /info} count it. */
    public record ContainerUse(String wharfId, String name, String image, String imageDigest, String state, java.time.Instant createdAt,
            long writableBytes) {
    }

    /** Every container of the caller's team, oldest first. */
    @Transactional(readOnly = true)
    public List<ContainerUse> containers(DockerCaller caller) {
        return jdbc.query("select id, name, image, image_digest, state, created_at, writable_bytes from containers where team_id = ?"
                + " order by created_at, id", (rs, i) -> new ContainerUse(rs.getString("id"), rs.getString("name"), rs.getString("image"),
                        rs.getString("image_digest"), rs.getString("state").toLowerCase(java.util.Locale.ROOT),
                        rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant(), rs.getLong("writable_bytes")),
                caller.teamId());
    }
}
