package io.impersonationprobe.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The on-demand API's keys, from {@code impersonation.api.keys.<caller>} and from the keys file: a caller name, the
 * SHA-256 of the key and its roles. A line of the file is named by its number and never echoed, since it may hold a
 * key pasted by mistake.
 */
final class ApiKeyResolver {
    private static final String KEYS_FILE = "impersonation.api.keys-file";
    private static final Pattern CALLER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final EnumConverters.ApiRoles ROLES = new EnumConverters.ApiRoles();

    private ApiKeyResolver() {
    }

    /** The keys, by caller name; every caller and every hash once. */
    static List<ApiKey> resolve(ProbeConfig.Api api, Problems problems) {
        Map<String, ApiKey> keys = new TreeMap<>();
        api.keys().forEach((caller, key) -> {
            String prefix = "impersonation.api.keys." + caller;
            int before = problems.count();
            if (!CALLER.matcher(caller).matches()) {
                problems.add(prefix, "the caller name must be 1 to 64 letters, digits or . _ @ -");
            }
            sha256(prefix + ".sha256", key.sha256(), problems).filter(hash -> problems.count() == before)
                    .ifPresent(hash -> keys.put(caller, new ApiKey(caller, hash, Set.copyOf(key.roles()))));
        });
        api.keysFile().ifPresent(file -> file(file, keys, problems));
        Set<String> hashes = new HashSet<>();
        for (ApiKey key : keys.values()) {
            if (!hashes.add(HexFormat.of().formatHex(key.sha256()))) {
                problems.add("impersonation.api.keys." + key.caller() + ".sha256", "is the hash of another caller's "
                        + "key; give every caller its own key, so the audit log can tell them apart");
            }
        }
        return List.copyOf(keys.values());
    }

    /** Lines of {@code caller sha256-hex role[,role]}; blank lines and {@code #} comments are skipped. */
    private static void file(Path file, Map<String, ApiKey> keys, Problems problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(KEYS_FILE, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                line(file + " line " + (i + 1), line, keys, problems);
            }
        }
    }

    private static void line(String where, String line, Map<String, ApiKey> keys, Problems problems) {
        String[] fields = line.split("\\s+");
        if (fields.length != 3) {
            problems.add(KEYS_FILE, where + " must be 'caller sha256-hex role[,role]'");
            return;
        }
        int before = problems.count();
        String caller = fields[0];
        if (!CALLER.matcher(caller).matches()) {
            problems.add(KEYS_FILE + " (" + where + ")", "the caller name must be 1 to 64 letters, digits or . _ @ -");
        } else if (keys.containsKey(caller)) {
            problems.add(KEYS_FILE, where + ": caller " + caller + " is already defined");
        }
        Optional<byte[]> hash = sha256(KEYS_FILE + " (" + where + ")", fields[1], problems);
        List<ApiRole> roles = new ArrayList<>();
        for (String role : fields[2].split(",")) {
            try {
                Optional.ofNullable(ROLES.convert(role)).ifPresent(roles::add);
            } catch (IllegalArgumentException e) {
                problems.add(KEYS_FILE, where + ": " + e.getMessage());
            }
        }
        if (roles.isEmpty() && problems.count() == before) {
            problems.add(KEYS_FILE + " (" + where + ")", "needs at least one role: read, check");
        }
        if (problems.count() == before) {
            keys.put(caller, new ApiKey(caller, hash.orElseThrow(), Set.copyOf(roles)));
        }
    }

    private static Optional<byte[]> sha256(String property, String text, Problems problems) {
        String hex = text.strip();
        if (!SHA256_HEX.matcher(hex).matches()) {
            problems.add(property, "must be the key's SHA-256 as 64 hex digits (printf %s \"$KEY\" | sha256sum), "
                    + "not the key itself");
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    }
}
