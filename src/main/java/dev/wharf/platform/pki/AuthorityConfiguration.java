package dev.wharf.platform.pki;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The server's {@link CertificateAuthority} for nodes, kept by {@link StoredAuthorities} as {@code wharf}.
 */
@Configuration
class AuthorityConfiguration {

    static final String NAME = "wharf";

    @Bean
    CertificateAuthority certificateAuthority(StoredAuthorities authorities) {
        return authorities.named(NAME, "Wharf CA", "node certificates");
    }
}
