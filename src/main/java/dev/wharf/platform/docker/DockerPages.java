package dev.wharf.platform.docker;

import dev.wharf.platform.identity.Caller;
import dev.wharf.platform.team.TeamManagement;
import dev.wharf.platform.team.TeamRole;
import dev.wharf.platform.web.PageActions;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A team's "Docker access" page: make a certificate (its three PEM files come back once, as one
 * archive the page offers for download, never stored), copy the {@code docker context create} command,
 * see and revoke certificates (members their own, owners all).
 */
@Controller
class DockerPages {

    private final DockerCertificates certificates;
    private final TeamManagement teams;

    DockerPages(DockerCertificates certificates, TeamManagement teams) {
        this.certificates = certificates;
        this.teams = teams;
    }

    @GetMapping("/teams/{team}/docker")
    String page(Caller caller, @PathVariable String team, Model model) {
        model.addAttribute("team", teams.require(caller, team, TeamRole.VIEWER).team());
        model.addAttribute("certificates", certificates.list(caller, team));
        model.addAttribute("enabled", certificates.enabled());
        model.addAttribute("dockerHost", certificates.dockerHost());
        model.addAttribute("contextCommand", contextCommand(team, certificates.dockerHost()));
        return "docker";
    }

    @PostMapping("/teams/{team}/docker")
    String create(Caller caller, @PathVariable String team, @RequestParam(defaultValue = "") String name,
            @RequestParam(required = false) Integer expiresInDays, HttpServletRequest request, RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/docker", () -> {
            DockerCertificates.Issued issued = certificates.create(caller, team, name, expiresInDays);
            flash.addFlashAttribute("created", issued);
            flash.addFlashAttribute("archive", "data:application/zip;base64," + Base64.getEncoder().encodeToString(archive(issued)));
            flash.addFlashAttribute("archiveName", "wharf-" + team + "-docker.zip");
            return "Certificate " + issued.name() + " made: download its files now, they are offered only this once.";
        });
    }

    @PostMapping("/teams/{team}/docker/{id}/revoke")
    String revoke(Caller caller, @PathVariable String team, @PathVariable String id, HttpServletRequest request,
            RedirectAttributes flash) {
        return PageActions.run(request, flash, "/teams/" + team + "/docker", () -> {
            certificates.revoke(caller, team, id);
            return "Certificate revoked.";
        });
    }

    /** The command that makes a Docker context of the files unpacked to {@code ~/.wharf/<team>}. */
    static String contextCommand(String team, String dockerHost) {
        String dir = "$HOME/.wharf/" + team;
        return "docker context create wharf-" + team + " --docker \"host=" + dockerHost + ",ca=" + dir + "/ca.pem,cert=" + dir
                + "/cert.pem,key=" + dir + "/key.pem\"";
    }

    /** {@code ca.pem}, {@code cert.pem} and {@code key.pem} in one zip archive. */
    static byte[] archive(DockerCertificates.Issued issued) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> file : Map.of("ca.pem", issued.ca(), "cert.pem", issued.cert(), "key.pem", issued.key())
                    .entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.US_ASCII));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
