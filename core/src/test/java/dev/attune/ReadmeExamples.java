package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the README's code examples true: each is the code of a test that runs it, and the imports the
 * README shows above it are the ones that code needs.
 */
public final class ReadmeExamples {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern IMPORT =
            Pattern.compile("^\\s*import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;", Pattern.MULTILINE);
    // A capitalised name not reached through a dot: a type, or the outer type of a nested one.
    private static final Pattern TYPE_NAME = Pattern.compile("(?<![.\\w$@])([A-Z][A-Za-z0-9_]*)\\b");
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");

    private ReadmeExamples() {
    }

    /**
     * Checks that the project's README shows, white space aside, the code between the markers
     * {@code // README example: begin} and {@code // README example: end} in the source of the given
     * test class (run from its module's folder, as the build runs tests), and that the README's code
     * block holding it begins with imports that give every type it names the class the test compiled
     * against.
     */
    public static void assertReadmeShowsExampleOf(Class<?> testClass) throws IOException {
        String source = Files.readString(Path.of("src/test/java", testClass.getName().replace('.', '/') + ".java"));
        int begin = source.indexOf("// README example: begin");
        int end = source.indexOf("// README example: end");
        assertThat(begin).as("README example markers in " + testClass.getSimpleName()).isNotNegative().isLessThan(end);
        String example = source.substring(begin + "// README example: begin".length(), end);
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(squash(readme)).as("the README shows the example of " + testClass.getSimpleName())
                .contains(squash(example));
        String block = javaBlocks(readme).stream().filter(b -> squash(b).contains(squash(example))).findFirst()
                .orElseThrow(() -> new AssertionError("no single ```java block of the README holds the example of "
                        + testClass.getSimpleName()));
        List<String> problems = importProblems(block, testClass.getClassLoader(), Optional.of(testContext(source)));
        assertThat(problems).as("imports of the README's example of " + testClass.getSimpleName()
                + " (the README block must begin with the imports its code needs)").isEmpty();
    }

    /** The code of every {@code ```java} block of a Markdown text, in order. */
    public static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return List.copyOf(blocks);
    }

    /**
     * What is wrong with the imports of one README code block, as the compiler would see it: no
     * imports at all, an import of a class that does not exist, an import nothing uses, and a type
     * name that the imports leave unresolved or ambiguous. With a test's imports and package, a name
     * that the README resolves to another class than the test does is wrong too.
     *
     * @param block  the code of one {@code ```java} block
     * @param loader the class loader that sees every class the block may name
     * @param test   the test's own resolution context, when the block's code is a test's example
     * @return one line per problem; empty when the imports are right
     */
    public static List<String> importProblems(String block, ClassLoader loader, Optional<Imports> test) {
        Imports readme = Imports.of(block, "");
        List<String> problems = new ArrayList<>();
        if (readme.singles.isEmpty() && readme.onDemand.size() == 1 && readme.statics.isEmpty()) {
            problems.add("the block shows no import");
        }
        String code = stripCommentsAndLiterals(IMPORT.matcher(block).replaceAll(""));
        Set<String> declared = new LinkedHashSet<>();
        Matcher d = DECLARED.matcher(code);
        while (d.find()) {
            declared.add(d.group(1));
        }
        Set<String> names = new LinkedHashSet<>();
        Matcher t = TYPE_NAME.matcher(code);
        while (t.find()) {
            if (!declared.contains(t.group(1))) {
                names.add(t.group(1));
            }
        }
        Set<String> usedSingles = new LinkedHashSet<>();
        Set<String> usedPackages = new LinkedHashSet<>();
        for (String name : names) {
            Resolution r = readme.resolve(name, loader);
            if (r.classes.isEmpty()) {
                problems.add(name + " is named but no import gives it");
                continue;
            }
            (r.single ? usedSingles : usedPackages).addAll(r.from);
            if (r.classes.size() > 1) {
                problems.add(name + " is ambiguous: " + r.classes);
                continue;
            }
            if (test.isPresent()) {
                Resolution expected = test.get().resolve(name, loader);
                if (expected.classes.size() == 1 && !expected.classes.equals(r.classes)) {
                    problems.add(name + " is " + r.classes.get(0) + " by the README's imports but "
                            + expected.classes.get(0) + " in the test");
                }
            }
        }
        for (Map.Entry<String, String> single : readme.singles.entrySet()) {
            if (load(single.getValue(), loader).isEmpty()) {
                problems.add("import " + single.getValue() + ": no such class");
            } else if (!usedSingles.contains(single.getValue())) {
                problems.add("import " + single.getValue() + " is not used");
            }
        }
        for (String pkg : readme.onDemand) {
            if (!pkg.equals("java.lang") && !usedPackages.contains(pkg)) {
                problems.add("import " + pkg + ".* gives no type the code names (or no such package)");
            }
        }
        for (String member : readme.statics) {
            int dot = member.lastIndexOf('.');
            String owner = member.substring(0, dot);
            String field = member.substring(dot + 1);
            Optional<Class<?>> type = load(owner, loader);
            if (type.isEmpty() || !hasStaticMember(type.get(), field)) {
                problems.add("import static " + member + ": no such static member");
            } else if (!Pattern.compile("(?<![.\\w])" + Pattern.quote(field) + "\\b").matcher(code).find()) {
                problems.add("import static " + member + " is not used");
            }
        }
        return List.copyOf(problems);
    }

    /** The resolution context of a test class's source: its imports and its own package. */
    public static Imports testContext(String source) {
        Matcher p = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(source);
        return Imports.of(source, p.find() ? p.group(1) : "");
    }

    private static boolean hasStaticMember(Class<?> type, String name) {
        return Arrays.stream(type.getMethods()).map(Method::getName).anyMatch(name::equals)
                || Arrays.stream(type.getFields()).map(Field::getName).anyMatch(name::equals);
    }

    /** The class of a canonical name, trying nested classes ({@code a.B.C} as {@code a.B$C}) too. */
    static Optional<Class<?>> load(String canonicalName, ClassLoader loader) {
        String name = canonicalName;
        while (true) {
            try {
                return Optional.of(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                int dot = name.lastIndexOf('.');
                if (dot < 0) {
                    return Optional.empty();
                }
                name = name.substring(0, dot) + '$' + name.substring(dot + 1);
            }
        }
    }

    /** Java code with comments, string, text-block and character literals blanked out. */
    static String stripCommentsAndLiterals(String code) {
        StringBuilder out = new StringBuilder(code.length());
        int i = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (code.startsWith("//", i)) {
                while (i < code.length() && code.charAt(i) != '\n') {
                    i++;
                }
            } else if (code.startsWith("/*", i)) {
                int close = code.indexOf("*/", i + 2);
                i = close < 0 ? code.length() : close + 2;
                out.append(' ');
            } else if (code.startsWith("\"\"\"", i)) {
                int close = code.indexOf("\"\"\"", i + 3);
                i = close < 0 ? code.length() : close + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < code.length() && code.charAt(i) != c) {
                    i += code.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", "");
    }

    /** How a compilation unit's imports (and package) turn a simple type name into a class. */
    public static final class Imports {
        private final Map<String, String> singles = new LinkedHashMap<>();
        private final List<String> onDemand = new ArrayList<>();
        private final List<String> statics = new ArrayList<>();

        private Imports() {
        }

        static Imports of(String source, String ownPackage) {
            Imports imports = new Imports();
            Matcher m = IMPORT.matcher(source);
            while (m.find()) {
                if (m.group(1) != null) {
                    if (m.group(3) == null) {
                        imports.statics.add(m.group(2));
                    }
                } else if (m.group(3) != null) {
                    imports.onDemand.add(m.group(2));
                } else {
                    String name = m.group(2);
                    imports.singles.put(name.substring(name.lastIndexOf('.') + 1), name);
                }
            }
            if (!ownPackage.isEmpty()) {
                imports.onDemand.add(ownPackage);
            }
            imports.onDemand.add("java.lang");
            return imports;
        }

        Resolution resolve(String simpleName, ClassLoader loader) {
            String single = singles.get(simpleName);
            if (single != null) {
                return new Resolution(load(single, loader).map(c -> List.of(c.getName())).orElse(List.of()), true,
                        List.of(single));
            }
            List<String> found = new ArrayList<>();
            List<String> from = new ArrayList<>();
            for (String pkg : onDemand) {
                Optional<Class<?>> type = load(pkg + "." + simpleName, loader);
                if (type.isPresent() && !found.contains(type.get().getName())) {
                    found.add(type.get().getName());
                    from.add(pkg);
                }
            }
            return new Resolution(List.copyOf(found), false, List.copyOf(from));
        }
    }

    /** The classes a simple name may be, whether a single-type import gave it, and which imports offered it. */
    private record Resolution(List<String> classes, boolean single, List<String> from) {
    }
}
