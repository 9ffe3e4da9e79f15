package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Reads the real bundled assistant intents; the counts are those printed by
 * {@code data/scripts/make_assistant_intents.py}, the fingerprints those of
 * {@code data/scripts/assistant-intents.sha256} (the CSV files are not compressed, so
 * {@link TextData#sha256()} is the file's SHA-256).
 */
class AssistantIntentsTest {
    /** locale -> {train, test, SHA-256 of train.csv, SHA-256 of test.csv}. */
    private static final Map<String, List<Object>> EXPECTED = Map.of(
            "en-us", List.of(339, 103, "98ad00d0a8663cf9b7743f4abb4c9c1dad9ee036e64d74c28aa8f80a9270683e",
                    "93baf39b9406daf3e1c879f0bfa86c6b9821b896a111f23c9916dead2a9d1971"),
            "de-de", List.of(314, 83, "77f4705745d417cbd21e53babeb5d7a5dc9c4f68926845335644e1ece5e037ff",
                    "cd889e0c26bebc1a90f5d3ab7341941926a47cba6a4fe4d40b88471ae9e00900"),
            "es-es", List.of(320, 86, "e2c4d59fa619f963637e91254c4a1b0a1120eba5c865e9a83bb0b6d2b2edf12e",
                    "b7ac0edc39be8ff0df096a81212aa4b0a43ac9cb3a593860ebb1c3d78b7f3030"),
            "fr-fr", List.of(312, 89, "4186bbbacf042320154ae128aa7b576740821d999c15562c01f4971ccb7605bf",
                    "2924b64db1ef79bb1118ee184fd2c3261a8a6711bac8078669868dfbe6c9ce96"),
            "it-it", List.of(325, 92, "d557039348de7fa8036ba149ccd51202c4cd365b45c61e48ccbb0ef99662d5ed",
                    "863f6ccf86d404225e7f6130c2cf7e9490762e860c773e6942159901e9aad981"));

    @Test
    void everyLocaleHasItsCountsAndTheSameSixteenIntents() {
        assertThat(AssistantIntents.LOCALES).containsExactly("en-us", "de-de", "es-es", "fr-fr", "it-it");
        for (String locale : AssistantIntents.LOCALES) {
            AssistantIntents intents = BundledText.assistantIntents(locale);
            TextData train = intents.train();
            TextData test = intents.test();
            List<Object> expected = EXPECTED.get(locale);
            assertThat(intents.locale()).isEqualTo(locale);
            assertThat(train.size()).as(locale).isEqualTo(expected.get(0));
            assertThat(test.size()).as(locale).isEqualTo(expected.get(1));
            assertThat(train.sha256()).as(locale).isEqualTo(expected.get(2));
            assertThat(test.sha256()).as(locale).isEqualTo(expected.get(3));
            assertThat(train.classNames()).as(locale).isEqualTo(AssistantIntents.CLASS_NAMES).hasSize(16)
                    .doesNotContain("None", "Logout");
            assertThat(test.classNames()).as(locale).isEqualTo(AssistantIntents.CLASS_NAMES);
            // every intent is in both splits of every locale
            assertThat(IntStream.of(train.classCounts()).min().getAsInt()).as(locale).isGreaterThanOrEqualTo(7);
            assertThat(IntStream.of(test.classCounts()).min().getAsInt()).as(locale).isGreaterThanOrEqualTo(1);
            assertThat(train.name()).isEqualTo("bundled dev/attune/data/text/assistant-intents/" + locale + "/train.csv");
        }
        assertThat(BundledText.assistantIntents("en").test().classCounts())
                .containsExactly(8, 12, 3, 3, 4, 3, 14, 7, 3, 3, 16, 4, 7, 5, 2, 9);
        assertThat(BundledText.assistantIntents("de").test().classCounts())
                .containsExactly(4, 8, 3, 1, 1, 2, 14, 5, 3, 3, 16, 3, 5, 4, 2, 9);
        assertThat(BundledText.assistantIntents("en").train().text(0)).isEqualTo("cancel");
        assertThat(BundledText.assistantIntents("de").train().text(0)).isEqualTo("Abbrechen");
        assertThat(BundledText.assistantIntents("it").licence()).contains("MIT").contains("LICENSE.txt");
    }

    @Test
    void theEntityMarkupIsGoneAndItsValueKept() {
        for (String locale : AssistantIntents.LOCALES) {
            AssistantIntents intents = BundledText.assistantIntents(locale);
            for (TextData d : List.of(intents.train(), intents.test())) {
                assertThat(d.texts()).as(locale).noneMatch(t -> t.contains("{") || t.contains("}")
                        || t.contains("DirectionalReference") || t.contains("  ") || !t.equals(t.strip())
                        || t.isEmpty());
            }
        }
        // "- choose the {DirectionalReference=bottom left}" in en-us/general.lu
        assertThat(BundledText.assistantIntents("en-us").test().texts()).contains("choose the bottom left");
    }

    @Test
    void noTestUtteranceRepeatsATrainingOneOfItsLocale() {
        for (String locale : AssistantIntents.LOCALES) {
            AssistantIntents intents = BundledText.assistantIntents(locale);
            Set<String> train = new HashSet<>();
            for (String t : intents.train().texts()) {
                train.add(key(t));
            }
            for (String t : intents.test().texts()) {
                assertThat(train).as("%s test line repeats a training line: %s", locale, t).doesNotContain(key(t));
            }
        }
    }

    private static String key(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }

    @Test
    void localesAreAcceptedAsTagsLanguagesAndLocaleObjects() {
        assertThat(BundledText.assistantIntents("DE_de").locale()).isEqualTo("de-de");
        assertThat(BundledText.assistantIntents(" fr ").locale()).isEqualTo("fr-fr");
        assertThat(BundledText.assistantIntents(Locale.GERMAN).locale()).isEqualTo("de-de");
        assertThat(BundledText.assistantIntents(Locale.ITALY).locale()).isEqualTo("it-it");
        assertThat(BundledText.assistantIntents(Locale.forLanguageTag("es-ES")).locale()).isEqualTo("es-es");
        assertThat(BundledText.assistantIntents(Locale.US).locale()).isEqualTo("en-us");
    }

    @Test
    void aLocaleThatIsNotBundledIsRefusedNamingTheBundledOnes() {
        assertThatThrownBy(() -> BundledText.assistantIntents("zh-cn")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'zh-cn'").hasMessageContaining("en-us, de-de, es-es, fr-fr, it-it");
        assertThatThrownBy(() -> BundledText.assistantIntents("pt")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pt'").hasMessageContaining("it-it");
        assertThatThrownBy(() -> BundledText.assistantIntents(Locale.CANADA_FRENCH))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fr-CA'")
                .hasMessageContaining("fr-fr");
        assertThatThrownBy(() -> BundledText.assistantIntents(Locale.ROOT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'und'");
        assertThatThrownBy(() -> BundledText.assistantIntents(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no locale given").hasMessageContaining("en-us, de-de");
        assertThatThrownBy(() -> BundledText.assistantIntents((String) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no locale given");
    }
}
