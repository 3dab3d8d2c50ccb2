package io.impersonationprobe.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Reads an app's client certificate: a PKCS12 file and its password, or a PEM certificate and a PEM private key.
 * Each problem names the property of the file it is about.
 */
final class CertificateResolver {
    private CertificateResolver() {
    }

    /**
     * @param prefix the auth properties, such as {@code impersonation.tenants.contoso.auth}
     * @return the certificate and its key, or empty with the problems found
     */
    static Optional<ClientCertificate> resolve(String prefix, ProbeConfig.Auth auth, Problems problems) {
        boolean pkcs12 = auth.certificateFile().isPresent();
        boolean pem = auth.certificatePemFile().isPresent() || auth.privateKeyPemFile().isPresent();
        if (pkcs12 == pem) {
            problems.add(prefix + ".certificate-file", "set either certificate-file (PKCS12) or both "
                    + "certificate-pem-file and private-key-pem-file");
            return Optional.empty();
        }
        return pkcs12 ? pkcs12(prefix, auth, problems) : pem(prefix, auth, problems);
    }

    private static Optional<ClientCertificate> pkcs12(String prefix, ProbeConfig.Auth auth, Problems problems) {
        int before = problems.count();
        Optional<Secret> password = SecretResolver.optional(prefix + ".certificate-password",
                auth.certificatePassword(), auth.certificatePasswordFile(), problems);
        String property = prefix + ".certificate-file";
        Optional<byte[]> content = read(property, auth.certificateFile().get(), problems);
        if (problems.count() > before) {
            return Optional.empty();
        }
        char[] secret = password.map(p -> p.reveal().toCharArray()).orElse(new char[0]);
        return parse(property, problems, () -> KeyMaterial.pkcs12(content.get(), secret));
    }

    private static Optional<ClientCertificate> pem(String prefix, ProbeConfig.Auth auth, Problems problems) {
        String certificateProperty = prefix + ".certificate-pem-file";
        String keyProperty = prefix + ".private-key-pem-file";
        if (auth.certificatePemFile().isEmpty()) {
            problems.add(certificateProperty, "is required with private-key-pem-file");
            return Optional.empty();
        }
        if (auth.privateKeyPemFile().isEmpty()) {
            problems.add(keyProperty, "is required with certificate-pem-file");
            return Optional.empty();
        }
        Optional<X509Certificate> certificate = read(certificateProperty, auth.certificatePemFile().get(), problems)
                .flatMap(content -> parse(certificateProperty, problems, () -> KeyMaterial.firstCertificate(content)));
        // ISO-8859-1 reads any bytes, so a file that is not PEM is reported as such rather than as unreadable.
        Optional<PrivateKey> key = read(keyProperty, auth.privateKeyPemFile().get(), problems)
                .flatMap(content -> parse(keyProperty, problems,
                        () -> KeyMaterial.privateKey(new String(content, StandardCharsets.ISO_8859_1))));
        if (certificate.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return parse(keyProperty, problems, () -> KeyMaterial.matching(key.get(), certificate.get()));
    }

    private static Optional<byte[]> read(String property, Path file, Problems problems) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            problems.add(property, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    private static <T> Optional<T> parse(String property, Problems problems, Parse<T> parse) {
        try {
            return Optional.of(parse.run());
        } catch (GeneralSecurityException e) {
            problems.add(property, e.getMessage());
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface Parse<T> {
        T run() throws GeneralSecurityException;
    }
}
