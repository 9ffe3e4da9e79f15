package dev.attune.internal.layers;

import dev.attune.spi.LayerInfo;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Layer names as messages list them, and the globs that freeze policies and adapter targets use. */
public final class LayerNames {
    private LayerNames() {
    }

    /** The layers' names, comma-separated in forward order: what a message lists after "layers are:". */
    public static String list(List<LayerInfo> layers) {
        return layers.stream().map(LayerInfo::name).collect(Collectors.joining(", "));
    }

    /** Translates a glob with {@code *} and {@code ?} into an anchored regular expression. */
    public static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
