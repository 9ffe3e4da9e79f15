package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How messages write values: what does not show is escaped, everything else is left alone. */
class VisibleTest {
    @Test
    void charactersThatDoNotShowAreEscaped() {
        assertThat(Visible.quote("\uFEFF12")).isEqualTo("\\uFEFF12");
        assertThat(Visible.quote("a\u200Bb\u00A0c\u2028d\u202Ee\u0007")).isEqualTo("a\\u200Bb\\u00A0c\\u2028d\\u202Ee\\u0007");
        assertThat(Visible.quote("tab\tline\nreturn\r")).isEqualTo("tab\\tline\\nreturn\\r");
        // a tag character and a private-use character beyond U+FFFF: both halves of the pair
        assertThat(Visible.quote("x\uDB40\uDC01")).isEqualTo("x\\uDB40\\uDC01");
        assertThat(Visible.quote("\uDB80\uDC00")).isEqualTo("\\uDB80\\uDC00");
        // a lone surrogate
        assertThat(Visible.quote("a\uD83D")).isEqualTo("a\\uD83D");
        assertThat(Visible.quote(null)).isEqualTo("?");
    }

    @Test
    void visibleTextIsLeftAlone() {
        for (String s : List.of("", "12", "red light", "caf\u00e9", "\u6771\u4eac", "\uD83D\uDE00 \uD83E\uDEE0", "a\\u00A0")) {
            assertThat(Visible.quote(s)).isSameAs(s);
            assertThat(Visible.hides(s)).isFalse();
            assertThat(Visible.note(s)).isEmpty();
        }
    }

    @Test
    void theNoteNamesTheHiddenCharacters() {
        assertThat(Visible.note("\uFEFF1\u200B2\uFEFF")).contains("U+FEFF ZERO WIDTH NO-BREAK SPACE, U+200B ZERO WIDTH SPACE;")
                .contains("remove them");
    }

    @Test
    void theTailOfALongValueKeepsItsEndAndWholeCharacters() {
        String s = "x".repeat(50) + "\uFEFF";
        assertThat(Visible.tail(s)).isEqualTo("..." + "x".repeat(39) + "\\uFEFF");
        // the last 40 chars start inside the emoji's surrogate pair: the whole emoji is kept
        String end = "\uD83D\uDE00" + "z".repeat(39);
        assertThat(Visible.tail("a".repeat(10) + end)).isEqualTo("..." + end);
        assertThat(Visible.join(List.of("a", "b\u00A0"))).isEqualTo("a, b\\u00A0");
    }
}
