package io.impersonationprobe.testing;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real {@code promtool} from Debian's prometheus package. Required in CI; elsewhere its tests skip without it. */
public final class Promtool {
    private Promtool() {
    }

    public static Path require() {
        return RequiredTool.find("apt-get install prometheus", "promtool");
    }

    public record Result(int exitCode, String output) {
    }

    /** Runs promtool with the given arguments, feeding {@code stdin}. */
    public static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
