package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Compiles and runs the README's assistant-intents example, and checks that the README still shows this code. */
class ReadmeAssistantIntentsExampleTest {
    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        // README example: begin
        AssistantIntents german = BundledText.assistantIntents(Locale.GERMAN);   // or "de", "de-DE", "de_de"
        TextData train = german.train();              // 314 utterances of 16 intents
        TextData test = german.test();                // 83: translations of English test utterances
        TextData english = BundledText.assistantIntents("en").train();   // same class names, same order
        // README example: end

        assertThat(train.size()).isEqualTo(314);
        assertThat(test.size()).isEqualTo(83);
        assertThat(english.classNames()).isEqualTo(train.classNames()).hasSize(16);
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeAssistantIntentsExampleTest.class);
    }
}
