package io.github.alphadrop.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's {@code --json} keys are exactly those {@code docs/cli-json.md} lists: the documented
 * table is the contract, and this test runs each command (native backend, all optional parts on) and
 * compares key sets object by object.
 */
class JsonFieldsTest {

    @TempDir
    static Path dir;

    static Map<String, Set<String>> documented;
    static Path model;

    @BeforeAll
    static void readTheContract() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir")).resolve("../../docs/cli-json.md").normalize();
        assertTrue(Files.exists(doc), "the JSON contract lives in " + doc);
        documented = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| `([a-z.\\[\\]]+)` \\| (.+) \\|$");
        for (String line : Files.readAllLines(doc)) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                Set<String> keys = new TreeSet<>();
                for (String k : m.group(2).split(",")) {
                    keys.add(k.trim().replace("`", ""));
                }
                documented.put(m.group(1), keys);
            }
        }
        assertTrue(documented.size() >= 12, "table rows found: " + documented.keySet());
        model = dir.resolve("m.adm");
        CliTest.Run train = run("train", "--data", "digits", "--out", model.toString(), "--epochs", "1", "--hidden", "8",
                "--samples", "2", "--json");
        assertEquals(0, train.code(), train.err());
    }

    /** Checks the object at {@code path} (and, for {@code name[]}, every element) against the table. */
    @SuppressWarnings("unchecked")
    private static void check(String command, Object root) {
        for (Map.Entry<String, Set<String>> e : documented.entrySet()) {
            String path = e.getKey();
            if (!path.equals(command) && !path.startsWith(command + ".")) {
                continue;
            }
            List<Object> objects = List.of(root);
            for (String part : path.substring(command.length()).split("\\.")) {
                if (part.isEmpty()) {
                    continue;
                }
                String name = part.replace("[]", "");
                List<Object> next = new java.util.ArrayList<>();
                for (Object o : objects) {
                    Object child = ((Map<String, Object>) o).get(name);
                    if (part.endsWith("[]")) {
                        assertTrue(child instanceof List<?> l && !l.isEmpty(), path + ": expected a non-empty list");
                        next.addAll((List<Object>) child);
                    } else {
                        next.add(child);
                    }
                }
                objects = next;
            }
            for (Object o : objects) {
                assertEquals(e.getValue(), new TreeSet<>(((Map<String, Object>) o).keySet()), path + " keys");
            }
        }
    }

    private static Object json(CliTest.Run r) {
        assertEquals(0, r.code(), r.err());
        String out = r.out().trim();
        assertFalse(out.contains("\n"), "one line of JSON: " + out);
        return Json.read(out);
    }

    @Test
    void infoDemoTrainEvaluateAndPredict() throws IOException {
        check("info", json(run("info", "--json")));
        check("demo", json(run("demo", "--epochs", "1", "--test-samples", "2", "--json")));
        check("train", json(run("train", "--data", "digits", "--out", dir.resolve("t.adm").toString(), "--epochs", "1",
                "--hidden", "4", "--json")));
        check("evaluate", json(run("evaluate", "--model", model.toString(), "--data", "digits", "--test-samples", "2",
                "--json")));
        Path csv = dir.resolve("x.csv");
        Files.writeString(csv, "0,".repeat(63) + "1\n" + "1,".repeat(63) + "0\n");
        check("predict", json(run("predict", "--model", model.toString(), "--data", "csv:" + csv, "--out",
                dir.resolve("p.csv").toString(), "--test-samples", "2", "--json")));
    }

    @Test
    void uciAndAttack() throws Exception {
        Path toy = Path.of(JsonFieldsTest.class.getResource("/io/github/alphadrop/experiments/uci-toy").toURI());
        check("uci", json(run("uci", "--data", "uci:" + toy, "--splits", "0", "--epochs", "2", "--test-samples", "5",
                "--alpha", "0.5", "--json")));
        Path out = dir.resolve("attack");
        Object attack = json(run("attack", "--model", model.toString(), "--data", "digits", "--method", "both", "--eps",
                "0,0.1", "--steps", "2", "--limit", "20", "--test-samples", "2", "--out", out.toString(), "--json"));
        check("attack", attack);
        Object metrics = Json.read(Files.readString(out.resolve("metrics.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> withRunKeys = new LinkedHashMap<>((Map<String, Object>) metrics);
        withRunKeys.put("out", "");
        withRunKeys.put("files", List.of());
        withRunKeys.put("seconds", 0);
        check("attack", withRunKeys);
    }
}
