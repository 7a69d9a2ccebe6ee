package io.stowage.server.cli;

import io.stowage.server.auth.AtomicFiles;
import io.stowage.server.auth.Bcrypt;
import io.stowage.server.auth.HtpasswdEditor;
import io.stowage.server.auth.UserNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code registry passwd --file users.htpasswd [--cost 12] [--delete] USER}: adds a user to an
 * htpasswd file, gives it a new password, or removes it, with bcrypt hashes the registry accepts.
 * The password comes from the console (asked twice) when there is one, else from the first line
 * of standard input, so that scripts can pipe it in and it never shows in a process list.
 *
 * <p>The file is rewritten atomically with mode 0600 (see {@link AtomicFiles}), so a registry
 * re-reading it sees the old or the new version. Two runs at the same moment on the same file may
 * lose one of the changes: it is an operator's tool, not a service.
 *
 * <p>Exit codes: 0 done, 1 the file could not be written, 2 bad usage or input.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Add a user to an htpasswd file, change its password (bcrypt), or delete it.")
final class PasswdCommand implements Callable<Integer> {
    static final int DEFAULT_COST = 12;
    /** Each step doubles the time of every login; beyond this a typo would hang the command. */
    static final int MAX_COST = 18;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The htpasswd file; created if absent.")
    Path file;

    @Option(names = "--cost", defaultValue = "" + DEFAULT_COST, paramLabel = "N",
            description = "bcrypt cost, 4 to 18 (default: ${DEFAULT-VALUE}; 12 takes about a quarter second per login).")
    int cost;

    @Option(names = "--delete", description = "Remove the user instead of setting a password.")
    boolean delete;

    @Parameters(index = "0", paramLabel = "USER", description = "The user name: no ':', whitespace or control characters.")
    String user;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Optional<String> badName = UserNames.problem(user);
        if (badName.isPresent()) {
            return usage(badName.get());
        }
        if (cost < Bcrypt.MIN_COST || cost > MAX_COST) {
            return usage("--cost must be between " + Bcrypt.MIN_COST + " and " + MAX_COST + ", not " + cost);
        }
        String content;
        try {
            content = readExisting();
        } catch (NoSuchFileException e) {
            content = null;
        } catch (CharacterCodingException e) {
            return usage(file + " is not a text file in UTF-8");
        } catch (IOException e) {
            return failed("cannot read " + file + ": " + e.getMessage());
        }
        return delete ? delete(content, out) : setPassword(content, out);
    }

    private int delete(String content, PrintWriter out) {
        if (content == null) {
            return usage(file + " does not exist");
        }
        Optional<String> without = HtpasswdEditor.withoutUser(content, user);
        if (without.isEmpty()) {
            return usage("no user " + user + " in " + file);
        }
        if (!write(without.get())) {
            return 1;
        }
        out.println("deleted user " + user + " from " + file);
        out.flush();
        return 0;
    }

    private int setPassword(String content, PrintWriter out) {
        char[] password;
        try {
            password = readPassword();
        } catch (BadInputException e) {
            return usage(e.getMessage());
        } catch (IOException e) {
            return usage("cannot read the password: " + e.getMessage());
        }
        try {
            if (password.length == 0) {
                return usage("the password is empty");
            }
            if (Bcrypt.passwordBytes(password) > Bcrypt.MAX_PASSWORD_BYTES) {
                return usage("the password is longer than " + Bcrypt.MAX_PASSWORD_BYTES
                        + " bytes, and bcrypt ignores everything after that");
            }
            String before = content == null ? "" : content;
            boolean existed = HtpasswdEditor.hasUser(before, user);
            String hash = Bcrypt.hash(password, cost);
            if (!write(HtpasswdEditor.withUser(before, user, hash))) {
                return 1;
            }
            out.println((existed ? "changed the password of user " : "added user ") + user + " in " + file);
            out.flush();
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private String readExisting() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    private boolean write(String content) {
        try {
            AtomicFiles.replaceOwnerOnly(file, content.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            failed("cannot write " + file + ": " + e.getMessage());
            return false;
        }
    }

    private char[] readPassword() throws IOException, BadInputException {
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("Password for %s: ", user);
            char[] second = console.readPassword("Retype the password: ");
            if (first == null || second == null) {
                throw new BadInputException("no password given");
            }
            boolean same = Arrays.equals(first, second);
            Arrays.fill(second, '\0');
            if (!same) {
                Arrays.fill(first, '\0');
                throw new BadInputException("the two passwords differ");
            }
            return first;
        }
        return firstLine(System.in);
    }

    /** The first line of {@code in} without its line end, read byte by byte so nothing more is consumed. */
    static char[] firstLine(InputStream in) throws IOException, BadInputException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            bytes.write(b);
        }
        byte[] raw = bytes.toByteArray();
        int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, length));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return password;
        } catch (CharacterCodingException e) {
            throw new BadInputException("the password on standard input is not UTF-8");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("registry passwd: " + message);
        spec.commandLine().getErr().flush();
        return 2;
    }

    private int failed(String message) {
        spec.commandLine().getErr().println("registry passwd: " + message);
        spec.commandLine().getErr().flush();
        return 1;
    }

    /** Input that is wrong, as opposed to input that could not be read. */
    static final class BadInputException extends Exception {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }
}
